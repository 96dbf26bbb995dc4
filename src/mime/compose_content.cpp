#include "pigeon/mime/compose_content.hpp"

#include "pigeon/text/line_normalizer.hpp"

#include <cstdint>

namespace pigeon::mime {

std::string_view compose_encoding_name(compose_encoding e) noexcept
{
    switch (e) {
    case compose_encoding::seven_bit: return "7bit";
    case compose_encoding::eight_bit: return "8bit";
    case compose_encoding::quoted_printable: return "quoted-printable";
    case compose_encoding::base64: return "base64";
    case compose_encoding::automatic: break;
    }
    return "7bit";
}

content_stats scan_content(std::string_view d) noexcept
{
    content_stats s;
    s.size = d.size();
    std::size_t line = 0;
    std::size_t utf8_need = 0; // continuation bytes still expected
    std::uint32_t cp = 0, min_cp = 0;
    const std::size_t n = d.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(d[i]);
        if (line == 0) {
            if (c == '.') s.dot_line = true;
            else if (c == 'F' && d.substr(i, 5) == "From ") s.from_line = true;
        }
        if (c >= 0x80) {
            ++s.non_ascii;
            ++s.qp_escapes;
            ++line;
            if (utf8_need > 0) {
                if ((c & 0xC0) == 0x80) {
                    cp = (cp << 6) | (c & 0x3Fu);
                    if (--utf8_need == 0 && (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
                        s.valid_utf8 = false;
                    continue;
                }
                s.valid_utf8 = false;
                utf8_need = 0;
            }
            if (c >= 0xC2 && c <= 0xDF) { utf8_need = 1; cp = c & 0x1Fu; min_cp = 0x80; }
            else if (c >= 0xE0 && c <= 0xEF) { utf8_need = 2; cp = c & 0x0Fu; min_cp = 0x800; }
            else if (c >= 0xF0 && c <= 0xF4) { utf8_need = 3; cp = c & 0x07u; min_cp = 0x10000; }
            else s.valid_utf8 = false;
            continue;
        }
        if (utf8_need > 0) {
            s.valid_utf8 = false;
            utf8_need = 0;
        }
        if (c == '\r') {
            if (i + 1 < n && d[i + 1] == '\n') {
                if (line > s.max_line) s.max_line = line;
                line = 0;
                ++i;
                continue;
            }
            ++s.bare_cr;
            ++s.qp_escapes;
            ++line;
            continue;
        }
        if (c == '\n') {
            ++s.bare_lf;
            ++s.qp_escapes;
            if (line > s.max_line) s.max_line = line;
            line = 0;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            ++s.controls;
            ++s.qp_escapes;
            if (c == 0) ++s.nul;
        } else if (c == '=') {
            ++s.qp_escapes;
        }
        ++line;
    }
    if (utf8_need > 0) s.valid_utf8 = false;
    if (line > s.max_line) s.max_line = line;
    return s;
}

compose_encoding choose_transfer_encoding(const content_stats& s, bool is_text, bool utf8_text,
                                           const compose_options& opt) noexcept
{
    const std::size_t max_line = opt.max_unencoded_line > 998 ? 998 : opt.max_unencoded_line;
    const bool lines_ok = s.max_line <= max_line && s.bare_cr == 0 && s.bare_lf == 0 &&
                          !(opt.from_safe && (s.from_line || s.dot_line));
    if (lines_ok && s.non_ascii == 0 && s.controls == 0) return compose_encoding::seven_bit;
    if (!is_text) return compose_encoding::base64;
    if (opt.allow_8bit && lines_ok && s.controls == 0 && (!utf8_text || s.valid_utf8))
        return compose_encoding::eight_bit;
    if (s.nul == 0 && s.qp_escapes * 6 <= s.size) return compose_encoding::quoted_printable;
    return compose_encoding::base64;
}

std::string normalize_crlf(std::string_view t) { return text::normalize_line_ends(t); }

} // namespace pigeon::mime
