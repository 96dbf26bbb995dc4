#pragma once
// A scripted TCP server on 127.0.0.1 for fake-server tests: it plays an
// S:/C: transcript in a background thread and checks what the client sends.
// The transcript format is documented in tests/scripts/README.md.
//
//   pigeon::test::script_server srv(R"(
//   S: 220 fake ESMTP
//   C: EHLO localhost
//   S: 250-fake
//   S: 250 STARTTLS
//   C: STARTTLS
//   S: 220 go ahead
//   TLS
//   C: EHLO localhost
//   ...
//   )");
//   ... connect the client to 127.0.0.1:srv.port(), trusting srv.write_ca_file()
//   auto r = srv.wait();
//   CHECK_MESSAGE(r.ok, r.error);
//
// Nothing in here ever blocks without a deadline: every accept, read, write
// and handshake has one, and the destructor interrupts the thread.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pigeon::test {

// ---- certificates ---------------------------------------------------------------

/// A PEM certificate (leaf first, then any chain) and its PEM private key.
struct test_cert {
    std::string cert_pem;
    std::string key_pem;
};

/// What make_test_cert generates: an EC P-256 key and an X.509 v3 certificate.
struct cert_spec {
    std::string common_name = "localhost";
    std::vector<std::string> dns_names = {"localhost"};   ///< subjectAltName DNS entries
    std::vector<std::string> ip_addresses = {"127.0.0.1"}; ///< subjectAltName IP entries
    /// Validity relative to now (negative: in the past), e.g. an expired
    /// certificate: not_before = -48h, not_after = -24h.
    std::chrono::seconds not_before{-3600};
    std::chrono::seconds not_after{std::chrono::hours(24 * 365)};
    /// basicConstraints CA:TRUE with keyCertSign (a self-signed certificate
    /// used as its own trust anchor should be one).
    bool is_ca = false;
    /// Signs the certificate with this CA (its first certificate and key);
    /// nullptr: self-signed. The result's cert_pem holds only the new
    /// certificate; append the CA's for a server chain if wanted.
    const test_cert* issuer = nullptr;
};

/// Generates a key and certificate with OpenSSL. Throws std::runtime_error.
test_cert make_test_cert(const cert_spec& spec);

/// The process-wide default: a self-signed CA:TRUE certificate for CN and
/// DNS "localhost" and IP 127.0.0.1, generated once (thread-safe).
const test_cert& default_test_cert();

// ---- the server -----------------------------------------------------------------

struct script_options {
    /// Server certificate chain (leaf first) and key, PEM. Empty: the
    /// default_test_cert().
    std::string cert_pem, key_pem;
    /// What ca_pem() reports when cert_pem is set; empty: cert_pem itself.
    std::string ca_pem;
    /// Deadline of each read (one client line), write and TLS handshake, and
    /// the time EXPECT-CLOSE waits for the client to close.
    std::chrono::milliseconds timeout{5000};
    /// How long to wait for each client connection.
    std::chrono::milliseconds accept_timeout{10000};
    /// Connections served one after another; the whole transcript is played
    /// on each. The listening socket is closed after the last one.
    int connections = 1;
    /// TLS protocol versions the server allows (OpenSSL constants such as
    /// TLS1_2_VERSION); 0: the library default. A maximum below TLS 1.2 also
    /// lowers the security level so that old versions can be negotiated.
    int tls_min_version = 0;
    int tls_max_version = 0;
};

struct script_result {
    bool ok = false;
    /// Empty when ok; otherwise the first failure, e.g.
    /// `script line 7: expected "EHLO localhost", got "HELO localhost"`.
    std::string error;
    /// Every line received from the client, without its CRLF, in order (all
    /// connections).
    std::vector<std::string> client_lines;
    /// Why the handshake of a `TLS` step directly followed by EXPECT-CLOSE
    /// failed (the client refused it, e.g. "tlsv1 alert unknown ca"); empty
    /// when every handshake succeeded.
    std::string tls_failure;
};

class script_server {
public:
    /// Parses the transcript (std::invalid_argument on a syntax error),
    /// prepares TLS (std::runtime_error), listens on 127.0.0.1 on an
    /// ephemeral port and starts the thread that plays the script.
    explicit script_server(std::string transcript, script_options opts = {});
    /// Reads the transcript from path; a relative path is taken relative to
    /// PIGEON_SOURCE_DIR "/tests/scripts/". std::runtime_error if unreadable.
    static script_server from_file(const std::string& path, script_options opts = {});

    script_server(script_server&&) noexcept;
    script_server& operator=(script_server&&) noexcept;
    script_server(const script_server&) = delete;
    script_server& operator=(const script_server&) = delete;
    /// Stops the thread (interrupting any accept, read or sleep), joins it and
    /// removes the files write_ca_file() created.
    ~script_server();

    unsigned short port() const;
    /// The trust anchor for the server's certificate, PEM.
    const std::string& ca_pem() const;
    /// Writes ca_pem() to a new temporary file and returns its path; the file
    /// is removed by the destructor.
    std::string write_ca_file() const;
    /// Waits for the script to finish (bounded by the timeouts) and returns
    /// the result. Idempotent.
    script_result wait();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Quotes text for messages: printable ASCII as is, CR/LF/TAB as \r \n \t,
/// other bytes as \xNN, inside double quotes.
std::string quote_for_message(const std::string& text);

} // namespace pigeon::test
