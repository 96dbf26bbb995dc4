#include "pigeon/mime/encode_base64.hpp"

#include <array>
#include <cstring>

namespace pigeon::mime {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// pairs[v] = the two characters for the 12-bit value v.
constexpr std::array<char, 8192> make_pairs()
{
    std::array<char, 8192> t{};
    for (std::size_t v = 0; v < 4096; ++v) {
        t[2 * v] = alphabet[v >> 6];
        t[2 * v + 1] = alphabet[v & 63];
    }
    return t;
}
constexpr std::array<char, 8192> pairs = make_pairs();

// Encodes `groups` whole 3-byte groups from `in` into `out` (4 * groups bytes).
inline void encode_groups(const unsigned char* in, std::size_t groups, char* out) noexcept
{
    const char* p = pairs.data();
    // Four groups (12 bytes in, 16 out) per round keep the loop overhead low.
    while (groups >= 4) {
        for (int g = 0; g < 4; ++g) {
            const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
            std::memcpy(out, p + 2 * (v >> 12), 2);
            std::memcpy(out + 2, p + 2 * (v & 0xfff), 2);
            in += 3;
            out += 4;
        }
        groups -= 4;
    }
    while (groups-- > 0) {
        const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
        std::memcpy(out, p + 2 * (v >> 12), 2);
        std::memcpy(out + 2, p + 2 * (v & 0xfff), 2);
        in += 3;
        out += 4;
    }
}

} // namespace

base64_encoder::base64_encoder(std::size_t line_length) noexcept
    : line_length_(line_length == 0 ? 0 : (line_length < 4 ? 4 : line_length / 4 * 4))
{
}

void base64_encoder::reset() noexcept
{
    column_ = 0;
    carry_len_ = 0;
}

std::size_t base64_encoder::max_output(std::size_t in_len) const noexcept
{
    const std::size_t groups = (in_len + carry_len_) / 3 + 1;
    const std::size_t chars = groups * 4;
    const std::size_t breaks = line_length_ == 0 ? 0 : chars / line_length_ + 2;
    return chars + 2 * breaks + 8;
}

std::size_t base64_encoder::feed(const char* in_chars, std::size_t in_len, char* out) noexcept
{
    const auto* in = reinterpret_cast<const unsigned char*>(in_chars);
    char* const start = out;
    // Complete a group left over from the previous call.
    if (carry_len_ > 0) {
        while (carry_len_ < 3 && in_len > 0) {
            carry_[carry_len_++] = *in++;
            --in_len;
        }
        if (carry_len_ < 3) return 0;
        if (line_length_ != 0 && column_ == line_length_) {
            out[0] = '\r';
            out[1] = '\n';
            out += 2;
            column_ = 0;
        }
        encode_groups(carry_, 1, out);
        out += 4;
        column_ += 4;
        carry_len_ = 0;
    }
    std::size_t groups = in_len / 3;
    if (line_length_ == 0) {
        encode_groups(in, groups, out);
        out += 4 * groups;
        in += 3 * groups;
    } else {
        const std::size_t per_line = line_length_ / 4;
        while (groups > 0) {
            if (column_ == line_length_) {
                out[0] = '\r';
                out[1] = '\n';
                out += 2;
                column_ = 0;
            }
            std::size_t room = per_line - column_ / 4;
            if (room > groups) room = groups;
            encode_groups(in, room, out);
            out += 4 * room;
            in += 3 * room;
            column_ += 4 * room;
            groups -= room;
            }
    }
    const std::size_t rest = in_len % 3;
    for (std::size_t i = 0; i < rest; ++i) carry_[i] = in[i];
    carry_len_ = rest;
    return static_cast<std::size_t>(out - start);
}

std::size_t base64_encoder::finish(char* out) noexcept
{
    std::size_t n = 0;
    if (carry_len_ > 0) {
        if (line_length_ != 0 && column_ == line_length_) {
            out[n++] = '\r';
            out[n++] = '\n';
        }
        const std::uint32_t v = (std::uint32_t{carry_[0]} << 16) |
                                (carry_len_ > 1 ? std::uint32_t{carry_[1]} << 8 : 0u);
        out[n++] = alphabet[(v >> 18) & 63];
        out[n++] = alphabet[(v >> 12) & 63];
        out[n++] = carry_len_ > 1 ? alphabet[(v >> 6) & 63] : '=';
        out[n++] = '=';
    }
    reset();
    return n;
}

void base64_encoder::feed(std::string_view in, std::string& out)
{
    const std::size_t old = out.size();
    out.resize(old + max_output(in.size()));
    const std::size_t n = feed(in.data(), in.size(), out.data() + old);
    out.resize(old + n);
}

void base64_encoder::finish(std::string& out)
{
    char buf[8];
    const std::size_t n = finish(buf);
    out.append(buf, n);
}

std::string encode_base64(std::string_view in, std::size_t line_length)
{
    base64_encoder enc(line_length);
    std::string out;
    enc.feed(in, out);
    enc.finish(out);
    return out;
}

std::uint64_t base64_encoded_size(std::uint64_t n, std::size_t line_length) noexcept
{
    const std::uint64_t chars = (n + 2) / 3 * 4;
    if (line_length == 0 || chars == 0) return chars;
    const std::uint64_t ll = line_length < 4 ? 4 : line_length / 4 * 4;
    const std::uint64_t lines = (chars + ll - 1) / ll;
    return chars + 2 * (lines - 1);
}

} // namespace pigeon::mime
