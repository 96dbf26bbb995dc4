#pragma once
// The incremental IMAP response parser (sans-I/O, after Dovecot's
// imap-parser and Beast's basic_parser): feed it bytes in pieces of any size,
// down to one at a time; it answers need_more, ready, need_literal(n) or
// error, and never throws on bad input. Every resource is bounded by
// parser_limits.
//
// Literals, and how a driver streams them
// ---------------------------------------
// A literal "{n}" CRLF (or literal8 "~{n}") inside a response makes feed()
// stop just after that line and report need_literal; result.literal_size is
// n (64 bits) and literal() says what the literal is for: the response
// ("FETCH"), the message number, and for the value of a FETCH item its name
// with section and origin as sent ("BODY[1.2]<0>", "BINARY[1]", "RFC822"),
// plus the UID when the server sent it earlier in the same FETCH. The driver
// then does one of two things with the next n octets of the stream:
//
//   1. keeps them in the response: it feeds them to feed() like any other
//      bytes (in pieces of any size; feed() stops at the literal's end only
//      if the response goes on). The token holds the octets.
//      Allowed up to parser_limits::max_literal, and for message content
//      (literal_info::message_content) up to max_body_literal; a larger
//      content literal is reported with must_stream set and feeding any of
//      its octets fails with errc::literal_too_large. Other literals over
//      max_literal fail at once, before need_literal.
//   2. streams them: it calls literal_streamed() (before feeding any of
//      them), then passes the n octets to its own sink (e.g. with
//      net::channel::read_exact, or from bytes it already holds) and feeds
//      the parser what follows them. The token is a literal with empty text,
//      size n and streamed set. Any literal may be streamed; streamed octets
//      do not count towards max_response.
//
//   for (;;) {
//       auto r = parser.feed(buffered);
//       ...
//       if (r.state == status::need_literal) {
//           const literal_info& li = parser.literal();
//           if (li.message_content && want_to_stream(li)) {
//               parser.literal_streamed();
//               read_exact(r.literal_size, sink);   // the octets go to the sink
//           }                                       // else: feed them on
//       }
//   }
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

struct parser_limits {
    /// Longest line segment (between literals) of a response.
    std::size_t max_line = 1024 * 1024;
    /// Largest literal held in memory that is not message content (strings
    /// in ENVELOPE or BODYSTRUCTURE, mailbox names, ...).
    std::size_t max_literal = 1024 * 1024;
    /// Largest message content literal (a FETCH BODY[...], BINARY[...],
    /// RFC822...) held in memory when the driver does not stream it.
    std::size_t max_body_literal = 64 * 1024 * 1024;
    /// Largest response, all segments and literals together.
    std::size_t max_response = 128 * 1024 * 1024;
    /// Deepest list nesting (BODYSTRUCTURE needs a few levels per MIME level).
    std::size_t max_depth = 100;
    /// Most tokens (atoms, strings, lists) in one response.
    std::size_t max_tokens = 1000000;
};

