#pragma once
// Private helpers for reading typed values out of the token tree.
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "pigeon/imap/response.hpp"

namespace pigeon::imap::detail {

inline bool is_nil(const token& t) noexcept { return t.kind == token_kind::nil; }
inline bool is_list(const token& t) noexcept { return t.kind == token_kind::list; }
/// quoted or literal (string), not an atom.
inline bool is_string_token(const token& t) noexcept {
    return t.kind == token_kind::quoted || t.kind == token_kind::literal;
}

/// nstring: a string, or NIL as empty. QUIRK(various): atoms and numbers
/// where a string is due are taken as their text.
inline std::optional<std::string> nstring(const token& t) {
    if (is_nil(t)) return std::string();
    if (t.is_string()) return t.text;
    return std::nullopt;
}

/// A member of a token tree whose root came as From&& (deduced by a
/// forwarding reference): moved from when the root was given up (an
/// rvalue), read as const otherwise. (C++23's std::forward_like.)
template <class From, class T>
constexpr decltype(auto) forward_like(T& member) noexcept {
    if constexpr (std::is_lvalue_reference_v<From> || std::is_const_v<std::remove_reference_t<From>>)
        return static_cast<const T&>(member);
    else
        return std::move(member);
}

/// nstring that takes the text out of a token the caller gives up.
inline std::optional<std::string> nstring(token&& t) {
    if (is_nil(t)) return std::string();
    if (t.is_string()) return std::move(t.text);
    return std::nullopt;
}

/// A number that fits 32 bits (number / nz-number when nonzero is true).
inline std::optional<std::uint32_t> number32(const token& t, bool nonzero = false) noexcept {
    auto v = t.as_number();
    if (!v || *v > 0xffffffffULL || (nonzero && *v == 0)) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

/// number64 (RFC 9051: 0 .. 2^63 - 1).
inline std::optional<std::uint64_t> number63(const token& t) noexcept {
    auto v = t.as_number();
    if (!v || *v > 0x7fffffffffffffffULL) return std::nullopt;
    return v;
}

} // namespace pigeon::imap::detail
