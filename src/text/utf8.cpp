#include "pigeon/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace pigeon::text {

std::size_t ascii_prefix(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i + 8 <= n) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL) break;
        i += 8;
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
    return i;
}

int utf8_sequence(const unsigned char* p, std::size_t n) noexcept {
    unsigned c = p[0];
    int len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return -1;
    for (int k = 1; k < len; ++k) {
        if (static_cast<std::size_t>(k) >= n) return 0;
        unsigned b = p[k];
        unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) return -k;
    }
    return len;
}

bool is_valid_utf8(std::string_view in) noexcept {
    const char* p = in.data();
    std::size_t n = in.size(), i = 0;
    while (i < n) {
        i += ascii_prefix(p + i, n - i);
        if (i >= n) break;
        int r = utf8_sequence(reinterpret_cast<const unsigned char*>(p + i), n - i);
        if (r <= 0) return false;
        i += static_cast<std::size_t>(r);
    }
    return true;
}

bool is_ascii(std::string_view s) noexcept { return ascii_prefix(s.data(), s.size()) == s.size(); }

} // namespace pigeon::text
