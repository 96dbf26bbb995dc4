#pragma once
// Sans-I/O codecs for dot-terminated blocks (RFC 5321 4.5.2, RFC 1939 3,
// RFC 3977 3.1.1). Both work on any split of their input.
#include <cstddef>
#include <string>
#include <string_view>

#include "pigeon/net/bytes.hpp"

namespace pigeon::net {

/// Encoder: turns arbitrary message bytes into the transmitted form. Every
/// bare CR, bare LF and CRLF becomes CRLF; a line starting with "." gets
/// another "."; finish() ends an unterminated last line and writes ".\r\n".
/// A NUL byte is passed through (callers that must refuse it check first).
class dot_stuffer {
public:
    /// Appends the encoded form of data to out.
    void feed(std::string_view data, std::string& out);
    /// Appends the end of the block (CRLF if needed, then ".CRLF").
    void finish(std::string& out);
    void reset() noexcept { at_line_start_ = true; pending_cr_ = false; }
    /// Number of bytes of the original message fed so far.
    std::size_t fed() const noexcept { return fed_; }

private:
    bool at_line_start_ = true;
    bool pending_cr_ = false;
    std::size_t fed_ = 0;
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
