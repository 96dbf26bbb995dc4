// Charset conversion to UTF-8: fast paths for UTF-8 / US-ASCII, ISO-8859-1
// and Windows-1252; glibc iconv for the rest.
#include <pigeon/mime/charset.hpp>

#include <cerrno>
#include <cstring>
#include <iconv.h>

#include "detail/ascii.hpp"
#include "detail/charset.hpp"

namespace pigeon::mime {

namespace {

// Windows-1252 0x80..0x9F; 0 = undefined.
constexpr unsigned short k_cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

enum class kind {
    utf8,          // UTF-8 (also US-ASCII): invalid -> U+FFFD
    utf8_fallback, // unlabelled/unknown: UTF-8, invalid bytes read as Windows-1252
    latin1,
    cp1252,
    iconv,
};

using text::ascii_prefix;

inline int utf8_seq(const unsigned char* p, std::size_t n) noexcept { return text::utf8_sequence(p, n); }

void append_cp1252(std::string& out, unsigned char c) {
    if (c < 0x80) out.push_back(static_cast<char>(c));
    else if (c < 0xA0) {
        unsigned cp = k_cp1252[c - 0x80];
        if (cp) detail::append_utf8(out, cp);
        else out.append(detail::replacement_char);
    } else {
        detail::append_utf8(out, c);
    }
}

// ISO-8859-1 (or Windows-1252) to UTF-8: copy ASCII runs, expand the rest.
void convert_single_byte(const char* p, std::size_t n, std::string& out, bool cp1252) {
    std::size_t i = 0;
    while (i < n) {
        std::size_t a = ascii_prefix(p + i, n - i);
        out.append(p + i, a);
        i += a;
        while (i < n && static_cast<unsigned char>(p[i]) >= 0x80) {
            auto c = static_cast<unsigned char>(p[i++]);
            if (cp1252) {
                append_cp1252(out, c);
            } else {
                out.push_back(static_cast<char>(0xC0 | (c >> 6)));
                out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
            }
        }
    }
}

std::string iconv_name(const std::string& norm) {
    // Labels seen in mail that iconv spells differently, or that are
    // in practice their supersets.
    struct alias { const char* from; const char* to; };
    static constexpr alias table[] = {
        {"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"}, {"euc-kr", "CP949"},
        {"gb2312", "GBK"}, {"x-gbk", "GBK"}, {"gb_2312-80", "GBK"},
        {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-6-i", "ISO-8859-6"},
        {"shift-jis", "SHIFT_JIS"}, {"x-sjis", "SHIFT_JIS"}, {"sjis", "SHIFT_JIS"},
        {"unicode-1-1-utf-7", "UTF-7"}, {"utf7", "UTF-7"}, {"x-unicode20utf8", "UTF-8"},
        {"windows-874", "CP874"}, {"tis-620", "CP874"}, {"big5", "BIG5-HKSCS"},
        {"x-mac-roman", "MACINTOSH"}, {"macintosh", "MACINTOSH"},
        {"cp-850", "CP850"}, {"ibm850", "CP850"},
    };
    for (const auto& a : table)
        if (norm == a.from) return a.to;
    return norm;
}

kind classify(const std::string& n) {
    if (n == "utf-8" || n == "us-ascii") return kind::utf8;
    if (n.empty() || n == "unknown-8bit" || n == "x-unknown" || n == "unknown" || n == "8bit") return kind::utf8_fallback;
    if (n == "iso-8859-1") return kind::latin1;
    if (n == "windows-1252") return kind::cp1252;
    return kind::iconv;
}

} // namespace

std::string normalize_charset(std::string_view name) {
    // Fast path for the names nearly all mail uses, already canonical.
    if (name.size() <= 12) {
        char buf[12];
        for (std::size_t i = 0; i < name.size(); ++i) buf[i] = detail::to_lower(name[i]);
        std::string_view l(buf, name.size());
        if (l == "utf-8" || l == "us-ascii" || l == "iso-8859-1" || l == "windows-1252" || l == "iso-8859-15")
            return std::string(l);
    }
    std::string_view t = detail::trim(name);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = detail::trim(t.substr(1, t.size() - 2));
    std::size_t star = t.find('*'); // RFC 2231 language: "utf-8*en"
    if (star != std::string_view::npos) t = t.substr(0, star);
    std::string n = detail::lower(t);
    if (n == "utf8" || n == "utf-8-sig") return "utf-8";
    if (n == "ascii" || n == "us_ascii" || n == "ansi_x3.4-1968" || n == "iso646-us" || n == "646" || n == "usascii" ||
        n == "iso-ir-6" || n == "us")
        return "us-ascii";
    if (n == "latin1" || n == "latin-1" || n == "iso8859-1" || n == "iso_8859-1" || n == "iso-8859-1:1987" ||
        n == "l1" || n == "iso8859_1" || n == "iso_8859-1:1987" || n == "ibm819" || n == "cp819")
        return "iso-8859-1";
    if (n == "cp1252" || n == "win-1252" || n == "x-cp1252" || n == "windows1252") return "windows-1252";
    if (n.size() > 8 && n.compare(0, 8, "iso8859-") == 0) return "iso-8859-" + n.substr(8);
    if (n.size() > 8 && n.compare(0, 8, "iso_8859") == 0 && (n[8] == '-' || n[8] == '_')) return "iso-8859-" + n.substr(9);
    return n;
}

struct charset_decoder::impl {
    kind k = kind::utf8;
    iconv_t cd = reinterpret_cast<iconv_t>(-1);
    unsigned char pending[16];
    std::size_t pending_len = 0;
    bool errors = false;
    bool known = true;

