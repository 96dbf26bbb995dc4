#include "pigeon/net/http_connect_handshake.hpp"

#include <openssl/evp.h>

#include "pigeon/net/error.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::net {
namespace {

constexpr std::string_view http_prefix = "HTTP/";

bool digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                              reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

bool host_ok(std::string_view h) noexcept {
    if (h.empty() || h.size() > 255) return false;
    for (char c : h) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '-' || c == '.' || c == '_' ||
                  c == ':';
        if (!ok) return false;
    }
    return true;
}

// Printable ASCII of a proxy's reason phrase, bounded.
std::string clean_reason(std::string_view r) {
    std::string out;
    for (char c : r) {
        if (out.size() >= 120) break;
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

} // namespace

http_connect_handshake::http_connect_handshake(http_connect_request req) : req_(std::move(req)) {}

std::error_code http_connect_handshake::start(std::string& out) {
    if (started_) return errc::invalid_argument;
    if (!host_ok(req_.host) || req_.port == 0 || req_.user.find(':') != std::string::npos)
        return errc::invalid_argument;
    const bool v6 = req_.host.find(':') != std::string::npos;
    const std::string authority = (v6 ? "[" + req_.host + "]" : req_.host) + ":" + std::to_string(req_.port);
    request_.clear();
    request_.push_back("CONNECT " + authority + " HTTP/1.1");
    request_.push_back("Host: " + authority);
    if (!req_.user.empty()) {
        auth_line_ = request_.size();
        request_.push_back("Proxy-Authorization: Basic " + base64(req_.user + ":" + req_.password));
    }
    for (const auto& l : request_) out.append(l).append("\r\n");
    out += "\r\n";
    started_ = true;
    return {};
}

std::vector<std::string> http_connect_handshake::request_lines(bool show_secrets) const {
    std::vector<std::string> out = request_;
    if (!show_secrets && auth_line_ != 0 && auth_line_ < out.size())
        out[auth_line_] = "Proxy-Authorization: Basic " + std::string(redacted);
    return out;
}

http_connect_handshake::status http_connect_handshake::fail(std::error_code& ec, std::error_code why,
                                                            std::string detail) {
    failed_ = true;
    error_ = why;
    ec = why;
    detail_ = std::move(detail);
    return status::failed;
}

std::size_t http_connect_handshake::max_read() const noexcept {
    if (!started_ || done_ || failed_) return 0;
    // The header may end with this line if it is empty so far ("\n" or
    // "\r\n" to come); otherwise at least this line's LF and an empty line's.
    if (!want_status_ && (line_.empty() || line_ == "\r")) return 1;
    return 2;
}

http_connect_handshake::status http_connect_handshake::feed(std::string_view in, std::size_t& consumed,
                                                            std::error_code& ec) {
    consumed = 0;
    ec.clear();
    if (done_) return status::done;
    if (failed_) {
        ec = error_;
        return status::failed;
    }
    if (!started_) return fail(ec, errc::invalid_argument, "HTTP CONNECT fed before it was started");
    while (consumed < in.size()) {
        if (total_ >= req_.max_reply_bytes)
            return fail(ec, errc::proxy_bad_reply,
                        "HTTP CONNECT answer longer than " + std::to_string(req_.max_reply_bytes) + " bytes");
        const char c = in[consumed++];
        ++total_;
        if (c == '\0') return fail(ec, errc::proxy_bad_reply, "HTTP CONNECT answer contains a NUL byte");
        if (c != '\n') {
            line_.push_back(c);
            // Not HTTP at all (a SOCKS proxy, a mail server): say so at once
            // rather than wait for a line end that may never come.
            if (want_status_ && line_.size() <= http_prefix.size() &&
                line_.back() != http_prefix[line_.size() - 1]) {
                if (line_.size() == 1 && static_cast<unsigned char>(c) == 0x05)
                    return fail(ec, errc::proxy_bad_reply, "answers like a SOCKS5 proxy, not an HTTP proxy");
                return fail(ec, errc::proxy_bad_reply, "not an HTTP proxy: its answer does not start with HTTP/");
            }
            continue;
        }
        std::string line = std::move(line_);
        line_.clear();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        status s = take_line(std::move(line), ec);
        if (s != status::need_more) return s;
    }
    return status::need_more;
}

http_connect_handshake::status http_connect_handshake::take_line(std::string line, std::error_code& ec) {
    if (!want_status_) {
        if (!line.empty()) {
            lines_.push_back(std::move(line));
            return status::need_more;
        }
        lines_.emplace_back();
        if (interim_) {  // a 1xx reply ended: the real one follows
            interim_ = false;
            want_status_ = true;
            return status::need_more;
        }
        done_ = true;
        return status::done;
    }
    // HTTP/1.x SP 3DIGIT [SP reason]
    std::string_view v(line);
    lines_.push_back(line);
    if (v.size() < 12 || v.substr(0, 5) != http_prefix || v[5] != '1' || v[6] != '.' || !digit(v[7]) ||
        v[8] != ' ' || !digit(v[9]) || !digit(v[10]) || !digit(v[11]) || (v.size() > 12 && v[12] != ' '))
        return fail(ec, errc::proxy_bad_reply, "HTTP CONNECT answer has no valid status line");
    code_ = (v[9] - '0') * 100 + (v[10] - '0') * 10 + (v[11] - '0');
    reason_ = clean_reason(v.size() > 13 ? v.substr(13) : std::string_view());
    want_status_ = false;
    const std::string what = "HTTP CONNECT answered " + std::to_string(code_) + (reason_.empty() ? "" : " " + reason_);
    if (code_ >= 100 && code_ < 200) {
        interim_ = true;
        return status::need_more;
    }
    if (code_ >= 200 && code_ < 300) return status::need_more;  // the header fields, then done
    // QUIRK(tinyproxy): wrong Basic credentials get "401 Unauthorized",
    // where RFC 9110 has a proxy say 407 again.
    if (code_ == 407 || code_ == 401)
        return fail(ec, errc::proxy_auth_failed,
                    what + (req_.user.empty() ? " (give user:password in the proxy URL)" : " (credentials refused)"));
    // QUIRK(tinyproxy): a server it cannot reach is "500 Unable to connect",
    // where RFC 9110 proxies say 502, 503 or 504.
    if (code_ == 500 || code_ == 502 || code_ == 503 || code_ == 504)
        return fail(ec, errc::proxy_unreachable, what);
    if (code_ < 100 || code_ > 599) return fail(ec, errc::proxy_bad_reply, what);
    return fail(ec, errc::proxy_refused, what);
}

} // namespace pigeon::net
