#pragma once
// Error codes of the shared socket layer: one category for transport and
// framing (net), one for TLS (tls). Exceptions derive from std::system_error.
#include <string>
#include <system_error>

namespace pigeon::net {

enum class errc {
    ok = 0,
    resolve_failed = 1,     ///< getaddrinfo found no address
    connect_failed,         ///< every address refused or was unreachable
    connect_timeout,        ///< no address answered within connect_timeout
    timeout,                ///< an operation missed its deadline, or a transfer made no progress
    connection_closed,      ///< the peer closed the connection
    io_error,               ///< read/write failed at the OS level
    line_too_long,          ///< a line exceeded the caller's maximum
    nul_in_line,            ///< a received line contained a NUL byte
    invalid_argument,       ///< CR, LF or NUL in a command or argument
    data_after_starttls,    ///< the server sent bytes after its STARTTLS go-ahead
    tls_already_active,     ///< STARTTLS on a connection that is already TLS
    tls_unsupported,        ///< the stream cannot carry TLS (in-memory stream)
    bad_url,                ///< an endpoint URL could not be parsed
    protocol_error,         ///< the peer broke the framing rules
    cancelled,              ///< channel::cancel() stopped the operation
    nul_in_data,            ///< message data to send contains a NUL byte (nul_policy::refuse)
    proxy_refused,          ///< the proxy refused the tunnel (rule set, general failure, HTTP 403...)
    proxy_auth_failed,      ///< the proxy wants credentials, or refused the ones given
    proxy_unreachable,      ///< the proxy could not reach the server (SOCKS5 replies 3-6, HTTP 500, 502-504)
    proxy_bad_reply,        ///< the proxy's answer breaks its protocol (or it speaks another one)
};

enum class tls_errc {
    ok = 0,
    handshake_failed = 1,   ///< generic handshake failure (see the message)
    untrusted_issuer,       ///< chain does not lead to a trusted CA
    self_signed,            ///< self-signed certificate not trusted
    expired,                ///< certificate (or one in its chain) expired
    not_yet_valid,          ///< certificate not valid yet
    hostname_mismatch,      ///< no subjectAltName (or CN) matches the host
    pin_mismatch,           ///< SHA-256 fingerprint differs from the pin
    protocol_version,       ///< no common protocol version (TLS >= 1.2 needed)
    bad_certificate,        ///< certificate unusable (revoked, bad signature...)
    config_error,           ///< CA file, client certificate or key unusable
    connection_lost,        ///< the connection ended during the handshake (a network failure: try again)
};

const std::error_category& net_category() noexcept;
const std::error_category& tls_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), net_category()}; }
inline std::error_code make_error_code(tls_errc e) noexcept { return {static_cast<int>(e), tls_category()}; }

/// A failure of the connection itself: it is unusable afterwards.
class transport_error : public std::system_error {
public:
    using std::system_error::system_error;
};

/// A TLS failure: handshake or certificate check. detail() says which check
/// failed in words (e.g. OpenSSL's verify message).
class tls_error : public transport_error {
public:
    tls_error(std::error_code ec, const std::string& what)
        : transport_error(ec, what), what_(what.empty() ? ec.message() : what) {}
    /// The detail alone ("certificate verification failed: certificate has
    /// expired (subject CN=...)"), without the code's generic message.
    const char* what() const noexcept override { return what_.c_str(); }

private:
    std::string what_;
};

/// Throws tls_error for the tls category, transport_error otherwise.
[[noreturn]] void throw_error(std::error_code ec, const std::string& context = {});

} // namespace pigeon::net

namespace std {
template <> struct is_error_code_enum<pigeon::net::errc> : true_type {};
template <> struct is_error_code_enum<pigeon::net::tls_errc> : true_type {};
} // namespace std
