#pragma once
// Proof Key for Code Exchange (RFC 7636) and the random values of an
// authorization request: verifier, S256 challenge, state.
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::oauth2 {

/// base64url without padding (RFC 4648 section 5).
std::string base64url(std::string_view bytes);

/// n random bytes from the OpenSSL DRBG, base64url-encoded.
std::string random_token(std::size_t n);

/// A fresh code verifier: 32 random bytes, 43 characters (RFC 7636 4.1).
std::string make_code_verifier();

/// BASE64URL(SHA-256(verifier)), the S256 code challenge (RFC 7636 4.2).
std::string code_challenge_s256(std::string_view verifier);

} // namespace pigeon::oauth2
