#include "tls_context.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "pigeon/net/error.hpp"
#include "pigeon/net/hostname.hpp"
#include "pigeon/net/tls_warm_up.hpp"

namespace pigeon::net::detail {
namespace {

// ---- a socket BIO that never raises SIGPIPE --------------------------------

int nosig_write(BIO* b, const char* data, int len) {
    int fd = static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b)));
    BIO_clear_retry_flags(b);
    ssize_t r = ::send(fd, data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(b);
    return static_cast<int>(r);
}

int nosig_read(BIO* b, char* data, int len) {
    int fd = static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b)));
    BIO_clear_retry_flags(b);
    ssize_t r = ::recv(fd, data, static_cast<std::size_t>(len), 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
    return static_cast<int>(r);
}

long nosig_ctrl(BIO*, int cmd, long, void*) {
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    default: return 0;
    }
}

int nosig_create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
}

BIO_METHOD* nosig_method() {
    static BIO_METHOD* m = [] {
        BIO_METHOD* meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pigeon socket");
        BIO_meth_set_write(meth, nosig_write);
        BIO_meth_set_read(meth, nosig_read);
        BIO_meth_set_ctrl(meth, nosig_ctrl);
        BIO_meth_set_create(meth, nosig_create);
        return meth;
    }();
    return m;
}

// ---- verification ------------------------------------------------------------

struct verify_state {
    std::string name;
    bool verify = true;
    std::vector<std::vector<unsigned char>> pins;
    bool pin_failed = false;
    bool name_failed = false;
    int first_error = X509_V_OK;
    int error_depth = 0;
    std::string error_subject;
};

int verify_state_index() {
    static int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

std::string name_to_string(const X509_NAME* n) {
    if (!n) return {};
    BIO* mem = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(mem, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long len = BIO_get_mem_data(mem, &data);
    std::string s(data, static_cast<std::size_t>(len));
    BIO_free(mem);
    return s;
}

std::vector<unsigned char> sha256_of(X509* cert) {
    std::vector<unsigned char> md(EVP_MAX_MD_SIZE);
    unsigned len = 0;
    X509_digest(cert, EVP_sha256(), md.data(), &len);
    md.resize(len);
    return md;
}

int verify_callback(int preverify_ok, X509_STORE_CTX* ctx) {
    SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* st = static_cast<verify_state*>(SSL_get_ex_data(ssl, verify_state_index()));
    if (!st) return preverify_ok;
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    X509* cert = X509_STORE_CTX_get_current_cert(ctx);

    if (!st->pins.empty()) {
        // A pin replaces chain and name checks: only the leaf matters.
        if (depth != 0) return 1;
        auto fp = sha256_of(cert);
        for (const auto& p : st->pins)
            if (p == fp) return 1;
        st->pin_failed = true;
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (!st->verify) return 1;
    if (!preverify_ok) {
        if (st->first_error == X509_V_OK) {
            st->first_error = X509_STORE_CTX_get_error(ctx);
            st->error_depth = depth;
            st->error_subject = name_to_string(cert ? X509_get_subject_name(cert) : nullptr);
        }
        return 0;
    }
    if (depth == 0 && !certificate_matches(cert, st->name)) {
        st->name_failed = true;
        st->first_error = X509_V_ERR_HOSTNAME_MISMATCH;
        st->error_subject = name_to_string(X509_get_subject_name(cert));
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_HOSTNAME_MISMATCH);
        return 0;
    }
    return 1;
}

tls_errc classify_verify_error(int err) {
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED: return tls_errc::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID: return tls_errc::not_yet_valid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return tls_errc::self_signed;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: // an untrusted root sent along
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG: return tls_errc::untrusted_issuer;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return tls_errc::hostname_mismatch;
    default: return tls_errc::bad_certificate;
    }
}

std::string asn1_time_iso(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hex_colon(const std::vector<unsigned char>& bytes) {
    static const char* digits = "0123456789ABCDEF";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) s.push_back(':');
        s.push_back(digits[bytes[i] >> 4]);
        s.push_back(digits[bytes[i] & 15]);
    }
    return s;
}

