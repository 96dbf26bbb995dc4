#pragma once
// The one error model of every protocol client (SMTP, POP3, IMAP, NNTP): one
// error category ("pigeon.client") with one spelling per condition, and the
// exceptions the clients throw. Each protocol namespace names the same types
// (pop3::errc is core::errc, imap::command_error is core::command_error...).
//
//   std::system_error
//    ├─ net::transport_error        the connection is dead (timeouts, EOF, TLS
//    │   │                          failures, STARTTLS response injection)
//    │   └─ protocol_error          dead because of what the server said or
//    │                              did: malformed reply, greeting refused,
//    │                              STARTTLS missing or refused, BYE, 421
//    ├─ command_error               the server said no; the connection stays
//    │   │                          usable (server_reply() says how)
//    │   └─ auth_error              authentication did not succeed
//    └─ request_error               refused locally before anything was sent:
//                                   bad argument, wrong state, missing extension
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/error.hpp"

namespace pigeon::core {

enum class errc {
    ok = 0,
    // ---- the server broke the protocol or refused service (protocol_error)
    malformed_reply = 1,     ///< a reply that breaks the protocol's grammar
    unexpected_reply,        ///< a well-formed reply the protocol does not allow here
    response_too_large,      ///< a reply or multi-line response over its limit
    bad_greeting,            ///< the first line is no greeting of the protocol
    greeting_refused,        ///< the server refused service at once (SMTP 554, POP3 -ERR, IMAP BYE, NNTP 400/502)
    service_unavailable,     ///< the server is closing the connection (SMTP 421)
    server_bye,              ///< the server said BYE and closed the connection
    starttls_not_offered,    ///< TLS required, but the server does not offer STARTTLS
    starttls_refused,        ///< TLS required, and STARTTLS was not accepted
    preauth_without_tls,     ///< IMAP PREAUTH on a clear connection that must use TLS
    capability_failed,       ///< capabilities could not be read where they had to be
    hello_refused,           ///< SMTP EHLO and HELO (or LHLO) refused
    unknown_tag,             ///< IMAP: a tagged response for a tag not in flight
    early_completion,        ///< IMAP: a tagged OK for a command not fully sent
    unexpected_continuation, ///< IMAP: "+ " when nothing waits for one
    line_too_long,           ///< a reply line over the limit
    literal_too_large,       ///< an IMAP literal over the limit
    too_deep,                ///< IMAP lists nested too deeply
    too_many_tokens,         ///< an IMAP response with too many tokens
    inconsistent_reply,      ///< SMTP: lines of one reply carry different codes
    nul_in_reply,            ///< a NUL (or lone CR) inside a reply line
    // ---- the server said no (command_error)
    command_failed,          ///< the server refused a command
    sender_refused,          ///< SMTP MAIL FROM refused
    recipients_refused,      ///< SMTP: every RCPT TO refused
    data_refused,            ///< SMTP: DATA, a BDAT chunk or the message refused
    // ---- authentication (auth_error)
    auth_failed,             ///< credentials refused or the exchange failed
    no_mechanism,            ///< nothing offered that may be used
    cleartext_refused,       ///< a secret would cross a connection without TLS
    login_disabled,          ///< IMAP LOGINDISABLED
    // ---- refused locally, nothing sent (request_error)
    invalid_argument,        ///< CR, LF, NUL or another forbidden byte in an argument
    invalid_state,           ///< not connected, or not allowed in the session's state
    not_supported,           ///< the server does not offer what the call needs
    invalid_address,         ///< SMTP: an envelope address that is not a valid path
    invalid_parameter,       ///< SMTP: an ESMTP parameter value that cannot be sent
    no_recipients,           ///< SMTP: an envelope without recipients
    message_too_big,         ///< SMTP: over the server's SIZE limit
    need_8bitmime,           ///< SMTP: the message needs 8BITMIME
    need_smtputf8,           ///< SMTP: the message needs SMTPUTF8
    need_dsn,                ///< SMTP: DSN asked for, not offered
    need_binarymime,         ///< SMTP: BINARYMIME asked for, not offered
};

const std::error_category& client_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), client_category()}; }

