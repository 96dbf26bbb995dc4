#include "pigeon/net/endpoint.hpp"

#include <charconv>

#include "pigeon/net/error.hpp"

namespace pigeon::net {
namespace {

struct scheme_info {
    std::string_view name;
    protocol proto;
    tls_mode tls;
};

constexpr scheme_info schemes[] = {
    {"smtp", protocol::smtp, tls_mode::starttls},
    {"submission", protocol::smtp, tls_mode::starttls},
    {"smtps", protocol::smtp, tls_mode::implicit},
    {"submissions", protocol::smtp, tls_mode::implicit},
    {"lmtp", protocol::lmtp, tls_mode::starttls},
    {"imap", protocol::imap, tls_mode::starttls},
    {"imaps", protocol::imap, tls_mode::implicit},
    {"pop3", protocol::pop3, tls_mode::starttls},
    {"pop", protocol::pop3, tls_mode::starttls},
    {"pop3s", protocol::pop3, tls_mode::implicit},
    {"pops", protocol::pop3, tls_mode::implicit},
    {"nntp", protocol::nntp, tls_mode::starttls},
    {"news", protocol::nntp, tls_mode::starttls},
    {"nntps", protocol::nntp, tls_mode::implicit},
    {"snews", protocol::nntp, tls_mode::implicit},
};

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hexval(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
            if (h < 0 || l < 0) return false;
            c = static_cast<char>(h * 16 + l);
            i += 2;
        }
        if (c == '\r' || c == '\n' || c == '\0') return false;
        out.push_back(c);
    }
    return true;
}

bool valid_host(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    for (char c : h) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == ':';
        if (!ok) return false;
    }
    return true;
}

} // namespace

const char* to_string(protocol p) noexcept {
    switch (p) {
    case protocol::smtp: return "smtp";
    case protocol::lmtp: return "lmtp";
    case protocol::imap: return "imap";
    case protocol::pop3: return "pop3";
    case protocol::nntp: return "nntp";
    }
    return "?";
}

const char* to_string(tls_mode m) noexcept {
    switch (m) {
    case tls_mode::starttls: return "starttls";
    case tls_mode::implicit: return "implicit";
    case tls_mode::none: return "none";
    }
    return "?";
}

unsigned short default_port(protocol p, tls_mode m) noexcept {
    bool tls = m == tls_mode::implicit;
    switch (p) {
    case protocol::smtp: return tls ? 465 : 587;
    case protocol::lmtp: return 24;
    case protocol::imap: return tls ? 993 : 143;
    case protocol::pop3: return tls ? 995 : 110;
    case protocol::nntp: return tls ? 563 : 119;
    }
    return 0;
}

std::optional<endpoint> parse_endpoint(const std::string& url, std::error_code& ec) {
    ec = errc::bad_url;
    endpoint ep;
    if (!url.empty() && url[0] == '/') {
        // A bare path: an LMTP unix socket (Dovecot, Cyrus).
        ep.proto = protocol::lmtp;
        ep.tls = tls_mode::none;
        ep.unix_path = url;
        ec.clear();
        return ep;
    }
    auto sep = url.find("://");
    if (sep == std::string::npos || sep == 0) return std::nullopt;
    std::string scheme;
    for (char c : url.substr(0, sep)) scheme.push_back(lower(c));
    const scheme_info* info = nullptr;
    for (const auto& s : schemes)
        if (s.name == scheme) info = &s;
    if (!info) return std::nullopt;
    ep.proto = info->proto;
    ep.tls = info->tls;

    std::string_view rest(url);
    rest.remove_prefix(sep + 3);
    if (ep.proto == protocol::lmtp && !rest.empty() && rest[0] == '/') {
        ep.tls = tls_mode::none;
        ep.unix_path = std::string(rest);
        ec.clear();
        return ep;
    }
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos)
            userinfo = userinfo.substr(0, colon); // a password in a URL is ignored
        if (!percent_decode(userinfo, ep.user)) return std::nullopt;
        authority.remove_prefix(at + 1);
    }
    std::string_view host, port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        if (colon != std::string_view::npos && authority.find(':') == colon) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        } else {
            host = authority;
        }
    }
    if (!valid_host(host)) return std::nullopt;
    ep.host = std::string(host);
    if (!port.empty()) {
        unsigned v = 0;
        auto [p, e] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (e != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) return std::nullopt;
        ep.port = static_cast<unsigned short>(v);
    } else {
        ep.port = default_port(ep.proto, ep.tls);
    }
    ec.clear();
    return ep;
}

} // namespace pigeon::net
