#pragma once
// POP3 status lines (RFC 1939 section 3): "+OK text" or "-ERR text", with the
// optional response code of RFC 2449 section 8 ("-ERR [IN-USE] text").
// Sans-I/O: parsing never throws.
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::pop3 {

struct reply {
    bool ok = false;     ///< "+OK" (true) or "-ERR" (false)
    std::string code;    ///< RFC 2449 response code without brackets ("SYS/TEMP"), or empty
    std::string text;    ///< the human text after the status and code
    std::string line;    ///< the whole line as received, without its line end

    /// A failure the server says may go away: [IN-USE], [LOGIN-DELAY],
    /// [SYS/TEMP] (RFC 2449, RFC 3206). Never true for +OK.
    bool transient() const noexcept;
    /// True if code equals c or starts with c followed by "/" (ASCII case-insensitive).
    bool has_code(std::string_view c) const noexcept;
};

/// Parses a status line. nullopt when the line is neither "+OK" nor "-ERR"
/// (each followed by a space or the end of the line; status case-insensitive).
std::optional<reply> parse_reply(std::string_view line);

/// What a line means inside an AUTH exchange (RFC 5034): a continuation
/// "+ base64" (or a bare "+"), or a status line.
struct auth_line {
    enum class kind { continuation, ok, err, invalid };
    kind type = kind::invalid;
    std::string payload;             ///< the continuation's base64 text
    std::optional<reply> status;     ///< set for ok / err
};
auth_line parse_auth_line(std::string_view line);

} // namespace pigeon::pop3
