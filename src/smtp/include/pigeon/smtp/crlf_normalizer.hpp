#pragma once
// Line-end normalisation for BDAT chunks (RFC 3030): the message goes as is,
// without dot-stuffing, but every bare CR, bare LF and CRLF becomes CRLF, so
// a message reaches the server byte for byte as it would through DATA.
// NUL bytes are refused or stripped as by the dot-stuffer (net::nul_policy).
// Sans-I/O; any split of the input gives the same output.
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/nul_policy.hpp"

namespace pigeon::smtp {

class crlf_normalizer {
public:
    explicit crlf_normalizer(net::nul_policy nul = net::nul_policy::refuse) noexcept : nul_(nul) {}
    /// Appends the normalised form of data to out. With nul_policy::refuse a
    /// NUL stops it: out gets what came before, the result is
    /// net::errc::nul_in_data, and every later feed()/finish() appends
    /// nothing and fails the same way. With strip, NULs are dropped.
    std::error_code feed(std::string_view data, std::string& out);
    /// Ends the message: a pending CR becomes CRLF, and an unterminated last
    /// line gets CRLF (as the dot-stuffer does before ".").
    std::error_code finish(std::string& out);
    void reset() noexcept { pending_cr_ = false; at_line_start_ = true; failed_ = false; }
    /// Number of NUL bytes dropped (nul_policy::strip).
    std::size_t stripped() const noexcept { return stripped_; }

private:
    void normalise(std::string_view data, std::string& out);
    net::nul_policy nul_;
    bool pending_cr_ = false;
    bool at_line_start_ = true;
    bool failed_ = false;
    std::size_t stripped_ = 0;
};

} // namespace pigeon::smtp
