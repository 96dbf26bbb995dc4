#pragma once
// Small text helpers shared by the smtp sources (not public API).
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::smtp::detail {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_upper(a[i]) != to_upper(b[i])) return false;
    return true;
}

inline std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_upper(c);
    return out;
}

/// Length of a leading enhanced status "k.s.d" of class klass followed by a
/// space (included) or the end of s; 0 when s does not start with one.
/// Sets the parsed numbers when non-null.
std::size_t enhanced_status_prefix(std::string_view s, int klass, unsigned* subject = nullptr,
                                   unsigned* detail = nullptr) noexcept;

} // namespace pigeon::smtp::detail
