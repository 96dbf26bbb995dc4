#pragma once
// NNTP status lines (RFC 3977 section 3.2): three digits, then a space and
// text (or nothing). Sans-I/O: parsing never throws.
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::nntp {

struct reply {
    int code = 0;        ///< 100..599
    std::string text;    ///< what follows the code and its space
    std::string line;    ///< the whole line as received, without its line end

    /// 1xx (informative), 2xx (done), 3xx (continue): the command went on.
    bool positive() const noexcept { return code >= 100 && code < 400; }
    /// The server says trying again later may work: 400 (service
    /// temporarily unavailable), 403 (internal fault), 431 and 436 (try again
    /// later). Unlike SMTP, most NNTP 4xx replies are not temporary (411 no
    /// such group, 481 authentication failed, 483 encryption required).
    bool transient() const noexcept { return code == 400 || code == 403 || code == 431 || code == 436; }
};

/// Parses a status line: three digits, the first 1..5, then the end of the
/// line or a space. nullopt otherwise.
std::optional<reply> parse_reply(std::string_view line);

} // namespace pigeon::nntp
