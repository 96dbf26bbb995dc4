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

#include "pigeon/net/error.hpp"
#include "pigeon/net/nul_policy.hpp"
#include "pigeon/text/line_normalizer.hpp"

namespace pigeon::smtp {

class crlf_normalizer {
public:
    explicit crlf_normalizer(net::nul_policy nul = net::nul_policy::refuse) noexcept
        : n_(nul == net::nul_policy::refuse ? text::line_normalizer::nul_handling::refuse
                                            : text::line_normalizer::nul_handling::strip) {}
    /// Appends the normalised form of data to out. With nul_policy::refuse a
    /// NUL stops it: out gets what came before, the result is
    /// net::errc::nul_in_data, and every later feed()/finish() appends
    /// nothing and fails the same way. With strip, NULs are dropped.
    std::error_code feed(std::string_view data, std::string& out) {
        return n_.feed(data, out) ? std::error_code() : make_error_code(net::errc::nul_in_data);
    }
    /// Ends the message: a pending CR becomes CRLF, and an unterminated last
    /// line gets CRLF (as the dot-stuffer does before ".").
    std::error_code finish(std::string& out) {
        return n_.finish(out) ? std::error_code() : make_error_code(net::errc::nul_in_data);
    }
    void reset() noexcept { n_.reset(); }
    /// Number of NUL bytes dropped (nul_policy::strip).
    std::size_t stripped() const noexcept { return n_.stripped(); }

private:
    text::line_normalizer n_;  // the library's one line-end normaliser, no dots
};

} // namespace pigeon::smtp
