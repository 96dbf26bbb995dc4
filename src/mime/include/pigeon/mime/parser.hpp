#pragma once
// The streaming (push) MIME parser.
//
// Feed bytes in pieces of any size with feed(), then call finish(). The
// parser reports what it finds through a parser_handler; however the input
// is split, the handler sees the same events with the same offsets (body
// bytes may arrive in differently sized pieces).
//
// Memory: the parser keeps the header field being read (at most
// parser_limits::max_header_bytes), one delimiter-check window (the line end
// before a candidate delimiter line plus at most 2 + boundary length + 2 +
// max_boundary_whitespace + 2 bytes of that line) and the stack of open
// containers -- never a body. Body bytes are handed on as they arrive.
//
// Line ends: LF or CRLF; a bare CR is data. A delimiter line is "--boundary"
// or "--boundary--" followed only by spaces/tabs, checked against every open
// multipart, innermost first (a boundary that is a prefix of another is not
// confused with it). A line that is neither a header field nor a blank line
// ends the header block and starts the body (defect missing_header_separator),
// as in Python's email.feedparser.
//
// Event order for one part:
//   on_header* on_headers_end on_part_begin
//     leaf:      on_body(content)*
//     multipart: on_body(preamble)* { on_boundary child-part }* [on_boundary(close)] on_body(epilogue)*
//     message:   child-part (the enclosed message's events)
//   on_part_end
//
// Offsets are absolute positions in the fed stream. The ranges reported
// (header fields, header separator, bodies, delimiter lines) tile the input
// exactly, which is what makes byte-exact re-serialisation possible.
// A delimiter line's range includes the line end before it (RFC 2046: that
// CRLF belongs to the delimiter), so a body never ends with it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <pigeon/mime/content_type.hpp>
#include <pigeon/mime/limits.hpp>

namespace pigeon::mime {

enum class part_kind {
    leaf,      ///< a body of content
    multipart, ///< multipart/* with a usable boundary
    message,   ///< message/rfc822 (or message/global): one enclosed message
};

enum class body_section {
    content,  ///< the body of a leaf part
    preamble, ///< text of a multipart before its first delimiter
    epilogue, ///< text of a multipart after its close delimiter
};

struct header_event {
    std::string_view name;  ///< as written
    std::string_view value; ///< after the colon, leading blanks removed, folds kept, no final line end
    std::uint64_t offset;   ///< where the field starts
    std::uint64_t length;   ///< raw length including folds and the final line end
    bool truncated;         ///< the field was cut at max_header_bytes
};

struct part_info {
    const content_type& type; ///< parsed Content-Type (or the default)
    std::string_view transfer_encoding; ///< raw Content-Transfer-Encoding value ("" if none)
    part_kind kind;
    std::size_t depth;            ///< 0 for the top-level message
    std::size_t index;            ///< 0-based position in the parse (pre-order)
    std::uint64_t header_offset;  ///< start of the header block
    std::uint64_t body_offset;    ///< start of the body (after the blank line)
    std::uint32_t defects;        ///< defects found in the header block
};

struct part_end_info {
    std::size_t depth;
    std::uint64_t body_end;  ///< end of the body (leaf) / epilogue (multipart) / enclosed message
    std::uint64_t end;       ///< end of the whole part (same as body_end)
    std::uint32_t defects;   ///< defects of this part (header and structure)
};

/// Receives parser events. Every function has an empty default.
class parser_handler {
public:
    virtual ~parser_handler() = default;
    virtual void on_header(const header_event&) {}
    /// The header block ended at offset; separator_length is the blank line's
    /// length (2 for CRLF, 1 for LF, 0 when the block ended otherwise).
    virtual void on_headers_end(std::uint64_t /*offset*/, std::size_t /*separator_length*/) {}
    virtual void on_part_begin(const part_info&) {}
    /// Bytes of a body (or preamble/epilogue) at offset. The view is valid
    /// only during the call.
    virtual void on_body(std::string_view /*bytes*/, std::uint64_t /*offset*/, body_section) {}
    /// A delimiter line [offset, offset + length) of the innermost open
    /// multipart (including the line end before it and its own line end).
    virtual void on_boundary(std::uint64_t /*offset*/, std::uint64_t /*length*/, bool /*close*/) {}
    virtual void on_part_end(const part_end_info&) {}
};

class parser {
public:
    explicit parser(parser_handler& handler, const parser_limits& limits = {});
    ~parser();
    parser(const parser&) = delete;
    parser& operator=(const parser&) = delete;

    /// Parses more input. Ignored after finish().
    void feed(std::string_view bytes);
    void feed(const char* data, std::size_t n) { feed(std::string_view(data, n)); }
    /// Ends the input: flushes held bytes and closes every open part.
    void finish();
    /// Starts over for a new message (keeps handler, limits and buffers).
    void reset();

    /// Union of all defects seen so far.
    std::uint32_t defects() const noexcept;
    /// Bytes consumed so far.
    std::uint64_t offset() const noexcept;
    /// Parts begun so far.
    std::size_t parts() const noexcept;
    bool finished() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pigeon::mime