std::vector<std::string> alt_names(X509* cert) {
    std::vector<std::string> out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING* s = g->d.dNSName;
            out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                               static_cast<std::size_t>(ASN1_STRING_length(s))));
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = g->d.iPAddress;
            char buf[INET6_ADDRSTRLEN] = {};
            int len = ASN1_STRING_length(s);
            const unsigned char* d = ASN1_STRING_get0_data(s);
            if (len == 4) inet_ntop(AF_INET, d, buf, sizeof buf);
            else if (len == 16) inet_ntop(AF_INET6, d, buf, sizeof buf);
            out.push_back(std::string("IP:") + buf);
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

tls_info describe(SSL* ssl, bool verified, bool pinned) {
    tls_info info;
    info.version = SSL_get_version(ssl);
    if (const char* c = SSL_get_cipher_name(ssl)) info.cipher = c;
    info.verified = verified;
    info.pinned = pinned;
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
        info.subject = name_to_string(X509_get_subject_name(cert));
        info.issuer = name_to_string(X509_get_issuer_name(cert));
        info.not_before = asn1_time_iso(X509_get0_notBefore(cert));
        info.not_after = asn1_time_iso(X509_get0_notAfter(cert));
        info.sha256_fingerprint = hex_colon(sha256_of(cert));
        info.subject_alt_names = alt_names(cert);
        X509_free(cert);
    }
    return info;
}

std::string openssl_error_text() {
    unsigned long e = ERR_peek_last_error();
    if (!e) return {};
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

struct ctx_deleter {
    void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
using ctx_ptr = std::unique_ptr<SSL_CTX, ctx_deleter>;

/// The system's trust anchors. Where the hashed directory exists (Debian's
/// /etc/ssl/certs) OpenSSL looks a CA up there when a chain needs it,
/// instead of parsing the whole bundle (~140 certificates: ~25 ms of CPU
/// and ~1.5 MB) on every start, which SSL_CTX_set_default_verify_paths
/// does. SSL_CERT_FILE / SSL_CERT_DIR, when set, keep OpenSSL's own rules.
void load_system_store(SSL_CTX* ctx) {
    const bool env_set = std::getenv(X509_get_default_cert_file_env()) != nullptr ||
                         std::getenv(X509_get_default_cert_dir_env()) != nullptr;
    if (!env_set) {
        const char* dir = X509_get_default_cert_dir();
        struct stat st {};
        if (dir && ::stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && SSL_CTX_load_verify_dir(ctx, dir) == 1) return;
        ERR_clear_error();
    }
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) ERR_clear_error();   // no system store: only ca_file can help
}

// ---- warm-up ---------------------------------------------------------------

/// The warm-up thread, joined by the first make_context() or at exit.
struct warm_up_state {
    std::mutex m;
    std::thread t;
    bool started = false;
    ~warm_up_state() {
        std::lock_guard<std::mutex> g(m);
        if (t.joinable()) t.join();
    }
};

warm_up_state& warm_up() {
    static warm_up_state s;
    return s;
}

void warm_up_work() noexcept {
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    // The first TLS context fetches every cipher and digest of the provider.
    if (SSL_CTX* c = SSL_CTX_new(TLS_client_method())) SSL_CTX_free(c);
    // The first public key read sets up the decoders (an X25519 key:
    // SubjectPublicKeyInfo, 44 bytes, any 32-byte value).
    static const unsigned char spki[44] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
                                           9};
    const unsigned char* p = spki;
    EVP_PKEY_free(d2i_PUBKEY(nullptr, &p, sizeof spki));
    ERR_clear_error();
}

void wait_for_warm_up() {
    auto& w = warm_up();
    std::lock_guard<std::mutex> g(w.m);
    if (w.t.joinable()) w.t.join();
    // Too late for a warm-up now; and one started after this would outlive
    // OpenSSL's clean-up at exit (registered after warm_up()'s object).
    w.started = true;
}

