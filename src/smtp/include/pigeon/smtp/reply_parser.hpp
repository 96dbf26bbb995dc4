#pragma once
// Sans-I/O parser of SMTP/LMTP replies. Feed it lines (from a channel that
// already split them) or raw bytes in any split; it says need_more, ready or
// error. Never throws on bad input and never holds more than its limits.
//
//   reply_parser p;
//   for (;;) {
//       auto st = p.feed_line(ch.read_line());
//       if (st == reply_parser::status::ready) return p.take();
//       if (st == reply_parser::status::error) fail(p.error());
//   }
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/smtp/reply.hpp"

namespace pigeon::smtp {

struct reply_limits {
    /// Longest reply line accepted, in bytes without its line end. RFC 5321
    /// allows 512 with CRLF; real servers sometimes exceed it.
    std::size_t max_line_length = 4096;
    /// Most lines in one multi-line reply (an EHLO reply has one per
    /// extension). Guards against endless "250-" continuations.
    std::size_t max_lines = 256;
};

class reply_parser {
public:
    enum class status {
        need_more,  ///< the reply continues: feed more
        ready,      ///< a complete reply: value() / take()
        error,      ///< malformed or over a limit: error(); reset() to reuse
    };

    explicit reply_parser(reply_limits limits = {}) : limits_(limits) {}

    /// Parse "x.y.z" enhanced status codes (after EHLO announced
    /// ENHANCEDSTATUSCODES). Off by default.
    void set_enhanced_status_codes(bool on) noexcept { enhanced_ = on; }
    bool enhanced_status_codes() const noexcept { return enhanced_; }

    /// Feeds one line without its line end. Lines are checked for: a code
    /// 2yz..5yz with y in 0..5, the separator ('-' for more lines, ' ' or
    /// nothing for the last), the same code on every line, no NUL/CR/LF, the
    /// line length and line count limits. Feeding after ready starts the
    /// next reply; after error nothing is accepted until reset().
    status feed_line(std::string_view line);

    /// Feeds raw bytes in any split. Lines end with LF (a CR before it is
    /// dropped). Consumes bytes up to the end of the reply and no further:
    /// consumed says how many bytes of data were used; the rest belongs to the
    /// next reply. A partial line is kept (bounded by max_line_length).
    status feed(std::string_view data, std::size_t& consumed);

    status state() const noexcept { return state_; }
    /// The reply once ready (or as far as parsed).
    const reply& value() const noexcept { return reply_; }
    /// Moves the reply out and gets ready for the next one.
    reply take();
    /// Why the parser is in the error state (smtp::errc).
    std::error_code error() const noexcept { return error_; }
    /// Forgets everything (the partial line, the reply, an error).
    void reset() noexcept;

private:
    status fail(std::error_code ec);

    reply_limits limits_;
    bool enhanced_ = false;
    status state_ = status::need_more;
    reply reply_;
    std::error_code error_;
    std::string partial_;  // bytes of an incomplete line (feed())
};

} // namespace pigeon::smtp
