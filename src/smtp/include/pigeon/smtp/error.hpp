#pragma once
// Errors of the SMTP module: one error category (smtp::errc) and the
// exceptions the client throws.
//
//   std::system_error
//    ├─ net::transport_error        connection dead (from net: timeouts, EOF,
//    │   │                          TLS failures, STARTTLS response injection)
//    │   └─ smtp::protocol_error    connection dead because of what the server
//    │                              said or did: bad reply syntax, 421, greeting
//    │                              or EHLO refused, STARTTLS missing or refused
//    ├─ smtp::command_error         the server refused a command; the
//    │   │                          connection stays usable (reply attached)
//    │   ├─ smtp::send_error        a message went to nobody; per-recipient
//    │   │                          results attached
//    │   └─ smtp::auth_error        authentication failed
//    └─ smtp::request_error         refused locally, nothing sent: invalid
//                                   address, message over SIZE, extension the
//                                   message needs not offered, wrong state
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/net/error.hpp"
#include "pigeon/smtp/reply.hpp"
#include "pigeon/smtp/result.hpp"

namespace pigeon::smtp {

enum class errc {
    ok = 0,
    // reply codec
    bad_reply = 1,         ///< a reply line is not "ddd[-| ]text" with a valid code
    inconsistent_reply,    ///< the lines of a multi-line reply carry different codes
    reply_too_long,        ///< more lines than reply_limits::max_lines
    reply_line_too_long,   ///< a line longer than reply_limits::max_line_length
    nul_in_reply,          ///< NUL (or CR) inside a reply line
    // local refusals (request_error)
    invalid_argument,      ///< CR, LF, NUL or another forbidden byte in a command
    invalid_address,       ///< an envelope address that is not a valid path
    invalid_parameter,     ///< an ESMTP parameter value that cannot be sent
    no_recipients,         ///< an envelope without recipients
    message_too_big,       ///< the size hint exceeds the server's SIZE limit
    need_8bitmime,         ///< the message needs 8BITMIME; not offered
    need_smtputf8,         ///< the message needs SMTPUTF8; not offered
    need_dsn,              ///< DSN parameters asked for; DSN not offered
    need_binarymime,       ///< BODY=BINARYMIME asked for; BINARYMIME/CHUNKING not offered
    invalid_state,         ///< not connected, or a call that is illegal now
    // the server (protocol_error)
    unexpected_reply,      ///< a reply the protocol does not allow here
    service_unavailable,   ///< 421 (or a refusing greeting): the server is closing
    starttls_unavailable,  ///< TLS required; STARTTLS not offered
    starttls_refused,      ///< STARTTLS answered with something else than 220
    hello_refused,         ///< EHLO and HELO (or LHLO) refused
    // the server refused (command_error)
    command_refused,       ///< a command other than the ones below was refused
    sender_refused,        ///< MAIL FROM refused
    recipients_refused,    ///< every RCPT TO refused
    data_refused,          ///< DATA, a BDAT chunk or the message refused
    // authentication (auth_error)
    auth_unavailable,      ///< no AUTH offered, or no offered mechanism usable
    auth_failed,           ///< credentials refused or the exchange failed
};

const std::error_category& smtp_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), smtp_category()}; }

/// The connection is dead because of the server's behaviour. Derives from
/// net::transport_error so one handler covers every dead connection.
class protocol_error : public net::transport_error {
public:
    protocol_error(std::error_code ec, const std::string& what, reply r = {});
    /// The reply that caused it, if any (code 0 otherwise).
    const reply& server_reply() const noexcept { return reply_; }
    /// True for a 4yz reply (421: try again later).
    bool is_transient() const noexcept { return reply_.transient(); }

private:
    reply reply_;
};

/// The server refused a command; the connection stays usable.
class command_error : public std::system_error {
public:
    command_error(std::error_code ec, const std::string& what, reply r);
    const reply& server_reply() const noexcept { return reply_; }
    /// 4yz: the same command may succeed later.
    bool is_transient() const noexcept { return reply_.transient(); }
    /// 5yz: it will not.
    bool is_permanent() const noexcept { return reply_.permanent(); }

private:
    reply reply_;
};

/// A message went to nobody: MAIL FROM refused, every recipient refused, or
/// the data refused. results() holds an entry per recipient with its reply.
/// server_reply() is the deciding reply; with several refused recipients it is
/// a permanent one if any (so is_transient() means "every refusal was 4yz").
class send_error : public command_error {
public:
    send_error(std::error_code ec, const std::string& what, reply r,
               std::vector<recipient_result> results);
    const std::vector<recipient_result>& results() const noexcept { return results_; }

private:
    std::vector<recipient_result> results_;
};

/// Authentication failed. code() is errc::auth_unavailable or auth_failed;
/// sasl_code() says why in SASL terms (sasl::errc, e.g. rejected,
/// bad_server_signature, no_mechanism); server_reply() is the server's last
/// reply (535, 454...) or empty. Never contains credentials.
class auth_error : public command_error {
public:
    auth_error(std::error_code ec, const std::string& what, reply r, std::error_code sasl_ec,
               std::string mechanism);
    std::error_code sasl_code() const noexcept { return sasl_; }
    /// The mechanism last tried ("SCRAM-SHA-256"), empty if none was.
    const std::string& mechanism() const noexcept { return mechanism_; }

private:
    std::error_code sasl_;
    std::string mechanism_;
};

/// Refused by the library before anything was sent; the connection (if any)
/// is unchanged.
class request_error : public std::system_error {
public:
    using std::system_error::system_error;
};

} // namespace pigeon::smtp

namespace std {
template <> struct is_error_code_enum<pigeon::smtp::errc> : true_type {};
} // namespace std
