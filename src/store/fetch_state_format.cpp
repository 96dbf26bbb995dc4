#include "fetch_state_format.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include "pigeon/text/percent.hpp"

namespace pigeon::store::detail {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

bool needs_escape(unsigned char c) { return c == '%' || c < 0x20 || c == 0x7f; }

}  // namespace

bool unescape(std::string_view in, std::string& out) {
    out.clear();
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c >= 0x20 && c != 0x7f && c != '%') continue;
        if (c != '%' || in.size() - i < 3) return false;
        const int hi = text::hex_value(in[i + 1]);
        const int lo = text::hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.append(in.data() + run, i - run);
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        run = i + 1;
    }
    out.append(in.data() + run, in.size() - run);
    return true;
}

namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

template <class T>
void append_number(std::string& out, T v) {
    std::array<char, 24> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), r.ptr);
}

void append_key(std::string& out, const message_key& k) {
    append_escaped(out, k.folder);
    out.push_back('\t');
    append_number(out, k.uidvalidity);
    out.push_back('\t');
    append_number(out, k.uid);
    out.push_back('\t');
    append_escaped(out, k.uidl);
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!needs_escape(c)) continue;
        out.append(s.data() + run, i - run);
        out.push_back('%');
        out.push_back(hex_digits[c >> 4]);
        out.push_back(hex_digits[c & 0xf]);
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
}

void append_record_line(std::string& out, entry_kind kind, const delivered_record& r) {
    out.push_back(static_cast<char>(kind));
    out.push_back('\t');
    append_key(out, r.key);
    out.push_back('\t');
    append_number(out, r.size);
    out.push_back('\t');
    append_escaped(out, r.sha256_hex);
    out.push_back('\t');
    append_escaped(out, r.message_id);
    out.push_back('\t');
    append_escaped(out, r.location);
    out.push_back('\t');
    append_escaped(out, r.destination);
    if (r.delivered_at > 0) {   // an 11th field since pigeon 0.2; older lines have 10
        out.push_back('\t');
        append_number(out, static_cast<std::uint64_t>(r.delivered_at));
    }
    out.push_back('\n');
}

void append_forget_line(std::string& out, const message_key& k) {
    out.push_back(static_cast<char>(entry_kind::forget));
    out.push_back('\t');
    append_key(out, k);
    out.push_back('\n');
}

bool parse_journal_line(std::string_view line, journal_entry& out) {
    std::array<std::string_view, 11> f{};
    std::size_t n = 0;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        if (n == f.size()) return false;  // too many fields
        f[n++] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    if (f[0].size() != 1) return false;
    const char kind = f[0][0];
    if (kind == 'F') {
        if (n != 5) return false;
        out.kind = entry_kind::forget;
    } else if (kind == 'I' || kind == 'D') {
        if (n != 10 && n != 11) return false;
        out.kind = kind == 'I' ? entry_kind::intent : entry_kind::delivered;
    } else {
        return false;
    }
    delivered_record& r = out.record;
    if (!unescape(f[1], r.key.folder) || !parse_number(f[2], r.key.uidvalidity) ||
        !parse_number(f[3], r.key.uid) || !unescape(f[4], r.key.uidl))
        return false;
    if (out.kind == entry_kind::forget) {
        r.size = 0;
        r.sha256_hex.clear();
        r.message_id.clear();
        r.location.clear();
        r.destination.clear();
        r.delivered_at = 0;
        return true;
    }
    r.delivered_at = 0;
    if (n == 11) {
        std::uint64_t t = 0;
        if (!parse_number(f[10], t) || t > static_cast<std::uint64_t>(INT64_MAX)) return false;
        r.delivered_at = static_cast<std::int64_t>(t);
    }
    return parse_number(f[5], r.size) && unescape(f[6], r.sha256_hex) && unescape(f[7], r.message_id) &&
           unescape(f[8], r.location) && unescape(f[9], r.destination);
}

}  // namespace pigeon::store::detail
