#include "pigeon/smtp/address.hpp"

#include <cstdint>

#include "pigeon/net/ascii.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::smtp {
namespace {

constexpr std::size_t max_local = 64;
constexpr std::size_t max_domain = 255;
constexpr std::size_t max_path = 254;  // 256 with the angle brackets (RFC 5321 4.5.3.1.3)

bool is_atext(unsigned char c) noexcept {
    if (c >= 0x80) return true;  // UTF-8 (checked for well-formedness separately)
    if (net::ascii::is_alpha(static_cast<char>(c)) || net::ascii::is_digit(static_cast<char>(c))) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default:
        return false;
    }
}

// Returns the length of the local part (quotes included), or 0 if invalid.
std::size_t scan_local(std::string_view a) noexcept {
    if (a.empty()) return 0;
    if (a[0] == '"') {
        std::size_t i = 1;
        while (i < a.size()) {
            const auto c = static_cast<unsigned char>(a[i]);
            if (c == '"') return i + 1;
            if (c == '\\') {
                if (i + 1 >= a.size()) return 0;
                const auto q = static_cast<unsigned char>(a[i + 1]);
                if (q < 0x20 || q > 0x7e) return 0;  // quoted-pairSMTP = %d92 %d32-126
                i += 2;
                continue;
            }
            if (c < 0x20 || c == 0x7f) return 0;  // no control byte, even quoted
            ++i;
        }
        return 0;  // unterminated
    }
    std::size_t i = 0;
    while (i < a.size() && a[i] != '@') {
        const auto c = static_cast<unsigned char>(a[i]);
        if (c != '.' && !is_atext(c)) return 0;
        ++i;
    }
    return i;
}

bool valid_domain(std::string_view d) noexcept {
    if (d.empty() || d.size() > max_domain) return false;
    if (d.front() == '[') {
        if (d.size() < 3 || d.back() != ']') return false;
        for (std::size_t i = 1; i + 1 < d.size(); ++i) {
            const auto c = static_cast<unsigned char>(d[i]);
            // dcontent = %d33-90 / %d94-126
            if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
        }
        return true;
    }
    std::size_t label = 0;
    for (char ch : d) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(c >= 0x80 || net::ascii::is_alpha(ch) || net::ascii::is_digit(ch) || c == '-' || c == '_')) return false;
        ++label;
    }
    return label != 0;
}

} // namespace

bool is_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1fu; }
        else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0fu; }
        else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07u; }
        else return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

std::error_code check_address(std::string_view addr, address_kind kind, bool& utf8) noexcept {
    utf8 = false;
    const std::error_code bad = make_error_code(errc::invalid_address);
    if (addr.empty()) return kind == address_kind::reverse_path ? std::error_code{} : bad;
    if (addr.size() > max_path || !is_valid_utf8(addr)) return bad;
    utf8 = !is_ascii(addr);
    if (kind == address_kind::forward_path && net::ascii::iequals(addr, "postmaster")) return {};
    const std::size_t local = scan_local(addr);
    if (local == 0 || local > max_local || local >= addr.size() || addr[local] != '@') return bad;
    if (!valid_domain(addr.substr(local + 1))) return bad;
    return {};
}

} // namespace pigeon::smtp
