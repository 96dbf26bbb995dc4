#pragma once
// pigeon's TLS options on libcurl's OpenSSL backend: certificate pins (SHA-256
// of the whole certificate, which CURLOPT_PINNEDPUBLICKEY cannot express),
// an extra CA file on top of the system store, and a record of the first
// verification error so that failures map to net::tls_errc precisely.
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/net/tls_options.hpp"

namespace pigeon::ftp::detail {

struct tls_check {
    std::vector<std::vector<unsigned char>> pins;  ///< parsed tls_options::pins
    std::string extra_ca_file;                     ///< added to the store libcurl set up
    // what the last handshake found
    bool pin_failed = false;
    int verify_error = 0;       ///< X509_V_ERR_*, 0 when the chain was fine
    std::string verify_subject; ///< of the certificate that failed
    int last_version = 0;       ///< protocol version of the last completed handshake (TLS1_3_VERSION...)

    void reset_result() {
        pin_failed = false;
        verify_error = 0;
        verify_subject.clear();
    }
    /// The tls_errc for a failed verification (verify_error, or a host name
    /// mismatch found by libcurl after the handshake when the chain was fine).
    std::error_code classify() const;
    /// "certificate verification failed: ..." in words.
    std::string describe() const;
};

/// Parses opts.pins into check.pins; false (with the bad pin in bad) if one is malformed.
bool load_pins(const net::tls_options& opts, tls_check& check, std::string& bad);

/// The CURLOPT_SSL_CTX_FUNCTION callback; userptr is the tls_check.
int ssl_ctx_setup(void* curl, void* ssl_ctx, void* userptr);

} // namespace pigeon::ftp::detail
