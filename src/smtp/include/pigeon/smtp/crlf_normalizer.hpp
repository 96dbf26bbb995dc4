#pragma once
// Line-end normalisation for BDAT chunks (RFC 3030): the message goes as is,
// without dot-stuffing, but every bare CR, bare LF and CRLF becomes CRLF, so
// a message reaches the server byte for byte as it would through DATA.
// Sans-I/O; any split of the input gives the same output.
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::smtp {

class crlf_normalizer {
public:
    /// Appends the normalised form of data to out.
    void feed(std::string_view data, std::string& out);
    /// Ends the message: a pending CR becomes CRLF, and an unterminated last
    /// line gets CRLF (as the dot-stuffer does before ".").
    void finish(std::string& out);
    void reset() noexcept { pending_cr_ = false; at_line_start_ = true; }

private:
    bool pending_cr_ = false;
    bool at_line_start_ = true;
};

} // namespace pigeon::smtp
