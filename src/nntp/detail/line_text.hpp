#pragma once
// Private helpers of the NNTP reading codecs: splitting a response line into
// its fields and checking names. Not installed.
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp::detail {

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

/// A group name, header name or other one-token field as a server sends it:
/// not empty, no SP, TAB, control character, DEL or NUL. Bytes >= 0x80 pass
/// (UTF-8 group names).
inline bool is_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    return true;
}

/// The first run of non-blank bytes (after leading blanks) and what follows
/// it, the separating blanks skipped. Both views point into s.
inline std::pair<std::string_view, std::string_view> next_word(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_blank(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_blank(s[j])) ++j;
    std::size_t k = j;
    while (k < s.size() && is_blank(s[k])) ++k;
    return {s.substr(i, j - i), s.substr(k)};
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

/// What fail_with returns: converts to an empty std::optional of any type.
struct failure {
    template <class T> operator std::optional<T>() const noexcept { return std::nullopt; }
};
/// Sets ec: `return fail_with(ec, codec_errc::malformed);` in a parser.
inline failure fail_with(std::error_code& ec, codec_errc e) noexcept {
    ec = make_error_code(e);
    return {};
}

} // namespace pigeon::nntp::detail
