#include "pigeon/net/endpoint.hpp"

#include "detail/url.hpp"
#include "pigeon/text/percent.hpp"
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
    for (char c : url.substr(0, sep)) scheme.push_back(detail::ascii_lower(c));
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
    detail::authority_parts parts;
    if (!detail::split_authority(authority, parts)) return std::nullopt;
    // A password in a server URL is ignored.
    if (parts.has_user && !text::percent_decode(parts.user, ep.user)) return std::nullopt;
    if (!detail::valid_host(parts.host)) return std::nullopt;
    ep.host = std::string(parts.host);
    ep.port = parts.port != 0 ? parts.port : default_port(ep.proto, ep.tls);
    ec.clear();
    return ep;
}

} // namespace pigeon::net
