#pragma once
// Small ASCII helpers private to the IMAP module (locale-independent).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::imap::detail {

constexpr char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

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

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Splits on runs of spaces and tabs; no empty fields.
inline std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
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

} // namespace pigeon::imap::detail
