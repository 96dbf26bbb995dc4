#include "url.hpp"

#include <charconv>

namespace pigeon::net::detail {
namespace {

} // namespace

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool valid_host(std::string_view h) noexcept {
    if (h.empty() || h.size() > 253) return false;
    for (char c : h) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == ':';
        if (!ok) return false;
    }
    return true;
}

bool split_authority(std::string_view authority, authority_parts& out) {
    out = authority_parts{};
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        out.has_user = true;
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            out.user = userinfo.substr(0, colon);
            out.password = userinfo.substr(colon + 1);
            out.has_password = true;
        } else {
            out.user = userinfo;
        }
        authority.remove_prefix(at + 1);
    }
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        out.host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return false;
            port = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        if (colon != std::string_view::npos && authority.find(':') == colon) {
            out.host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        } else {
            out.host = authority;
        }
    }
    if (!port.empty()) {
        unsigned v = 0;
        auto [p, e] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (e != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) return false;
        out.port = static_cast<unsigned short>(v);
    }
    return true;
}

} // namespace pigeon::net::detail
