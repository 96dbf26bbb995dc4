#include "json_writer.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace pigeon::cli {
namespace {

/// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), 0 when there is none.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    std::size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((b(k) & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;  // overlong
    if (c == 0xed && b(1) > 0x9f) return 0;  // surrogates
    if (c == 0xf0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xf4 && b(1) > 0x8f) return 0;  // above U+10FFFF
    return n;
}

/// Bytes copied as they are: printable ASCII but '"' and '\\'.
struct plain_table {
    bool plain[256] = {};
    constexpr plain_table() {
        for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
    }
};
constexpr plain_table plain_bytes;

/// Whether all 8 bytes of w are plain (the same rule as plain_bytes):
/// none >= 0x80, none < 0x20, none '"' or '\\' (SWAR: 8 bytes a step).
inline bool plain8(std::uint64_t w) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    auto has_zero = [](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
    if (w & highs) return false;
    if (((w - ones * 0x20) & ~w & highs) != 0) return false;  // a byte below 0x20 (valid: no byte >= 0x80)
    return !has_zero(w ^ (ones * '"')) && !has_zero(w ^ (ones * '\\'));
}

/// Index of the first byte of s that is not plain (s.size() if none).
inline std::size_t plain_prefix(std::string_view s) noexcept {
    std::size_t i = 0;
    for (std::uint64_t w; i + 8 <= s.size(); i += 8) {
        std::memcpy(&w, s.data() + i, 8);
        if (!plain8(w)) break;
    }
    while (i < s.size() && plain_bytes.plain[static_cast<unsigned char>(s[i])]) ++i;
    return i;
}

/// Appends the quoted s when it has nothing to escape (most keys and values):
/// one write of the whole, no per-byte appends.
inline void append_quoted_plain(std::string& out, std::string_view s) {
    const std::size_t n = out.size();
    out.resize(n + s.size() + 2);
    char* p = out.data() + n;
    *p = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::size_t i = plain_prefix(s);
    if (i == s.size()) {
        append_quoted_plain(out, s);
        return;
    }
    out += '"';
    std::size_t run = 0;  // run: start of bytes copied as they are
    auto flush = [&] {
        out.append(s.data() + run, i - run);
    };
    while (i < s.size()) {
        for (std::uint64_t w; i + 8 <= s.size(); i += 8) {
            std::memcpy(&w, s.data() + i, 8);
            if (!plain8(w)) break;
        }
        while (i < s.size() && plain_bytes.plain[static_cast<unsigned char>(s[i])]) ++i;
        if (i == s.size()) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            if (std::size_t n = utf8_length(s, i)) {
                i += n;
                continue;
            }
            flush();
            out += "\xEF\xBF\xBD";  // U+FFFD for the invalid byte
            run = ++i;
            continue;
        }
        flush();
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
        run = ++i;
    }
    flush();
    out += '"';
}

void json_object_writer::key(std::string_view k) {
    // Keys are the program's own names: plain ASCII, written as they are.
    const std::size_t n = out_.size();
    const std::size_t comma = n > 1 ? 1 : 0;
    out_.resize(n + comma + k.size() + 3);
    char* p = out_.data() + n;
    if (comma) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p[k.size()] = '"';
    p[k.size() + 1] = ':';
}

json_object_writer& json_object_writer::string(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(out_, value);
    return *this;
}

namespace {
void append_number(std::string& out, std::uint64_t value) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr);
}
} // namespace

json_object_writer& json_object_writer::number(std::string_view k, std::uint64_t value) {
    key(k);
    append_number(out_, value);
    return *this;
}

json_object_writer& json_object_writer::number_or_null(std::string_view k, const std::optional<std::uint64_t>& value) {
    key(k);
    if (value) append_number(out_, *value);
    else out_ += "null";
    return *this;
}

json_object_writer& json_object_writer::string_or_null(std::string_view k, std::string_view value, bool present) {
    key(k);
    if (present) append_json_string(out_, value);
    else out_ += "null";
    return *this;
}

json_object_writer& json_object_writer::string_array(std::string_view k, const std::vector<std::string>& values) {
    key(k);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out_ += ',';
        append_json_string(out_, values[i]);
    }
    out_ += ']';
    return *this;
}

json_object_writer& json_object_writer::raw(std::string_view k, std::string_view json) {
    key(k);
    out_ += json;
    return *this;
}

std::string& json_object_writer::value_of(std::string_view k) {
    key(k);
    return out_;
}

std::string json_object_writer::finish() {
    out_ += '}';
    return std::move(out_);
}

} // namespace pigeon::cli
