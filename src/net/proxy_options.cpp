#include "pigeon/net/proxy_options.hpp"

#include "detail/url.hpp"
#include "pigeon/text/percent.hpp"
#include "pigeon/net/error.hpp"

namespace pigeon::net {

const char* to_string(proxy_kind k) noexcept {
    switch (k) {
    case proxy_kind::none: return "none";
    case proxy_kind::socks5: return "socks5";
    case proxy_kind::socks5h: return "socks5h";
    case proxy_kind::http: return "http";
    }
    return "?";
}

std::string proxy_options::where() const {
    std::string s = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    s += ':';
    s += std::to_string(port);
    return s;
}

std::string proxy_options::display_url() const {
    if (kind == proxy_kind::none) return "none";
    std::string s = to_string(kind);
    s += "://";
    if (!user.empty()) {
        // Percent-encode what would break the URL apart.
        static const char* hex = "0123456789ABCDEF";
        for (char c : user) {
            auto u = static_cast<unsigned char>(c);
            if (c == '@' || c == ':' || c == '%' || c == '/' || u < 0x21 || u >= 0x7f) {
                s += '%';
                s += hex[u >> 4];
                s += hex[u & 15];
            } else {
                s += c;
            }
        }
        s += '@';
    }
    s += where();
    return s;
}

std::optional<proxy_options> parse_proxy_url(std::string_view url, std::error_code& ec) {
    ec = errc::bad_url;
    auto sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) return std::nullopt;
    std::string scheme;
    for (char c : url.substr(0, sep)) scheme.push_back(detail::ascii_lower(c));
    proxy_options p;
    if (scheme == "socks5") p.kind = proxy_kind::socks5;
    else if (scheme == "socks5h") p.kind = proxy_kind::socks5h;
    else if (scheme == "http") p.kind = proxy_kind::http;
    else return std::nullopt;

    std::string_view rest = url.substr(sep + 3);
    auto slash = rest.find('/');
    if (slash != std::string_view::npos && slash + 1 != rest.size()) return std::nullopt;
    detail::authority_parts parts;
    if (!detail::split_authority(rest.substr(0, slash), parts)) return std::nullopt;
    if (parts.has_user) {
        if (!text::percent_decode(parts.user, p.user) || p.user.empty()) return std::nullopt;
        if (parts.has_password && !text::percent_decode(parts.password, p.password)) return std::nullopt;
    }
    if (!detail::valid_host(parts.host)) return std::nullopt;
    p.host = std::string(parts.host);
    p.port = parts.port != 0 ? parts.port : default_proxy_port;
    ec.clear();
    return p;
}

} // namespace pigeon::net