ctx_ptr make_context(const tls_options& opts, std::string& detail, std::error_code& ec) {
    wait_for_warm_up();
    ctx_ptr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        ec = tls_errc::config_error;
        detail = "cannot create a TLS context";
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(),
                                  opts.min_version == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // Read ahead: one recv() takes in what the socket holds, up to
    // OpenSSL's record buffer (~16 KB), where OpenSSL would otherwise make
    // two per record (its 5-byte header, then the rest). Not a larger
    // buffer: OpenSSL moves the unread rest to the buffer's start at every
    // record, and with a server's small records (Dovecot's FETCH responses)
    // a 64 KB buffer cost more copying (76 MB for a 4 MB listing) than the
    // system calls it saved. Bytes may then wait inside OpenSSL with the
    // socket empty: socket_stream asks SSL_has_pending() before it polls.
    SSL_CTX_set_read_ahead(ctx.get(), 1);
    if (!opts.ca_file_only) load_system_store(ctx.get());
    if (!opts.ca_file.empty() && SSL_CTX_load_verify_locations(ctx.get(), opts.ca_file.c_str(), nullptr) != 1) {
        ec = tls_errc::config_error;
        detail = "cannot load CA file " + opts.ca_file + ": " + openssl_error_text();
        ERR_clear_error();
        return nullptr;
    }
    if (!opts.client_cert_file.empty() || !opts.client_key_file.empty()) {
        const std::string& key = opts.client_key_file.empty() ? opts.client_cert_file : opts.client_key_file;
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), opts.client_cert_file.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx.get()) != 1) {
            ec = tls_errc::config_error;
            detail = "cannot use client certificate " + opts.client_cert_file + ": " + openssl_error_text();
            ERR_clear_error();
            return nullptr;
        }
    }
    return ctx;
}

} // namespace

bool parse_pin(const std::string& pin_in, std::vector<unsigned char>& out) {
    std::string pin = pin_in;
    if (pin.rfind("sha256:", 0) == 0 || pin.rfind("SHA256:", 0) == 0) pin = pin.substr(7);
    std::string hex;
    bool is_hex = true;
    for (char c : pin) {
        if (c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            is_hex = false;
            break;
        }
        hex.push_back(c);
    }
    out.clear();
    if (is_hex && hex.size() == 64) {
        for (std::size_t i = 0; i < 64; i += 2)
            out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        return true;
    }
    if (pin.size() == 44) {
        unsigned char buf[48];
        int n = EVP_DecodeBlock(buf, reinterpret_cast<const unsigned char*>(pin.data()), 44);
        if (n == 33 && pin[43] == '=') { // 32 bytes plus the padding byte EVP counts
            out.assign(buf, buf + 32);
            return true;
        }
    }
    return false;
}

bool certificate_matches(X509* cert, const std::string& name) {
    bool ip = is_ip_literal(name);
    unsigned char want[16];
    int want_len = 0;
    if (ip) {
        if (inet_pton(AF_INET, name.c_str(), want) == 1) want_len = 4;
        else if (inet_pton(AF_INET6, name.c_str(), want) == 1) want_len = 16;
    }
    bool any_dns = false;
    bool matched = false;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (names) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names) && !matched; ++i) {
            const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
            if (g->type == GEN_DNS) {
                any_dns = true;
                if (ip) continue;
                const ASN1_IA5STRING* s = g->d.dNSName;
                std::string_view pat(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                     static_cast<std::size_t>(ASN1_STRING_length(s)));
                if (pat.find('\0') != std::string_view::npos) continue;
                matched = match_dns_name(pat, name);
            } else if (g->type == GEN_IPADD && ip) {
                const ASN1_OCTET_STRING* s = g->d.iPAddress;
                matched = ASN1_STRING_length(s) == want_len &&
                          std::memcmp(ASN1_STRING_get0_data(s), want, static_cast<std::size_t>(want_len)) == 0;
            }
        }
        GENERAL_NAMES_free(names);
    }
    if (matched || any_dns || ip) return matched;
    // RFC 6125 6.4.4: the CN only when there is no DNS name at all.
    X509_NAME* subj = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    if (idx < 0) return false;
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
    std::string_view pat(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                         static_cast<std::size_t>(ASN1_STRING_length(cn)));
    if (pat.find('\0') != std::string_view::npos) return false;
    return match_dns_name(pat, name);
}