    ~impl() {
        if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
    }

    void replacement(std::string& out) {
        out.append(detail::replacement_char);
        errors = true;
    }

    // UTF-8 (optionally with Windows-1252 for invalid bytes).
    void feed_utf8(const char* p, std::size_t n, std::string& out, bool final) {
        const bool fallback = k == kind::utf8_fallback;
        // Complete a sequence split by the previous call.
        while (pending_len > 0 && n > 0) {
            pending[pending_len++] = static_cast<unsigned char>(*p++);
            --n;
            int r = utf8_seq(pending, pending_len);
            if (r == 0) continue;
            if (r > 0) {
                out.append(reinterpret_cast<const char*>(pending), pending_len);
                pending_len = 0;
            } else {
                // Invalid: resolve the first -r bytes, re-scan the rest.
                std::size_t bad = static_cast<std::size_t>(-r);
                if (fallback) for (std::size_t q = 0; q < bad; ++q) append_cp1252(out, pending[q]);
                else replacement(out);
                unsigned char rest[16];
                std::size_t rl = pending_len - bad;
                std::memcpy(rest, pending + bad, rl);
                pending_len = 0;
                std::string tmp(reinterpret_cast<const char*>(rest), rl);
                feed_utf8(tmp.data(), tmp.size(), out, false);
            }
        }
        std::size_t i = 0;
        while (i < n) {
            std::size_t a = ascii_prefix(p + i, n - i);
            if (a) {
                out.append(p + i, a);
                i += a;
                if (i >= n) break;
            }
            const auto* u = reinterpret_cast<const unsigned char*>(p + i);
            int r = utf8_seq(u, n - i);
            if (r > 0) {
                out.append(p + i, static_cast<std::size_t>(r));
                i += static_cast<std::size_t>(r);
            } else if (r == 0) {
                std::memcpy(pending, u, n - i);
                pending_len = n - i;
                i = n;
            } else {
                std::size_t bad = static_cast<std::size_t>(-r);
                if (fallback) for (std::size_t q = 0; q < bad; ++q) append_cp1252(out, u[q]);
                else replacement(out);
                i += bad;
            }
        }
        if (final && pending_len > 0) {
            if (fallback) for (std::size_t q = 0; q < pending_len; ++q) append_cp1252(out, pending[q]);
            else replacement(out);
            pending_len = 0;
        }
    }

    void feed_latin1(const char* p, std::size_t n, std::string& out) { convert_single_byte(p, n, out, k == kind::cp1252); }

