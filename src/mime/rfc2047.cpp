// RFC 2047 encoded-word decoding.
#include <pigeon/mime/rfc2047.hpp>

#include <pigeon/mime/charset.hpp>
#include <pigeon/mime/header.hpp>
#include <pigeon/mime/transfer_decoder.hpp>

#include "detail/ascii.hpp"
#include "detail/charset.hpp"

namespace pigeon::mime {

namespace {

// Parses an encoded word starting at s[q] == '=' (s[q+1] == '?'). On success
// sets end (index after "?="), charset and decoded bytes.
bool parse_word(std::string_view s, std::size_t q, std::size_t& end, std::string& charset, std::string& bytes) {
    std::size_t p = q + 2;
    std::size_t cs = p;
    while (p < s.size() && s[p] != '?' && !detail::is_wsp(s[p])) ++p;
    if (p >= s.size() || s[p] != '?' || p == cs || p - cs > 64) return false;
    std::string_view cname = s.substr(cs, p - cs);
    if (p + 2 >= s.size() || s[p + 2] != '?') return false;
    char enc = detail::to_lower(s[p + 1]);
    if (enc != 'q' && enc != 'b') return false;
    std::size_t t = p + 3;
    std::size_t k = t;
    while (k < s.size() && s[k] != '?' && !detail::is_wsp(s[k])) ++k;
    if (k + 1 >= s.size() || s[k] != '?' || s[k + 1] != '=') return false;
    std::string_view text = s.substr(t, k - t);
    bytes.clear();
    if (enc == 'b') {
        std::size_t chars = 0;
        for (char c : text) {
            if (c == '=') continue;
            if (!(detail::is_alpha(c) || detail::is_digit(c) || c == '+' || c == '/')) return false;
            ++chars;
        }
        if (chars % 4 == 1) return false;
        base64_decoder d;
        d.feed(text, bytes);
        d.finish(bytes);
    } else {
        bytes.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            char c = text[i];
            if (c == '_') {
                bytes.push_back(' ');
            } else if (c == '=' && i + 2 < text.size() && detail::hex_value(text[i + 1]) >= 0 &&
                       detail::hex_value(text[i + 2]) >= 0) {
                bytes.push_back(static_cast<char>(detail::hex_value(text[i + 1]) * 16 + detail::hex_value(text[i + 2])));
                i += 2;
            } else {
                bytes.push_back(c);
            }
        }
    }
    charset = normalize_charset(cname);
    end = k + 2;
    return true;
}

bool all_wsp(std::string_view s) noexcept {
    for (char c : s)
        if (!detail::is_wsp(c)) return false;
    return true;
}

std::string decode_impl(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::string run_charset, run_bytes, cs, bytes;
    bool in_run = false;
    static const std::string no_charset;
    auto flush_run = [&] {
        if (in_run) {
            detail::append_utf8_from(run_charset, run_bytes, out);
            run_bytes.clear();
            in_run = false;
        }
    };
    auto literal = [&](std::string_view lit) {
        if (lit.empty()) return;
        flush_run();
        detail::append_utf8_from(no_charset, lit, out);
    };
    std::size_t i = 0, lit_start = 0;
    while (true) {
        std::size_t q = s.find("=?", i);
        if (q == std::string_view::npos) break;
        std::size_t end = 0;
        if (!parse_word(s, q, end, cs, bytes)) {
            i = q + 1;
            continue;
        }
        std::string_view between = s.substr(lit_start, q - lit_start);
        if (!(in_run && all_wsp(between))) literal(between);
        if (in_run && cs == run_charset) {
            run_bytes += bytes;
        } else {
            flush_run();
            run_charset.swap(cs);
            run_bytes.swap(bytes);
            in_run = true;
        }
        i = lit_start = end;
    }
    literal(s.substr(lit_start));
    flush_run();
    return out;
}

} // namespace

bool decode_encoded_word(std::string_view word, std::string& charset, std::string& bytes) {
    std::size_t end = 0;
    if (word.size() < 8 || word[0] != '=' || word[1] != '?') return false;
    return parse_word(word, 0, end, charset, bytes) && end == word.size();
}

std::string decode_unstructured(std::string_view raw) {
    std::string folded;
    std::string_view t = raw;
    if (raw.find('\n') != std::string_view::npos) {
        folded = unfold(raw);
        t = folded;
    }
    t = detail::trim(t);
    if (t.find("=?") == std::string_view::npos) {
        // Common case: no encoded word.
        if (is_valid_utf8(t)) return detail::scrub_controls(std::string(t));
        return detail::scrub_controls(to_utf8("", t));
    }
    std::string d = decode_impl(t);
    return detail::scrub_controls(std::string(detail::trim(d)));
}

bool is_plain_unstructured(std::string_view raw) noexcept {
    if (raw.empty()) return true;
    if (detail::is_wsp(raw.front()) || detail::is_wsp(raw.back())) return false;
    bool ascii = true;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto u = static_cast<unsigned char>(raw[i]);
        if ((u < 0x20 && u != '\t') || u == 0x7F) return false;  // line breaks too
        if (u >= 0x80) ascii = false;
        if (u == '=' && i + 1 < raw.size() && raw[i + 1] == '?') return false;
    }
    return ascii || is_valid_utf8(raw);
}

std::string decode_phrase_words(std::string_view text) {
    return detail::scrub_controls(decode_impl(text));
}

} // namespace pigeon::mime
