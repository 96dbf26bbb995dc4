#include "pigeon/oauth2/pkce.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <new>
#include <stdexcept>
#include <vector>

#include "pigeon/sasl/base64.hpp"

namespace pigeon::oauth2 {

std::string base64url(std::string_view bytes) {
    // Base64, then the URL alphabet of RFC 4648 section 5 without padding
    // (RFC 7636 appendix A).
    std::string out = sasl::base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::string random_token(std::size_t n) {
    std::vector<unsigned char> buf(n);
    if (n > 0 && RAND_bytes(buf.data(), static_cast<int>(n)) != 1)
        throw std::runtime_error("the OpenSSL random generator failed");
    return base64url(std::string_view(reinterpret_cast<const char*>(buf.data()), n));
}

std::string make_code_verifier() { return random_token(32); }

std::string code_challenge_s256(std::string_view verifier) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned len = 0;
    if (EVP_Digest(verifier.data(), verifier.size(), md, &len, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    return base64url(std::string_view(reinterpret_cast<const char*>(md), len));
}

} // namespace pigeon::oauth2