    void feed_iconv(const char* p, std::size_t n, std::string& out, bool final) {
        std::string joined;
        if (pending_len > 0) {
            joined.assign(reinterpret_cast<const char*>(pending), pending_len);
            joined.append(p, n);
            pending_len = 0;
            p = joined.data();
            n = joined.size();
        }
        char* in = const_cast<char*>(p);
        std::size_t inleft = n;
        char buf[4096];
        while (inleft > 0) {
            char* o = buf;
            std::size_t oleft = sizeof buf;
            std::size_t r = iconv(cd, &in, &inleft, &o, &oleft);
            out.append(buf, sizeof buf - oleft);
            if (r != static_cast<std::size_t>(-1)) break;
            if (errno == E2BIG) continue;
            if (errno == EINVAL) {
                // Incomplete character at the end.
                if (!final && inleft < sizeof pending) {
                    std::memcpy(pending, in, inleft);
                    pending_len = inleft;
                } else {
                    replacement(out);
                }
                inleft = 0;
                break;
            }
            // EILSEQ (or anything else): one byte becomes U+FFFD.
            replacement(out);
            ++in;
            --inleft;
        }
        if (final) {
            char* o = buf;
            std::size_t oleft = sizeof buf;
            iconv(cd, nullptr, nullptr, &o, &oleft);
            out.append(buf, sizeof buf - oleft);
        }
    }

    void feed(const char* p, std::size_t n, std::string& out, bool final) {
        switch (k) {
        case kind::utf8:
        case kind::utf8_fallback: feed_utf8(p, n, out, final); break;
        case kind::latin1:
        case kind::cp1252: feed_latin1(p, n, out); break;
        case kind::iconv: feed_iconv(p, n, out, final); break;
        }
    }
};

charset_decoder::charset_decoder(std::string_view charset) : impl_(std::make_unique<impl>()) {
    std::string n = normalize_charset(charset);
    impl_->k = classify(n);
    if (impl_->k == kind::iconv) {
        impl_->cd = iconv_open("UTF-8", iconv_name(n).c_str());
        if (impl_->cd == reinterpret_cast<iconv_t>(-1)) {
            impl_->k = kind::utf8_fallback;
            impl_->known = false;
        }
    } else if (impl_->k == kind::utf8_fallback) {
        impl_->known = n.empty() ? true : false;
    }
}

charset_decoder::~charset_decoder() = default;
charset_decoder::charset_decoder(charset_decoder&&) noexcept = default;
charset_decoder& charset_decoder::operator=(charset_decoder&&) noexcept = default;

void charset_decoder::feed(std::string_view in, std::string& out) { impl_->feed(in.data(), in.size(), out, false); }
void charset_decoder::finish(std::string& out) { impl_->feed(nullptr, 0, out, true); }

void charset_decoder::reset() {
    impl_->pending_len = 0;
    impl_->errors = false;
    if (impl_->k == kind::iconv) iconv(impl_->cd, nullptr, nullptr, nullptr, nullptr);
}

bool charset_decoder::known() const noexcept { return impl_->known; }
bool charset_decoder::had_errors() const noexcept { return impl_->errors; }

bool charset_supported(std::string_view charset) {
    std::string n = normalize_charset(charset);
    kind k = classify(n);
    if (k != kind::iconv) return k != kind::utf8_fallback || n.empty();
    iconv_t cd = iconv_open("UTF-8", iconv_name(n).c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv_close(cd);
    return true;
}

namespace detail {
void append_utf8_from(const std::string& normalized, std::string_view in, std::string& out) {
    kind k = classify(normalized);
    if ((k == kind::utf8 || k == kind::utf8_fallback) && is_valid_utf8(in)) {
        out.append(in); // fast path: valid UTF-8 is copied once
        return;
    }
    if (k == kind::latin1 || k == kind::cp1252) {
        convert_single_byte(in.data(), in.size(), out, k == kind::cp1252);
        return;
    }
    charset_decoder d(normalized);
    d.feed(in, out);
    d.finish(out);
}
} // namespace detail

std::string to_utf8(std::string_view charset, std::string_view in) {
    std::string out;
    out.reserve(in.size() + in.size() / 8);
    detail::append_utf8_from(normalize_charset(charset), in, out);
    return out;
}

std::string sanitize_utf8(std::string_view in) { return to_utf8("utf-8", in); }

} // namespace pigeon::mime
