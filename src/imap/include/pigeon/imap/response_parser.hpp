#pragma once
// The incremental IMAP response parser (sans-I/O, after Dovecot's
// imap-parser and Beast's basic_parser): feed it bytes in pieces of any size,
// down to one at a time; it answers need_more, ready, need_literal(n) or
// error, and never throws on bad input. Every resource is bounded by
// parser_limits.
//
// A literal "{n}" CRLF inside a response makes feed() stop and report
// need_literal with n; the next n bytes fed are the literal's content (a
// blocking driver reads them with read_exact), then the response continues.
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

struct parser_limits {
    /// Longest line segment (between literals) of a response.
    std::size_t max_line = 1024 * 1024;
    /// Largest literal held in memory.
    std::size_t max_literal = 64 * 1024 * 1024;
    /// Largest response, all segments and literals together.
    std::size_t max_response = 128 * 1024 * 1024;
    /// Deepest list nesting (BODYSTRUCTURE needs a few levels per MIME level).
    std::size_t max_depth = 100;
    /// Most tokens (atoms, strings, lists) in one response.
    std::size_t max_tokens = 1000000;
};

class response_parser {
public:
    enum class status {
        need_more,     ///< all input consumed; the response is not complete
        ready,         ///< a response is complete: take() it
        need_literal,  ///< a literal of literal_size bytes follows
        error,         ///< bad input; error says why; reset() to reuse
    };
    struct result {
        status state = status::need_more;
        std::size_t consumed = 0;      ///< bytes of the input used
        std::size_t literal_size = 0;  ///< for need_literal
        std::error_code error;         ///< for error (imap::errc)
    };

    explicit response_parser(parser_limits limits = {});

    /// Consumes bytes up to the end of a response (ready), the line end after
    /// a literal's "{n}" (need_literal), or the end of data (need_more).
    /// Bytes after a ready response are not consumed: feed them again after
    /// take(). After ready, feed() consumes nothing until take() or reset().
    result feed(std::string_view data);

    /// Returns the complete response and prepares for the next one.
    response take();
    /// Forgets everything, including an error.
    void reset();

    /// Bytes of the current literal still expected.
    std::size_t literal_remaining() const noexcept { return literal_left_; }
    const parser_limits& limits() const noexcept { return limits_; }

private:
    enum class mode { line, literal, done, failed };
    status parse_segment();
    status parse_header(std::string_view s, std::size_t& p);
    status parse_tokens(std::string_view s, std::size_t p);
    void parse_resp_text(std::string_view t);
    bool add_token(token t);
    std::vector<token>& target();
    status fail(std::error_code ec);

    parser_limits limits_;
    mode mode_ = mode::line;
    std::string line_;
    std::size_t literal_left_ = 0;
    std::size_t literal_size_ = 0;
    std::size_t total_ = 0;
    std::size_t tokens_ = 0;
    bool header_done_ = false;
    bool need_separator_ = false;
    response current_;
    std::vector<token> open_;   // lists being built, innermost last
    std::error_code error_;
};

} // namespace pigeon::imap