/// What a literal is for (response_parser::literal(), valid after
/// need_literal until the next feed() that finishes the response).
struct literal_info {
    std::uint64_t size = 0;                  ///< octets that follow (at most 2^63 - 1)
    bool binary = false;                     ///< literal8 "~{n}": may hold NUL (RFC 3516)
    response_kind kind = response_kind::untagged;
    std::string response_name;               ///< upper case: "FETCH", "LIST", ...
    std::optional<std::uint32_t> number;     ///< "* 12 FETCH": 12, the message sequence number
    /// Lists open around the literal: 0 at the top level of the data, 1 for
    /// the value of an item in "* n FETCH (...)", more inside ENVELOPE etc.
    std::size_t depth = 0;
    /// The FETCH item whose value the literal is, as sent, with section and
    /// origin: "BODY[]", "BODY[1.2]<0>", "BINARY[1]", "RFC822.HEADER".
    /// Empty unless the literal is a value at depth 1 of an untagged FETCH.
    std::string fetch_item;
    /// UID of the message if "UID n" came earlier in the same FETCH.
    std::optional<std::uint32_t> uid;
    /// fetch_item is message content: BODY[...], BINARY[...], RFC822,
    /// RFC822.HEADER or RFC822.TEXT (the literals a client streams).
    bool message_content = false;
    /// Over the in-memory limit: the driver must stream it (feeding its
    /// octets fails with errc::literal_too_large).
    bool must_stream = false;
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
        std::uint64_t literal_size = 0;  ///< for need_literal (literal().size)
        std::error_code error;         ///< for error (imap::errc)
    };

    explicit response_parser(parser_limits limits = {});
    // open_ points into current_: a copy would point into the original.
    // A move keeps the heap buffers it points to.
    response_parser(const response_parser&) = delete;
    response_parser& operator=(const response_parser&) = delete;
    response_parser(response_parser&&) = default;
    response_parser& operator=(response_parser&&) = default;

    /// Consumes bytes up to the end of a response (ready), the line end after
    /// a literal's "{n}" (need_literal), or the end of data (need_more).
    /// Bytes after a ready response are not consumed: feed them again after
    /// take(). After ready, feed() consumes nothing until take() or reset().
    result feed(std::string_view data);

    /// Returns the complete response and prepares for the next one.
    response take();
    /// Gives back a response taken earlier that the caller is done with
    /// (its strings may have been moved out): the storage of its lists is
    /// kept, cleared, for the lists of the responses that follow, instead
    /// of being freed and allocated again for every FETCH. At most
    /// spare_lists_max lists of at most spare_list_capacity tokens each are
    /// kept; the rest is freed.
    void recycle(response&& r) noexcept;
    static constexpr std::size_t spare_lists_max = 64;
    static constexpr std::size_t spare_list_capacity = 32;
    /// Lists' storage kept for reuse now (at most spare_lists_max).
    std::size_t spare_lists() const noexcept { return spare_lists_.size(); }
    /// Forgets everything, including an error.
    void reset();

    /// What the literal just announced by need_literal is for.
    const literal_info& literal() const noexcept { return literal_; }
    /// The driver takes the octets of the literal just announced (need_literal)
    /// itself: the parser records a streamed literal token of that size and
    /// expects what follows the octets next. Call it before feeding any of
    /// them; otherwise it fails with errc::invalid_state and changes nothing.
    std::error_code literal_streamed();

    /// Bytes of the current literal still expected (0 once streamed).
    std::uint64_t literal_remaining() const noexcept { return literal_left_; }
    const parser_limits& limits() const noexcept { return limits_; }

private:
    enum class mode { line, literal, done, failed };
    status parse_segment();
    status parse_header(std::string_view s, std::size_t& p);
    status parse_tokens(std::string_view s, std::size_t p);
    void parse_resp_text(std::string_view t);
    token* new_token(token_kind kind);  // nullptr past max_tokens
    void recycle_items(std::vector<token>& items) noexcept;
    void note_number(const token& t);
    std::vector<token>& target();
    status fail(std::error_code ec);
    void describe_literal(std::uint64_t n, bool binary);
    bool in_fetch_items() const noexcept;

    parser_limits limits_;
    mode mode_ = mode::line;
    std::string line_;
    std::uint64_t literal_left_ = 0;
    std::uint64_t literal_size_ = 0;
    bool literal_fresh_ = false;                 // need_literal reported, no octet fed yet
    std::optional<std::uint32_t> fetch_uid_;     // "UID n" seen at depth 1 of a FETCH
    literal_info literal_;
    std::size_t total_ = 0;
    std::size_t tokens_ = 0;
    bool header_done_ = false;
    bool need_separator_ = false;
    bool list_closed_ = false;   // the last thing read was a ")"
    response current_;
    std::vector<std::vector<token>*> open_;   // items of the lists being built (each in its parent), innermost last
    std::vector<std::vector<token>> spare_lists_;  // empty, with capacity (recycle())
    std::error_code error_;
};

} // namespace pigeon::imap
