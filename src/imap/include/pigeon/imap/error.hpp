#pragma once
// IMAP error codes (category "pigeon.imap") and the exceptions the client
// throws. All derive from std::system_error:
//   protocol_error (a net::transport_error): the connection is dead, closed;
//   command_error: the server answered NO or BAD, the tagged response is
//                  attached, the connection stays usable (except for a BYE
//                  greeting);
//   auth_error (a command_error): authentication did not succeed.
// Transport and TLS failures arrive as net::transport_error / net::tls_error.
#include <string>
#include <system_error>

#include "pigeon/imap/response.hpp"
#include "pigeon/net/error.hpp"

namespace pigeon::imap {

enum class errc {
    ok = 0,
    // response parser
    bad_syntax = 1,          ///< a response that breaks the RFC 9051 grammar
    line_too_long,           ///< a response line over parser_limits::max_line
    literal_too_large,       ///< a literal over parser_limits::max_literal
    too_deep,                ///< lists nested deeper than parser_limits::max_depth
    too_many_tokens,         ///< more tokens than parser_limits::max_tokens
    response_too_large,      ///< a response over parser_limits::max_response
    // client
    bad_greeting,            ///< the greeting is no * OK / * PREAUTH / * BYE
    greeting_refused,        ///< the greeting was * BYE
    preauth_without_tls,     ///< * PREAUTH on a clear connection that must use TLS
    starttls_not_offered,    ///< TLS required, but STARTTLS is not a capability
    starttls_refused,        ///< TLS required, and STARTTLS was not answered OK
    capability_failed,       ///< CAPABILITY was not answered OK where it had to be
    unknown_tag,             ///< a tagged response for a tag never sent or done
    early_completion,        ///< a tagged OK for a command not fully sent yet
    unexpected_continuation, ///< "+ " when no literal or AUTHENTICATE waits
    server_bye,              ///< the server said BYE and closed the connection
    command_failed,          ///< tagged NO or BAD
    auth_failed,             ///< the server refused the credentials
    no_mechanism,            ///< nothing offered that may be used
    cleartext_refused,       ///< a password would cross a connection without TLS
    login_disabled,          ///< LOGIN refused: the server announced LOGINDISABLED
    invalid_argument,        ///< CR, LF or NUL where the grammar forbids it
    invalid_state,           ///< the command is not allowed in the session's state
};

const std::error_category& imap_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), imap_category()}; }

/// The connection broke a protocol rule or a security requirement; it has
/// been closed.
class protocol_error : public net::transport_error {
public:
    protocol_error(std::error_code ec, const std::string& what) : net::transport_error(ec, what) {}
    protocol_error(errc e, const std::string& what) : net::transport_error(make_error_code(e), what) {}
};

/// The server answered NO or BAD (or BYE at the greeting).
class command_error : public std::system_error {
public:
    command_error(std::error_code ec, response r, const std::string& what)
        : std::system_error(ec, what), response_(std::move(r)) {}
    /// The tagged (or BYE) response; empty for a refusal made locally.
    const response& server_response() const noexcept { return response_; }
    /// The server marked the failure as temporary: [UNAVAILABLE], [INUSE],
    /// [LIMIT], [SERVERBUG]... (RFC 5530), or BYE without [ALERT].
    bool transient() const noexcept;

private:
    response response_;
};

/// Authentication failed: refused by the server (auth_failed), nothing usable
/// offered (no_mechanism, cleartext_refused, login_disabled), or the SASL
/// exchange itself failed (sasl_error() says why).
class auth_error : public command_error {
public:
    auth_error(std::error_code ec, response r, const std::string& what, std::error_code sasl = {})
        : command_error(ec, std::move(r), what), sasl_(sasl) {}
    std::error_code sasl_error() const noexcept { return sasl_; }

private:
    std::error_code sasl_;
};

} // namespace pigeon::imap

namespace std {
template <> struct is_error_code_enum<pigeon::imap::errc> : true_type {};
}
