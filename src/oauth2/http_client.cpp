#include "pigeon/oauth2/http_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "pigeon/net/error.hpp"
#include "pigeon/oauth2/error.hpp"

namespace pigeon::oauth2 {
namespace {

struct easy_deleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct sink {
    std::string* body;
    std::size_t max;
    bool overflow = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* s = static_cast<sink*>(userp);
    const std::size_t len = size * n;
    if (s->body->size() + len > s->max) {
        s->overflow = true;
        return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    s->body->append(data, len);
    return len;
}

bool starts_with_https(std::string_view url) {
    if (url.size() < 8) return false;
    for (std::size_t i = 0; i < 8; ++i) {
        char c = url[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != "https://"[i]) return false;
    }
    return true;
}

std::string proxy_url(const net::proxy_options& p) {
    const char* scheme = p.kind == net::proxy_kind::socks5h ? "socks5h://"
                         : p.kind == net::proxy_kind::socks5 ? "socks5://"
                                                             : "http://";
    std::string host = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
    return scheme + host + ":" + std::to_string(p.port);
}

[[noreturn]] void fail(CURL* h, CURLcode rc, const std::string& url, const char* errbuf, const http_options& o) {
    std::string detail = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(rc);
    std::string msg = url + ": " + detail;
    const std::string via = o.proxy.enabled() ? " (through the proxy " + o.proxy.display_url() + ")" : "";
    if (o.proxy.enabled()) {
        // The proxy said no: its login (HTTP 401/407, SOCKS5 user/password)
        // or the tunnel.
        long connect_code = 0;
        curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
        long px = 0;
        curl_easy_getinfo(h, CURLINFO_PROXY_ERROR, &px);
        if (connect_code == 401 || connect_code == 407 || px == CURLPX_USER_REJECTED || px == CURLPX_NO_AUTH)
            throw net::transport_error(net::errc::proxy_auth_failed, msg + via);
        if (connect_code >= 300 || rc == CURLE_PROXY)
            throw net::transport_error(net::errc::proxy_refused, msg + via);
    }
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
        throw net::tls_error(net::tls_errc::bad_certificate,
                             url + ": certificate verification failed: " + detail);
    case CURLE_SSL_CONNECT_ERROR:
        throw net::tls_error(net::tls_errc::handshake_failed, msg);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        throw net::tls_error(net::tls_errc::config_error, msg);
    case CURLE_COULDNT_RESOLVE_PROXY:
        throw net::transport_error(net::errc::proxy_unreachable, msg + via);
    case CURLE_COULDNT_RESOLVE_HOST: throw net::transport_error(net::errc::resolve_failed, msg + via);
    case CURLE_COULDNT_CONNECT: throw net::transport_error(net::errc::connect_failed, msg + via);
    case CURLE_OPERATION_TIMEDOUT: throw net::transport_error(net::errc::timeout, msg + via);
    case CURLE_PROXY: throw net::transport_error(net::errc::proxy_refused, msg + via);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: throw net::transport_error(net::errc::connection_closed, msg + via);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: throw token_error(errc::bad_url, msg);
    default: throw net::transport_error(net::errc::protocol_error, msg + via);
    }
}

} // namespace

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string form_encode(const form_fields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out.push_back('&');
        out += percent_encode(name);
        out.push_back('=');
        out += percent_encode(value);
    }
    return out;
}

http_response post_form(const std::string& url, const form_fields& fields, const http_options& opts) {
    if (!starts_with_https(url)) throw token_error(errc::bad_url, "not an https:// URL: " + url);
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<CURL, easy_deleter> h(curl_easy_init());
    if (!h) throw std::bad_alloc();
    CURL* c = h.get();
    char errbuf[CURL_ERROR_SIZE] = {};
    http_response res;
    sink s{&res.body, opts.max_body};
    const std::string body = form_encode(fields);

    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    std::unique_ptr<curl_slist, slist_deleter> headers(
        curl_slist_append(nullptr, "Accept: application/json"));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, opts.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.timeout.count()));
    // TLS: always verified, host name included, TLS 1.2 or later.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    // OpenSSL uses CAINFO and CAPATH together: the extra file on top of the
    // system's hashed directory, read lazily.
    if (!opts.ca_file_only) {
        const curl_version_info_data* vi = curl_version_info(CURLVERSION_NOW);
        if (vi && vi->capath && *vi->capath) {
            curl_easy_setopt(c, CURLOPT_CAPATH, vi->capath);
            if (!opts.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, opts.ca_file.c_str());
            else curl_easy_setopt(c, CURLOPT_CAINFO, nullptr);
        } else if (!opts.ca_file.empty()) {
            curl_easy_setopt(c, CURLOPT_CAINFO, opts.ca_file.c_str());
        }
    } else {
        curl_easy_setopt(c, CURLOPT_CAINFO, opts.ca_file.c_str());
        curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    }
    // The proxy: the session's, or explicitly none ("" stops libcurl from
    // reading http_proxy, https_proxy and ALL_PROXY from the environment).
    std::string purl;
    if (opts.proxy.enabled()) {
        purl = proxy_url(opts.proxy);
        curl_easy_setopt(c, CURLOPT_PROXY, purl.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
        if (!opts.proxy.user.empty()) {
            curl_easy_setopt(c, CURLOPT_PROXYUSERNAME, opts.proxy.user.c_str());
            curl_easy_setopt(c, CURLOPT_PROXYPASSWORD, opts.proxy.password.c_str());
            curl_easy_setopt(c, CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_BASIC));
        }
    } else {
        curl_easy_setopt(c, CURLOPT_PROXY, "");
    }

    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_WRITE_ERROR && s.overflow)
        throw net::transport_error(net::errc::protocol_error,
                                   url + ": the answer is larger than " + std::to_string(opts.max_body) + " bytes");
    if (rc != CURLE_OK) fail(c, rc, url, errbuf, opts);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
    return res;
}

} // namespace pigeon::oauth2
