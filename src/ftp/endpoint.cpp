#include "pigeon/ftp/endpoint.hpp"

#include "pigeon/net/ascii.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/text/percent.hpp"

namespace pigeon::ftp {
unsigned short default_port(net::tls_mode m) noexcept { return m == net::tls_mode::implicit ? 990 : 21; }

std::optional<endpoint> parse_url(std::string_view url, std::error_code& ec) {
    ec = net::errc::bad_url;
    endpoint ep;
    if (net::ascii::istarts_with(url, "ftp://")) {
        ep.tls = net::tls_mode::starttls;
        url.remove_prefix(6);
    } else if (net::ascii::istarts_with(url, "ftps://")) {
        ep.tls = net::tls_mode::implicit;
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash + 1);
    if (authority.find_first_of("?#") != std::string_view::npos) return std::nullopt;
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view user = authority.substr(0, at);
        // "user:password@" is refused: passwords do not belong in URLs
        // (shell history, process lists); they come from the caller.
        if (user.find(':') != std::string_view::npos) return std::nullopt;
        if (!text::percent_decode(user, ep.user) || ep.user.empty()) return std::nullopt;
        authority = authority.substr(at + 1);
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        ep.host = std::string(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        auto colon = authority.find(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;
        }
    }
    if (ep.host.empty()) return std::nullopt;
    for (char c : ep.host) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '%' || c == '/' || c == '\\' || c == '@') return std::nullopt;
    }
    if (!port.empty()) {
        unsigned long v = 0;
        if (port.size() > 5) return std::nullopt;
        for (char c : port) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned long>(c - '0');
        }
        if (v == 0 || v > 65535) return std::nullopt;
        ep.port = static_cast<unsigned short>(v);
    } else {
        ep.port = default_port(ep.tls);
    }
    // ";type=i" / ";type=a" (RFC 1738) is not supported: transfers are binary.
    if (path.find(';') != std::string_view::npos) return std::nullopt;
    if (!text::percent_decode(path, ep.path)) return std::nullopt;
    ec.clear();
    return ep;
}

std::string to_url(const endpoint& ep) {
    std::string s = ep.tls == net::tls_mode::implicit ? "ftps://" : "ftp://";
    if (ep.host.find(':') != std::string::npos) s += "[" + ep.host + "]";
    else s += ep.host;
    s += ":" + std::to_string(ep.port) + "/" + ep.path;
    return s;
}

std::string join_path(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (!out.empty() && out.back() != '/') out += '/';
    out += name;
    return out;
}

} // namespace pigeon::ftp
