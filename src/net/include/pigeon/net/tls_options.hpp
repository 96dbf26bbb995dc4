#pragma once
// TLS settings and what a TLS connection reports about itself.
#include <string>
#include <vector>

namespace pigeon::net {

enum class tls_version { tls1_2, tls1_3 };

struct tls_options {
    /// Verify the peer's chain and host name. Off only by explicit choice
    /// (--insecure); never the default.
    bool verify = true;
    /// Extra trusted CA certificates (PEM file). Empty: the system store only.
    std::string ca_file;
    /// Use only ca_file, not the system store, when true.
    bool ca_file_only = false;
    /// Client certificate and key (PEM), both or neither.
    std::string client_cert_file;
    std::string client_key_file;
    /// Accepted SHA-256 fingerprints of the server certificate (hex, colons
    /// optional, or "sha256:" + hex/base64). When not empty, a certificate is
    /// accepted if and only if it matches one: the pin replaces chain and name
    /// checks, as in msmtp's tls_fingerprint.
    std::vector<std::string> pins;
    /// Name for SNI and verification; empty: the host that was connected to.
    std::string server_name;
    tls_version min_version = tls_version::tls1_2;
};

/// The negotiated session and the peer certificate, for `pigeon probe`.
struct tls_info {
    std::string version;            ///< "TLSv1.3"
    std::string cipher;             ///< "TLS_AES_256_GCM_SHA384"
    std::string subject;            ///< RFC 2253 form
    std::string issuer;
    std::string not_before;         ///< ISO 8601, UTC
    std::string not_after;
    std::string sha256_fingerprint; ///< hex with colons, upper case
    std::vector<std::string> subject_alt_names;
    bool verified = false;          ///< chain and name checked (or pin matched)
    bool pinned = false;            ///< accepted by pin
};

} // namespace pigeon::net
