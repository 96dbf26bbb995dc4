#pragma once
// The SMTP envelope of one message: reverse path, recipients and the ESMTP
// parameters (SIZE, BODY, SMTPUTF8, DSN's RET/ENVID/NOTIFY/ORCPT).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::smtp {

/// DSN NOTIFY (RFC 3461 4.1): a set of conditions, or never.
enum class notify : unsigned {
    none = 0,      ///< no NOTIFY parameter (the server's default)
    never = 1,     ///< NOTIFY=NEVER; cannot be combined with the others
    success = 2,
    failure = 4,
    delay = 8,
};
constexpr notify operator|(notify a, notify b) noexcept {
    return static_cast<notify>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr notify operator&(notify a, notify b) noexcept {
    return static_cast<notify>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}

/// DSN RET (RFC 3461 4.3).
enum class dsn_ret {
    unspecified,  ///< no RET parameter
    full,         ///< RET=FULL: return the whole message
    headers,      ///< RET=HDRS: return the headers only
};

/// The BODY parameter (RFC 6152, RFC 3030).
enum class body_type {
    unspecified,  ///< BODY=8BITMIME when needs_8bitmime or needs_smtputf8 (and
                  ///< offered), no BODY parameter otherwise
    seven_bit,    ///< BODY=7BIT (when the server offers 8BITMIME)
    eight_bit,    ///< BODY=8BITMIME; 8BITMIME required
    binary,       ///< BODY=BINARYMIME: sent by BDAT as is, line ends untouched;
                  ///< CHUNKING and BINARYMIME required
};

struct recipient {
    /// The forward path without angle brackets: "bob@example.org",
    /// "\"odd name\"@example.org", or "postmaster".
    std::string address;
    /// DSN NOTIFY conditions; none: no parameter.
    notify notify_on = notify::none;
    /// DSN ORCPT: the original recipient address (no parameter when empty).
    /// Sent as "rfc822;" + xtext; a non-ASCII address is sent with the
    /// "utf-8" address type of RFC 6533.
    std::string orcpt;
};

struct envelope {
    /// The reverse path without angle brackets; empty for the null path "<>"
    /// (bounces).
    std::string from;
    std::vector<recipient> recipients;

    /// DSN RET and ENVID (no parameter when unspecified / empty). ENVID is
    /// printable ASCII, xtext-encoded on the wire, at most 100 characters.
    dsn_ret ret = dsn_ret::unspecified;
    std::string envid;

    /// The message size in octets (with CRLF line ends) when known: sent as
    /// SIZE=n, and a message over the server's SIZE limit is refused before
    /// anything is sent.
    std::optional<std::uint64_t> size_hint;
    /// The message has 8-bit bytes: BODY=8BITMIME (an error when the server
    /// lacks 8BITMIME).
    bool needs_8bitmime = false;
    /// The message has UTF-8 header fields or addresses (RFC 6532): the
    /// SMTPUTF8 parameter (an error when the server lacks it). Set
    /// automatically when an address is not ASCII.
    bool needs_smtputf8 = false;
    body_type body = body_type::unspecified;
};

} // namespace pigeon::smtp

#include <string_view>
#include <system_error>

namespace pigeon::smtp {

/// Parses a NOTIFY value as written on the wire or on a command line:
/// "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (any case, no
/// duplicates). Returns errc::invalid_parameter for anything else, and for
/// NEVER combined with another value.
std::error_code parse_notify(std::string_view text, notify& out);

/// The wire form: "NEVER", "SUCCESS,FAILURE,DELAY" (in that order); empty
/// for notify::none. Does not validate (see check_notify).
std::string to_string(notify n);

/// ok for none, never alone, or any non-empty set of success/failure/delay;
/// errc::invalid_parameter otherwise (never mixed in, unknown bits).
std::error_code check_notify(notify n) noexcept;

} // namespace pigeon::smtp
