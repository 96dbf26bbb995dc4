#pragma once
// Internal helpers of the sasl module: digests and wiping (base64 is public),
// all over
// libcrypto. Not installed, not public API.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "pigeon/sasl/base64.hpp"

namespace pigeon::sasl::detail {

/// Overwrites the string's bytes (OPENSSL_cleanse) and empties it.
void wipe(std::string& s) noexcept;
/// Overwrites n bytes at p (OPENSSL_cleanse).
void wipe(void* p, std::size_t n) noexcept;

using sasl::base64_decode;
using sasl::base64_encode;

enum class digest { md5, sha1, sha256 };

/// Output size of the digest in bytes.
std::size_t digest_size(digest d) noexcept;
/// H(data). Empty string only on an internal libcrypto failure.
std::string hash(digest d, std::string_view data);
/// HMAC(key, data). Empty string only on an internal libcrypto failure.
std::string hmac(digest d, std::string_view key, std::string_view data);
/// PBKDF2-HMAC with an output of digest_size(d) bytes; false on failure.
bool pbkdf2(digest d, std::string_view password, std::string_view salt, unsigned iterations,
            std::string& out);
/// n bytes from RAND_bytes; false when the generator fails.
bool random_bytes(std::size_t n, std::string& out);

/// Lower-case hex of the bytes.
std::string hex_lower(std::string_view data);
/// Compares in time that depends only on the lengths.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;
/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace pigeon::sasl::detail
