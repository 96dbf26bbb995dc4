#include "pigeon/oauth2/pkce.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <new>
#include <stdexcept>
#include <vector>

namespace pigeon::oauth2 {

std::string base64url(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (bytes.size() - i == 1) {
        unsigned v = at(i) << 16;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
    } else if (bytes.size() - i == 2) {
        unsigned v = at(i) << 16 | at(i + 1) << 8;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
    }
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
