#pragma once
// The OpenSSL client handshake with pigeon's checks: chain verification
// against the system store (and/or a CA file), host name by RFC 6125/7817
// rules (our own matcher), SHA-256 pinning, TLS >= 1.2, SNI.
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <openssl/ssl.h>

#include "pigeon/net/tls_options.hpp"
#include "wait.hpp"

namespace pigeon::net::detail {

struct ssl_deleter {
    void operator()(SSL* s) const noexcept { SSL_free(s); }
};
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;

struct handshake_result {
    ssl_ptr ssl;
    tls_info info;
    std::error_code ec;
    std::string detail; ///< why it failed, in words
};

/// Runs the TLS client handshake on a connected non-blocking socket.
handshake_result client_handshake(int fd, const std::string& server_name, const tls_options& opts,
                                  clock::time_point deadline);

/// Parses a pin ("sha256:" prefix optional; 64 hex digits with or without
/// colons, or 44 base64 characters) into 32 bytes; false if malformed.
bool parse_pin(const std::string& pin, std::vector<unsigned char>& out);

/// Host name / IP check of a certificate against name (used by the verify
/// callback; exposed for tests).
bool certificate_matches(X509* cert, const std::string& name);

} // namespace pigeon::net::detail