handshake_result client_handshake(int fd, const std::string& server_name, const tls_options& opts,
                                  clock::time_point deadline) {
    handshake_result r;
    verify_state st;
    st.name = server_name;
    st.verify = opts.verify;
    for (const auto& p : opts.pins) {
        std::vector<unsigned char> bytes;
        if (!parse_pin(p, bytes)) {
            r.ec = tls_errc::config_error;
            r.detail = "malformed certificate pin (want a SHA-256 fingerprint in hex or base64): " + p;
            return r;
        }
        st.pins.push_back(std::move(bytes));
    }
    ctx_ptr ctx = make_context(opts, r.detail, r.ec);
    if (!ctx) return r;

    ssl_ptr ssl(SSL_new(ctx.get()));
    BIO* bio = BIO_new(nosig_method());
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
    SSL_set_bio(ssl.get(), bio, bio);
    SSL_set_ex_data(ssl.get(), verify_state_index(), &st);
    bool check = opts.verify || !opts.pins.empty();
    SSL_set_verify(ssl.get(), check ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, check ? verify_callback : nullptr);
    if (!is_ip_literal(server_name) && !server_name.empty())
        SSL_set_tlsext_host_name(ssl.get(), server_name.c_str());

    ERR_clear_error();
    for (;;) {
        int rc = SSL_connect(ssl.get());
        if (rc == 1) break;
        int err = SSL_get_error(ssl.get(), rc);
        std::error_code wec;
        if (err == SSL_ERROR_WANT_READ) {
            quick_ack(fd);  // before waiting: the server may wait for our ACK
            if (wait_fd(fd, POLLIN, deadline, wec)) continue;
        } else if (err == SSL_ERROR_WANT_WRITE) {
            if (wait_fd(fd, POLLOUT, deadline, wec)) continue;
        }
        if (wec) {
            r.ec = wec;
            r.detail = "TLS handshake timed out";
            SSL_set_ex_data(ssl.get(), verify_state_index(), nullptr);
            return r;
        }
        // The handshake failed: say which check.
        unsigned long e = ERR_peek_error();
        int reason = ERR_GET_REASON(e);
        if (st.pin_failed) {
            r.ec = tls_errc::pin_mismatch;
            r.detail = "certificate does not match the pinned SHA-256 fingerprint";
        } else if (st.first_error != X509_V_OK) {
            r.ec = classify_verify_error(st.first_error);
            r.detail = "certificate verification failed: ";
            if (st.name_failed)
                r.detail += "certificate is not valid for host name " + server_name;
            else {
                std::string ours = r.ec.message(), theirs = X509_verify_cert_error_string(st.first_error);
                r.detail += ours == theirs ? ours : ours + " (" + theirs + ")";
            }
            if (!st.error_subject.empty()) r.detail += " (subject " + st.error_subject + ")";
        } else if (reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION ||
                   reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_VERSION_TOO_LOW) {
            r.ec = tls_errc::protocol_version;
            r.detail = "server offers no TLS version >= 1.2 (" + openssl_error_text() + ")";
        } else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG) {
            r.ec = tls_errc::handshake_failed;
            r.detail = "the server did not answer with TLS";
        } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN ||
                   reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            r.ec = tls_errc::connection_lost;
            r.detail = "connection closed during the TLS handshake";
        } else {
            r.ec = tls_errc::handshake_failed;
            r.detail = "TLS handshake failed: " + openssl_error_text();
        }
        ERR_clear_error();
        SSL_set_ex_data(ssl.get(), verify_state_index(), nullptr);
        return r;
    }
    SSL_set_ex_data(ssl.get(), verify_state_index(), nullptr);
    r.info = describe(ssl.get(), opts.verify || !st.pins.empty(), !st.pins.empty());
    r.ssl = std::move(ssl);
    return r;
}

} // namespace pigeon::net::detail

namespace pigeon::net {

void warm_up_tls() noexcept {
    // OpenSSL registers its clean-up with atexit() on its first
    // initialisation; doing that here, before warm_up()'s object exists,
    // makes exit() join the thread before OpenSSL is torn down (a program
    // that ends at once would otherwise free OpenSSL's locks under the
    // thread). The option must be one not yet done: with 0, or options
    // already done, OPENSSL_init_crypto returns before registering
    // anything. OPENSSL_INIT_ATFORK only installs fork handlers.
    OPENSSL_init_crypto(OPENSSL_INIT_ATFORK, nullptr);
    auto& w = detail::warm_up();
    std::lock_guard<std::mutex> g(w.m);
    if (w.started) return;
    w.started = true;
    try {
        w.t = std::thread(detail::warm_up_work);
    } catch (...) {
        // No thread: the first connection does the work.
    }
}

} // namespace pigeon::net
