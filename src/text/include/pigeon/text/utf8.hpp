#pragma once
// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF), fast on ASCII runs. The one UTF-8 checker of the library.
#include <cstddef>
#include <string_view>

namespace pigeon::text {

/// Length of the ASCII prefix of [p, p+n), eight bytes at a time.
std::size_t ascii_prefix(const char* p, std::size_t n) noexcept;

/// Validates one UTF-8 sequence at p (n bytes available). Returns its length
/// if valid; 0 if it is a valid but incomplete prefix (needs more bytes);
/// otherwise -(length of the maximal invalid subpart), at least 1.
int utf8_sequence(const unsigned char* p, std::size_t n) noexcept;

bool is_valid_utf8(std::string_view s) noexcept;
bool is_ascii(std::string_view s) noexcept;

} // namespace pigeon::text
