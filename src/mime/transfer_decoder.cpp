// Table-driven base64 and memchr-driven quoted-printable decoders.
#include <pigeon/mime/transfer_decoder.hpp>

#include <cstring>

#include "detail/ascii.hpp"

namespace pigeon::mime {

namespace {

constexpr std::uint32_t k_bad = 0xFF000000u;

// d[k][c]: the sextet of character c shifted into position k of a 24-bit
// group; k_bad for characters outside the alphabet. One OR of four lookups
// decodes a whole quantum and tells at once whether it was clean.
struct b64_tables {
    std::uint32_t d[4][256];
    signed char sextet[256];
    constexpr b64_tables() : d(), sextet() {
        for (int c = 0; c < 256; ++c) {
            int v = -1;
            if (c >= 'A' && c <= 'Z') v = c - 'A';
            else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
            else if (c >= '0' && c <= '9') v = c - '0' + 52;
            else if (c == '+') v = 62;
            else if (c == '/') v = 63;
            sextet[c] = static_cast<signed char>(v);
            for (int k = 0; k < 4; ++k)
                d[k][c] = v < 0 ? k_bad : static_cast<std::uint32_t>(v) << (18 - 6 * k);
        }
    }
};
constexpr b64_tables k_b64;

} // namespace

std::size_t base64_decoder::feed(std::string_view in, char* out) noexcept {
    if (done_) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const auto* end = p + in.size();
    char* o = out;
    for (;;) {
        if (count_ == 0) {
            // Fast path: whole clean quanta.
            while (end - p >= 4) {
                std::uint32_t x = k_b64.d[0][p[0]] | k_b64.d[1][p[1]] | k_b64.d[2][p[2]] | k_b64.d[3][p[3]];
                if (x & k_bad) break;
                o[0] = static_cast<char>(x >> 16);
                o[1] = static_cast<char>(x >> 8);
                o[2] = static_cast<char>(x);
                o += 3;
                p += 4;
            }
        }
        if (p == end) break;
        // Slow path: one character.
        unsigned char c = *p++;
        int v = k_b64.sextet[c];
        if (v >= 0) {
            pads_ = 0;
            bits_ = (bits_ << 6) | static_cast<std::uint32_t>(v);
            if (++count_ == 4) {
                o[0] = static_cast<char>(bits_ >> 16);
                o[1] = static_cast<char>(bits_ >> 8);
                o[2] = static_cast<char>(bits_);
                o += 3;
                count_ = 0;
                bits_ = 0;
            }
        } else if (c == '=') {
            if (count_ >= 2 && count_ + ++pads_ >= 4) {
                o += finish(o);
                done_ = true;
                break;
            }
        }
        // anything else: skipped
    }
    return static_cast<std::size_t>(o - out);
}

void base64_decoder::feed(std::string_view in, std::string& out) {
    std::size_t old = out.size();
    out.resize(old + max_output(in.size()));
    std::size_t n = feed(in, out.data() + old);
    out.resize(old + n);
}

std::size_t base64_decoder::finish(char* out) noexcept {
    std::size_t n = 0;
    if (count_ == 2) {
        out[0] = static_cast<char>(bits_ >> 4);
        n = 1;
    } else if (count_ == 3) {
        out[0] = static_cast<char>(bits_ >> 10);
        out[1] = static_cast<char>(bits_ >> 2);
        n = 2;
    }
    count_ = 0;
    bits_ = 0;
    pads_ = 0;
    return n;
}

void base64_decoder::finish(std::string& out) {
    char buf[3];
    out.append(buf, finish(buf));
}

// ---------------------------------------------------------------- QP

namespace {

// Decodes p[0..n); stops at an '=' sequence it cannot resolve without more
// input (unless final). Returns bytes written; consumed gets bytes read.
std::size_t qp_core(const char* p, std::size_t n, char* out, std::size_t& consumed, bool final,
                    std::size_t max_blanks) {
    std::size_t i = 0;
    char* o = out;
    while (i < n) {
        const void* eq = std::memchr(p + i, '=', n - i);
        std::size_t e = eq ? static_cast<std::size_t>(static_cast<const char*>(eq) - p) : n;
        std::memcpy(o, p + i, e - i);
        o += e - i;
        i = e;
        if (i >= n) break;
        // p[i] == '='
        if (i + 1 >= n) {
            if (final) { ++i; break; } // a lone '=' at the very end: soft break
            break;
        }
        int hi = detail::hex_value(p[i + 1]);
        if (hi >= 0) {
            if (i + 2 >= n) {
                if (final) { *o++ = '='; ++i; continue; }
                break;
            }
            int lo = detail::hex_value(p[i + 2]);
            if (lo >= 0) {
                *o++ = static_cast<char>(hi * 16 + lo);
                i += 3;
                continue;
            }
            *o++ = '=';
            ++i;
            continue;
        }
        // '=' then blanks then a line end: soft line break.
        std::size_t j = i + 1;
        while (j < n && detail::is_blank(p[j]) && j - i <= max_blanks) ++j;
        if (j - i > max_blanks) {
            *o++ = '=';
            ++i;
            continue;
        }
        if (j >= n) {
            if (final) { i = n; break; } // "=" + blanks at the end: dropped
            break;
        }
        if (p[j] == '\n') {
            i = j + 1;
            continue;
        }
        if (p[j] == '\r') {
            if (j + 1 >= n) {
                if (final) { i = n; break; }
                break;
            }
            i = p[j + 1] == '\n' ? j + 2 : j + 1;
            continue;
        }
        *o++ = '=';
        ++i;
    }
    consumed = i;
    return static_cast<std::size_t>(o - out);
}

} // namespace

std::size_t qp_decoder::feed(std::string_view in, char* out) noexcept {
    const char* p = in.data();
    std::size_t n = in.size();
    char* o = out;
    if (pending_len_ > 0) {
        char tmp[2 * kMaxPending + 4];
        std::size_t k = std::min(n, kMaxPending + 3);
        std::memcpy(tmp, pending_, pending_len_);
        std::memcpy(tmp + pending_len_, p, k);
        std::size_t consumed = 0;
        o += qp_core(tmp, pending_len_ + k, o, consumed, false, kMaxPending - 4);
        if (consumed < pending_len_) {
            // Still unresolved: only when all input went into tmp.
            std::size_t left = pending_len_ + k - consumed;
            std::memmove(pending_, tmp + consumed, left);
            pending_len_ = left;
            return static_cast<std::size_t>(o - out);
        }
        std::size_t used = consumed - pending_len_;
        pending_len_ = 0;
        p += used;
        n -= used;
    }
    std::size_t consumed = 0;
    o += qp_core(p, n, o, consumed, false, kMaxPending - 4);
    if (consumed < n) {
        std::memcpy(pending_, p + consumed, n - consumed);
        pending_len_ = n - consumed;
    }
    return static_cast<std::size_t>(o - out);
}

void qp_decoder::feed(std::string_view in, std::string& out) {
    std::size_t old = out.size();
    out.resize(old + max_output(in.size()));
    std::size_t n = feed(in, out.data() + old);
    out.resize(old + n);
}

std::size_t qp_decoder::finish(char* out) noexcept {
    std::size_t consumed = 0;
    std::size_t n = qp_core(pending_, pending_len_, out, consumed, true, kMaxPending - 4);
    pending_len_ = 0;
    return n;
}

void qp_decoder::finish(std::string& out) {
    char buf[kMaxPending + 2];
    out.append(buf, finish(buf));
}

// ---------------------------------------------------------------- any

std::size_t transfer_decoder::feed(std::string_view in, char* out) noexcept {
    switch (enc_) {
    case transfer_encoding::base64: return b64_.feed(in, out);
    case transfer_encoding::quoted_printable: return qp_.feed(in, out);
    default:
        std::memcpy(out, in.data(), in.size());
        return in.size();
    }
}

void transfer_decoder::feed(std::string_view in, std::string& out) {
    switch (enc_) {
    case transfer_encoding::base64: b64_.feed(in, out); return;
    case transfer_encoding::quoted_printable: qp_.feed(in, out); return;
    default: out.append(in); return;
    }
}

std::size_t transfer_decoder::finish(char* out) noexcept {
    switch (enc_) {
    case transfer_encoding::base64: return b64_.finish(out);
    case transfer_encoding::quoted_printable: return qp_.finish(out);
    default: return 0;
    }
}

void transfer_decoder::finish(std::string& out) {
    char buf[128];
    out.append(buf, finish(buf));
}

std::string decode_base64(std::string_view in) {
    base64_decoder d;
    std::string out;
    d.feed(in, out);
    d.finish(out);
    return out;
}

std::string decode_quoted_printable(std::string_view in) {
    qp_decoder d;
    std::string out;
    d.feed(in, out);
    d.finish(out);
    return out;
}

} // namespace pigeon::mime
