#pragma once
// Locale-independent ASCII helpers for the line protocols (SMTP, POP3, IMAP,
// NNTP): character classes, case-insensitive comparison, trimming and
// splitting of command and reply text. Bytes >= 0x80 are never letters or
// digits and are left as they are.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::net::ascii {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

/// ASCII case-insensitive equality.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_upper(a[i]) != to_upper(b[i])) return false;
    return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = to_upper(c);
    return out;
}

/// s without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Splits on runs of spaces and tabs; no empty fields. The views point into s.
inline std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

/// Splits a block with CRLF (or LF) line ends into lines without them.
inline std::vector<std::string> split_lines(std::string_view block) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < block.size()) {
        auto nl = block.find('\n', i);
        std::size_t end = nl == std::string_view::npos ? block.size() : nl;
        std::size_t stop = end;
        if (stop > i && block[stop - 1] == '\r') --stop;
        out.emplace_back(block.substr(i, stop - i));
        i = nl == std::string_view::npos ? block.size() : nl + 1;
    }
    return out;
}

} // namespace pigeon::net::ascii
