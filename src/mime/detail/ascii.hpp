#pragma once
// Private ASCII helpers of the mime module.
#include <cstddef>
#include <string>
#include <string_view>

#include "pigeon/text/percent.hpp"

namespace pigeon::mime::detail {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

using text::hex_value;

inline std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = to_lower(c);
    return r;
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

/// RFC 2045 token character (not a tspecial, not SPACE or CTL).
inline bool is_token_char(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127) return false;
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':':
    case '\\': case '"': case '/': case '[': case ']': case '?': case '=':
        return false;
    default:
        return true;
    }
}

/// Appends the UTF-8 encoding of code point cp.
inline void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

inline constexpr std::string_view replacement_char = "\xEF\xBF\xBD";

/// Replaces C0 controls (except TAB) and DEL by U+FFFD: decoded header text
/// must never carry a raw NUL, CR or LF.
inline std::string scrub_controls(std::string s) {
    bool any = false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) { any = true; break; }
    }
    if (!any) return s;
    std::string r;
    r.reserve(s.size() + 8);
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) r.append(replacement_char);
        else r.push_back(c);
    }
    return r;
}

} // namespace pigeon::mime::detail
