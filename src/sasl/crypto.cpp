#include "detail/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>

namespace pigeon::sasl::detail {
namespace {

const EVP_MD* md_of(digest d) noexcept {
    switch (d) {
    case digest::md5: return EVP_md5();
    case digest::sha1: return EVP_sha1();
    case digest::sha256: return EVP_sha256();
    }
    return nullptr;
}

const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s) noexcept { return reinterpret_cast<unsigned char*>(s.data()); }

int b64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// EVP_EncodeBlock / EVP_DecodeBlock take int lengths; work in chunks well
// below INT_MAX that keep the 3:4 alignment.
constexpr std::size_t encode_chunk = 3u * 1024u * 1024u;
constexpr std::size_t decode_chunk = 4u * 1024u * 1024u;

} // namespace

void wipe(std::string& s) noexcept {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}

void wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

std::size_t digest_size(digest d) noexcept { return static_cast<std::size_t>(EVP_MD_get_size(md_of(d))); }

std::string hash(digest d, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), bytes(out), &len, md_of(d), nullptr) != 1) return {};
    out.resize(len);
    return out;
}

std::string hmac(digest d, std::string_view key, std::string_view data) {
    if (key.size() > static_cast<std::size_t>(INT_MAX)) return {};
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (HMAC(md_of(d), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), bytes(out), &len) ==
        nullptr)
        return {};
    out.resize(len);
    return out;
}

bool pbkdf2(digest d, std::string_view password, std::string_view salt, unsigned iterations,
            std::string& out) {
    if (password.size() > static_cast<std::size_t>(INT_MAX) || salt.size() > static_cast<std::size_t>(INT_MAX) ||
        iterations == 0 || iterations > static_cast<unsigned>(INT_MAX))
        return false;
    out.assign(digest_size(d), '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), md_of(d),
                          static_cast<int>(out.size()), bytes(out)) != 1) {
        wipe(out);
        return false;
    }
    return true;
}

bool random_bytes(std::size_t n, std::string& out) {
    if (n > static_cast<std::size_t>(INT_MAX)) return false;
    out.assign(n, '\0');
    return RAND_bytes(bytes(out), static_cast<int>(n)) == 1;
}

std::string hex_lower(std::string_view data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const char c : data) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
        if (x != y) return false;
    }
    return true;
}

} // namespace pigeon::sasl::detail

// The public base64 (pigeon/sasl/base64.hpp), on the helpers above.
namespace pigeon::sasl {
using namespace detail;

std::string base64_encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    while (!data.empty()) {
        const std::size_t n = data.size() < encode_chunk ? data.size() : encode_chunk;
        const std::size_t at = out.size();
        out.resize(at + (n + 2) / 3 * 4 + 1);  // EVP_EncodeBlock writes a NUL
        const int written = EVP_EncodeBlock(bytes(out) + at, bytes(data), static_cast<int>(n));
        out.resize(at + static_cast<std::size_t>(written));
        data.remove_prefix(n);
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view b64) {
    if (b64.size() % 4 != 0) return std::nullopt;
    std::size_t pad = 0;
    if (!b64.empty() && b64.back() == '=') pad = (b64.size() >= 2 && b64[b64.size() - 2] == '=') ? 2 : 1;
    for (std::size_t i = 0; i < b64.size() - pad; ++i)
        if (b64_value(b64[i]) < 0) return std::nullopt;
    // A third '=' from the end, or one inside, failed the alphabet check above.
    // The bits the padding leaves over must be zero (canonical encoding).
    if (pad > 0) {
        const int last = b64_value(b64[b64.size() - pad - 1]);
        if ((last & (pad == 1 ? 0x03 : 0x0f)) != 0) return std::nullopt;
    }

    std::string out;
    out.reserve(b64.size() / 4 * 3);
    while (!b64.empty()) {
        const std::size_t n = b64.size() < decode_chunk ? b64.size() : decode_chunk;
        const std::size_t at = out.size();
        out.resize(at + n / 4 * 3 + 1);
        const int got = EVP_DecodeBlock(bytes(out) + at, bytes(b64.substr(0, n)), static_cast<int>(n));
        if (got < 0) {
            wipe(out);
            return std::nullopt;
        }
        out.resize(at + static_cast<std::size_t>(got));
        b64.remove_prefix(n);
    }
    // EVP_DecodeBlock counts the padding as zero bytes; drop them.
    out.resize(out.size() - pad);
    return out;
}

} // namespace pigeon::sasl
