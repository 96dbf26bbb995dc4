#pragma once
// Private helpers for reading typed values out of the token tree.
#include <cstdint>
#include <optional>
#include <string>

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
