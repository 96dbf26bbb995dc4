#include "tls_check.hpp"

#include <algorithm>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <curl/curl.h>

#include "pigeon/net/error.hpp"
#include "pigeon/net/pin.hpp"

namespace pigeon::ftp::detail {
namespace {

int ctx_index() {
    static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

std::string subject_of(X509* cert) {
    if (!cert) return {};
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

int verify_cb(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (!ssl) return preverify_ok;
    auto* check = static_cast<tls_check*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index()));
    if (!check) return preverify_ok;
    int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (!check->pins.empty()) {
        // A pin replaces chain and name checks (as in net): only the leaf counts.
        if (depth != 0) return 1;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (cert && X509_digest(cert, EVP_sha256(), md, &len) == 1) {
            for (const auto& p : check->pins)
                if (p.size() == len && std::equal(p.begin(), p.end(), md)) return 1;
        }
        check->pin_failed = true;
        check->verify_subject = subject_of(cert);
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (!preverify_ok && check->verify_error == 0) {
        check->verify_error = X509_STORE_CTX_get_error(store);
        check->verify_subject = subject_of(cert);
    }
    return preverify_ok;
}

void info_cb(const SSL* ssl, int where, int) {
    if (!(where & SSL_CB_HANDSHAKE_DONE)) return;
    if (auto* check = static_cast<tls_check*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index())))
        check->last_version = SSL_version(ssl);
}

} // namespace

bool load_pins(const net::tls_options& opts, tls_check& check, std::string& bad) {
    check.pins.clear();
    for (const auto& p : opts.pins) {
        std::vector<unsigned char> bytes;
        if (!net::parse_certificate_pin(p, bytes)) {
            bad = p;
            return false;
        }
        check.pins.push_back(std::move(bytes));
    }
    return true;
}

int ssl_ctx_setup(void*, void* ssl_ctx, void* userptr) {
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    auto* check = static_cast<tls_check*>(userptr);
    SSL_CTX_set_ex_data(ctx, ctx_index(), check);
    // Every connection (control and data) gets the extra CA; a certificate
    // already in the store (libcurl's cached one) is not added twice.
    if (!check->extra_ca_file.empty() &&
        X509_STORE_load_file(SSL_CTX_get_cert_store(ctx), check->extra_ca_file.c_str()) != 1)
        return CURLE_SSL_CACERT_BADFILE;
    int mode = check->pins.empty() ? SSL_CTX_get_verify_mode(ctx) : SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, verify_cb);
    SSL_CTX_set_info_callback(ctx, info_cb);
    return CURLE_OK;
}

std::error_code tls_check::classify() const {
    using net::tls_errc;
    if (pin_failed) return tls_errc::pin_mismatch;
    switch (verify_error) {
    case 0: return tls_errc::hostname_mismatch;  // chain fine: libcurl's name check failed
    case X509_V_ERR_CERT_HAS_EXPIRED: return tls_errc::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return tls_errc::not_yet_valid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return tls_errc::self_signed;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED: return tls_errc::untrusted_issuer;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return tls_errc::hostname_mismatch;
    default: return tls_errc::bad_certificate;
    }
}

std::string tls_check::describe() const {
    if (pin_failed) return "certificate does not match the pinned SHA-256 fingerprint (subject " + verify_subject + ")";
    if (verify_error == 0) return "certificate verification failed: the host name does not match the certificate";
    return std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify_error) +
           " (subject " + verify_subject + ")";
}

} // namespace pigeon::ftp::detail
