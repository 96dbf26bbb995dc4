#pragma once
// POP3 error codes (category "pigeon.pop3") and the exceptions the client
// throws. All derive from std::system_error:
//   protocol_error (a net::transport_error): the connection is dead, closed;
//   command_error: the server said no, the reply is attached, the connection
//                  stays usable (except for a refused greeting);
//   auth_error (a command_error): authentication did not succeed.
// Transport and TLS failures arrive as net::transport_error / net::tls_error.
#include <string>
#include <system_error>

#include "pigeon/net/error.hpp"
#include "pigeon/pop3/reply.hpp"

namespace pigeon::pop3 {

enum class errc {
    ok = 0,
    bad_greeting = 1,       ///< the first line was not a POP3 status line
    greeting_refused,       ///< the greeting was -ERR
    malformed_reply,        ///< a line that is no +OK / -ERR where one was due
    starttls_not_offered,   ///< TLS required, but CAPA lists no STLS (or failed)
    starttls_refused,       ///< TLS required, and STLS was not answered +OK
    command_failed,         ///< the server answered -ERR
    auth_failed,            ///< the server refused the credentials
    no_mechanism,           ///< nothing offered that may be used
    cleartext_refused,      ///< a password would cross a connection without TLS
    invalid_argument,       ///< CR, LF or NUL in an argument (or SP in a single token)
    invalid_state,          ///< the command is not allowed in the session's state
    response_too_large,     ///< a multi-line response exceeded its limit
};

const std::error_category& pop3_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), pop3_category()}; }

/// The connection broke a protocol rule or a security requirement; it has
/// been closed.
class protocol_error : public net::transport_error {
public:
    protocol_error(errc e, const std::string& what) : net::transport_error(make_error_code(e), what) {}
};

/// The server refused a command; server_reply() says how.
class command_error : public std::system_error {
public:
    command_error(std::error_code ec, reply r, const std::string& what)
        : std::system_error(ec, what), reply_(std::move(r)) {}
    const reply& server_reply() const noexcept { return reply_; }
    /// The server marked the failure as temporary (IN-USE, LOGIN-DELAY, SYS/TEMP).
    bool transient() const noexcept { return reply_.transient(); }

private:
    reply reply_;
};

/// Authentication failed: refused by the server (code auth_failed), nothing
/// usable offered (no_mechanism, cleartext_refused), or the SASL exchange
/// itself failed (sasl_error() says why, e.g. a wrong SCRAM server signature).
class auth_error : public command_error {
public:
    auth_error(std::error_code ec, reply r, const std::string& what, std::error_code sasl = {})
        : command_error(ec, std::move(r), what), sasl_(sasl) {}
    std::error_code sasl_error() const noexcept { return sasl_; }

private:
    std::error_code sasl_;
};

} // namespace pigeon::pop3

namespace std {
template <> struct is_error_code_enum<pigeon::pop3::errc> : true_type {};
}
