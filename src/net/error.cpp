#include "pigeon/net/error.hpp"

#include <string>

namespace pigeon::net {
namespace {

class net_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.net"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::resolve_failed: return "host name could not be resolved";
        case errc::connect_failed: return "connection refused or unreachable";
        case errc::connect_timeout: return "connection timed out";
        case errc::timeout: return "operation timed out";
        case errc::connection_closed: return "connection closed by the server";
        case errc::io_error: return "input/output error on the connection";
        case errc::line_too_long: return "line from the server is too long";
        case errc::nul_in_line: return "line from the server contains a NUL byte";
        case errc::invalid_argument: return "CR, LF or NUL in a command argument";
        case errc::data_after_starttls:
            return "server sent data after its STARTTLS go-ahead (possible response injection)";
        case errc::tls_already_active: return "TLS is already active on this connection";
        case errc::tls_unsupported: return "this stream cannot carry TLS";
        case errc::bad_url: return "malformed server URL";
        case errc::protocol_error: return "protocol error";
        case errc::cancelled: return "operation cancelled";
        case errc::nul_in_data: return "the message contains a NUL byte, which must not be sent";
        case errc::proxy_refused: return "the proxy refused the connection";
        case errc::proxy_auth_failed: return "the proxy refused the credentials, or wants some";
        case errc::proxy_unreachable: return "the proxy could not reach the server";
        case errc::proxy_bad_reply: return "the proxy's answer is not valid";
        }
        return "unknown net error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
        case errc::timeout:
        case errc::connect_timeout: return std::errc::timed_out;
        case errc::connect_failed: return std::errc::connection_refused;
        case errc::proxy_auth_failed: return std::errc::permission_denied;
        case errc::connection_closed: return std::errc::connection_reset;
        case errc::invalid_argument: return std::errc::invalid_argument;
        case errc::cancelled: return std::errc::operation_canceled;
        default: return {ev, *this};
        }
    }
};

class tls_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.tls"; }
    std::string message(int ev) const override {
        switch (static_cast<tls_errc>(ev)) {
        case tls_errc::ok: return "success";
        case tls_errc::handshake_failed: return "TLS handshake failed";
        case tls_errc::connection_lost: return "connection closed during the TLS handshake";
        case tls_errc::untrusted_issuer: return "certificate issuer is not trusted";
        case tls_errc::self_signed: return "certificate is self-signed and not trusted";
        case tls_errc::expired: return "certificate has expired";
        case tls_errc::not_yet_valid: return "certificate is not yet valid";
        case tls_errc::hostname_mismatch: return "certificate does not match the host name";
        case tls_errc::pin_mismatch: return "certificate does not match the pinned SHA-256 fingerprint";
        case tls_errc::protocol_version: return "no acceptable TLS protocol version (TLS 1.2 or later required)";
        case tls_errc::bad_certificate: return "certificate rejected";
        case tls_errc::config_error: return "TLS configuration error";
        }
        return "unknown TLS error";
    }
};

} // namespace

const std::error_category& net_category() noexcept {
    static const net_category_impl c;
    return c;
}

const std::error_category& tls_category() noexcept {
    static const tls_category_impl c;
    return c;
}

void throw_error(std::error_code ec, const std::string& context) {
    if (ec.category() == tls_category()) throw tls_error(ec, context);
    throw transport_error(ec, context);
}

} // namespace pigeon::net