/// A server's reply as the error model keeps it, the same for every protocol.
struct server_reply {
    enum class kind { none, transient, permanent };
    int code = 0;                    ///< SMTP / NNTP reply code; 0 for POP3, IMAP, or no reply
    std::string status;              ///< "+OK", "-ERR", "OK", "NO", "BAD", "BYE"; empty for SMTP / NNTP
    std::string response_code;       ///< SMTP enhanced status ("5.7.8"), POP3 / IMAP response code ("AUTH", "TRYCREATE")
    std::vector<std::string> lines;  ///< the reply as received, one entry a line (server text: escape before printing)
    kind severity = kind::none;

    bool empty() const noexcept { return code == 0 && status.empty() && lines.empty(); }
    /// The server says trying again later may work (SMTP 4yz, POP3 [IN-USE]...).
    bool transient() const noexcept { return severity == kind::transient; }
    bool permanent() const noexcept { return severity == kind::permanent; }
    /// The lines joined by '\n'.
    std::string text() const;
    /// response_code equals c or starts with c + "/" (ASCII case-insensitive).
    bool has_code(std::string_view c) const noexcept;
};

/// The connection is dead because of the server's behaviour; it is closed.
class protocol_error : public net::transport_error {
public:
    protocol_error(std::error_code ec, const std::string& what, core::server_reply r = {});
    protocol_error(errc e, const std::string& what, core::server_reply r = {})
        : protocol_error(make_error_code(e), what, std::move(r)) {}
    const core::server_reply& server_reply() const noexcept { return reply_; }
    bool is_transient() const noexcept { return reply_.transient(); }

private:
    core::server_reply reply_;
};

/// The server refused a command; the connection stays usable.
class command_error : public std::system_error {
public:
    command_error(std::error_code ec, const std::string& what, core::server_reply r);
    command_error(errc e, const std::string& what, core::server_reply r)
        : command_error(make_error_code(e), what, std::move(r)) {}
    const core::server_reply& server_reply() const noexcept { return reply_; }
    /// The same command may succeed later.
    bool is_transient() const noexcept { return reply_.transient(); }
    /// It will not.
    bool is_permanent() const noexcept { return reply_.permanent(); }

private:
    core::server_reply reply_;
};

/// Authentication failed. code(): auth_failed, no_mechanism, cleartext_refused,
/// login_disabled or invalid_state; sasl_code() says why in SASL terms (e.g. a
/// wrong SCRAM server signature); mechanism() is the one last tried. Never
/// contains credentials.
class auth_error : public command_error {
public:
    auth_error(std::error_code ec, const std::string& what, core::server_reply r = {}, std::error_code sasl_ec = {},
               std::string mechanism = {});
    auth_error(errc e, const std::string& what, core::server_reply r = {}, std::error_code sasl_ec = {},
               std::string mechanism = {})
        : auth_error(make_error_code(e), what, std::move(r), sasl_ec, std::move(mechanism)) {}
    std::error_code sasl_code() const noexcept { return sasl_; }
    const std::string& mechanism() const noexcept { return mechanism_; }

private:
    std::error_code sasl_;
    std::string mechanism_;
};

/// Refused by the library before anything was sent; the connection (if any)
/// is unchanged.
class request_error : public std::system_error {
public:
    request_error(std::error_code ec, const std::string& what);
    request_error(errc e, const std::string& what) : request_error(make_error_code(e), what) {}
};

/// Server text for an exception message: control bytes and backslashes as
/// \xNN, cut after max bytes with "...".
std::string excerpt(std::string_view s, std::size_t max = 300);

/// The names each protocol namespace gives the error model: a protocol header
/// says `using namespace core::error_names;`, so that pop3::errc, imap::
/// command_error, smtp::protocol_error... are these very types.
namespace error_names {
using core::auth_error;
using core::command_error;
using core::errc;
using core::make_error_code;
using core::protocol_error;
using core::request_error;
using core::server_reply;
} // namespace error_names

} // namespace pigeon::core

namespace std {
template <> struct is_error_code_enum<pigeon::core::errc> : true_type {};
} // namespace std
