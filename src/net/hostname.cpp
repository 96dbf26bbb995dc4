#include "pigeon/net/hostname.hpp"

#include <arpa/inet.h>

#include <string>

namespace pigeon::net {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view strip_root_dot(std::string_view s) noexcept {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return s;
}

bool valid_dns_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 253) return false;
    std::size_t label = 0;
    for (char c : s) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return label != 0;
}

} // namespace

bool is_ip_literal(std::string_view text) noexcept {
    if (text.empty() || text.size() > 45) return false;
    std::string s(text);
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool match_dns_name(std::string_view pattern, std::string_view host) noexcept {
    pattern = strip_root_dot(pattern);
    host = strip_root_dot(host);
    if (pattern.empty() || host.empty() || is_ip_literal(host)) return false;
    if (!valid_dns_name(host)) return false;
    if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
        // RFC 6125 6.4.3 as narrowed by RFC 7817: the wildcard is the whole
        // left-most label, matches exactly one label, and needs at least two
        // more labels after it ("*.com" never matches).
        std::string_view rest = pattern.substr(2);
        if (rest.find('*') != std::string_view::npos) return false;
        if (rest.find('.') == std::string_view::npos) return false;
        if (!valid_dns_name(rest)) return false;
        auto dot = host.find('.');
        if (dot == std::string_view::npos || dot == 0) return false;
        return iequal(host.substr(dot + 1), rest);
    }
    if (pattern.find('*') != std::string_view::npos) return false; // partial wildcards never match
    if (!valid_dns_name(pattern)) return false;
    return iequal(pattern, host);
}

} // namespace pigeon::net
