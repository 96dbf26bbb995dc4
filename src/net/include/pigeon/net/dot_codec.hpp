#pragma once
// Sans-I/O codecs for dot-terminated blocks (RFC 5321 4.5.2, RFC 1939 3,
// RFC 3977 3.1.1). Both work on any split of their input.
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/bytes.hpp"
#include "pigeon/net/nul_policy.hpp"
#include "pigeon/text/line_normalizer.hpp"

namespace pigeon::net {

/// Encoder: turns arbitrary message bytes into the transmitted form. Every
/// bare CR, bare LF and CRLF becomes CRLF; a line starting with "." gets
/// another "."; finish() ends an unterminated last line and writes ".\r\n".
/// NUL bytes are refused or stripped per the nul_policy: with strip the
/// output is that of the input without its NULs; with refuse, feed() stops
/// at the first NUL (out gets what came before it) and returns
/// errc::nul_in_data, and from then on feed() and finish() append nothing
/// and return that error again (no end-of-data after a refused message).
class dot_stuffer {
public:
    explicit dot_stuffer(nul_policy nul = nul_policy::refuse) noexcept
        : n_(nul == nul_policy::refuse ? text::line_normalizer::nul_handling::refuse
                                       : text::line_normalizer::nul_handling::strip,
             true) {}
    /// Appends the encoded form of data to out (errc::nul_in_data after a
    /// refused NUL: nothing from it on is appended).
    std::error_code feed(std::string_view data, std::string& out);
    /// Appends the end of the block (CRLF if needed, then ".CRLF").
    std::error_code finish(std::string& out);
    void reset() noexcept { n_.reset(); }
    /// Number of bytes of the original message fed so far (with refuse, up to
    /// the NUL; with strip, the stripped NULs included).
    std::size_t fed() const noexcept { return n_.fed(); }
    /// Number of NUL bytes dropped (nul_policy::strip).
    std::size_t stripped() const noexcept { return n_.stripped(); }

private:
    text::line_normalizer n_;  // the library's one line-end normaliser, dots on
};

/// Decoder: feeds the raw block (after the status line) and emits the
/// un-stuffed content with CRLF line ends. Recognises the terminator only as
/// "." alone on a line (after CRLF, or a bare LF from a sloppy server).
class dot_unstuffer {
public:
    enum class status { need_more, done };
    /// Consumes bytes from data, appending content to out. Returns done once
    /// the terminator was seen; consumed tells how many bytes of data were used
    /// (bytes after the terminator belong to the next response).
    status feed(std::string_view data, std::string& out, std::size_t& consumed);
    void reset() noexcept { state_ = state::line_start; }

private:
    enum class state { line_start, in_line, saw_cr, dot, dot_cr };
    state state_ = state::line_start;
};

} // namespace pigeon::net
