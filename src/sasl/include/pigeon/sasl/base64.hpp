#pragma once
// Base64 (RFC 4648 section 4) on libcrypto: what SASL exchanges carry, and
// the one encoder the other modules use for short values (OAuth2's PKCE
// base64url is this plus the URL alphabet). MIME bodies have their own
// streaming codec (pigeon/mime/encode_base64.hpp).
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::sasl {

/// Standard base64 with padding, no line breaks.
std::string base64_encode(std::string_view data);
/// Strict standard base64: only A-Z a-z 0-9 + /, length a multiple of 4,
/// '=' only as one or two final padding characters, no whitespace.
/// nullopt when the input is not exactly that. Empty input decodes to "".
std::optional<std::string> base64_decode(std::string_view b64);

} // namespace pigeon::sasl
