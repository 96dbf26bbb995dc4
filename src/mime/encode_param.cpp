#include "pigeon/mime/encode_param.hpp"

#include "pigeon/mime/compose_error.hpp"
#include "pigeon/mime/encode_header.hpp"
#include "pigeon/mime/encode_word.hpp"

#include <vector>

namespace pigeon::mime {
namespace {

constexpr std::size_t max_piece = 74;   // "name*N*=..." on a folded line: " " + piece + ";" <= 76
constexpr std::size_t max_fallback = 900;
constexpr char hex[] = "0123456789ABCDEF";

bool is_tspecial(unsigned char c) noexcept
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=':
        return true;
    default:
        return false;
    }
}

bool is_token_char(unsigned char c) noexcept { return c > 32 && c < 127 && !is_tspecial(c); }

bool is_attr_char(unsigned char c) noexcept { return is_token_char(c) && c != '*' && c != '\'' && c != '%'; }

std::size_t char_len(std::string_view s, std::size_t i) noexcept
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (c >= 0xF0 && c <= 0xF4) n = 4;
    else if (c >= 0xE0 && c <= 0xEF) n = 3;
    else if (c >= 0xC2 && c <= 0xDF) n = 2;
    return i + n > s.size() ? 1 : n;
}

std::string quote(std::string_view s)
{
    std::string q;
    q.reserve(s.size() + 4);
    q += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    q += '"';
    return q;
}

} // namespace

bool is_mime_token(std::string_view s) noexcept
{
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token_char(static_cast<unsigned char>(c))) return false;
    return true;
}

std::error_code encode_parameter(std::string_view name, std::string_view value, std::string& out,
                                 param_options opt)
{
    if (!is_mime_token(name) || name.find('*') != std::string_view::npos || name.size() > 40)
        return compose_errc::invalid_argument;
    if (auto ec = check_header_text(value)) return ec;

    bool plain_ascii = true; // printable ASCII, space or tab, and no "=?"
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if ((c < 32 && c != '\t') || c >= 127) plain_ascii = false;
        if (c == '=' && i + 1 < value.size() && value[i + 1] == '?') plain_ascii = false;
    }

    std::string res;
    if (plain_ascii) {
        std::string v = is_mime_token(value) ? std::string(value) : quote(value);
        if (name.size() + 1 + v.size() <= max_piece || !opt.rfc2231) {
            out.append("; ").append(name).append("=").append(v);
            return {};
        }
        // Long ASCII: quoted continuations name*0="..."; name*1="..."
        std::size_t section = 0;
        for (std::size_t i = 0; i < value.size();) {
            std::string head = std::string(name) + "*" + std::to_string(section) + "=\"";
            std::string piece;
            while (i < value.size()) {
                const char c = value[i];
                const std::size_t w = (c == '"' || c == '\\') ? 2 : 1;
                if (head.size() + piece.size() + w + 1 > max_piece) break;
                if (w == 2) piece += '\\';
                piece += c;
                ++i;
            }
            res.append("; ").append(head).append(piece).append("\"");
            ++section;
        }
        if (opt.fallback && value.size() <= max_fallback)
            res.append("; ").append(name).append("=").append(quote(value));
        out.append(res);
        return {};
    }

    if (!opt.rfc2231) {
        out.append("; ").append(name).append("=\"").append(encode_words(value, word_context::phrase)).append("\"");
        return {};
    }

    // Extended form: percent-encoded UTF-8, never splitting a character or a
    // %XX triplet between sections.
    std::string pct;
    pct.reserve(value.size() * 3);
    std::vector<std::size_t> char_ends; // offsets in pct where a character ends
    for (std::size_t i = 0; i < value.size();) {
        const std::size_t n = char_len(value, i);
        for (std::size_t k = 0; k < n; ++k) {
            const auto c = static_cast<unsigned char>(value[i + k]);
            if (is_attr_char(c)) pct += static_cast<char>(c);
            else {
                pct += '%';
                pct += hex[c >> 4];
                pct += hex[c & 15];
            }
        }
        char_ends.push_back(pct.size());
        i += n;
    }
    const std::string single = std::string(name) + "*=UTF-8''" + pct;
    if (single.size() <= max_piece) {
        res.append("; ").append(single);
    } else {
        std::size_t section = 0, from = 0, ci = 0;
        while (from < pct.size()) {
            std::string head = std::string(name) + "*" + std::to_string(section) + "*=";
            if (section == 0) head += "UTF-8''";
            std::size_t to = from;
            while (ci < char_ends.size() && head.size() + (char_ends[ci] - from) <= max_piece) to = char_ends[ci++];
            if (to == from) to = char_ends[ci++]; // one character always fits in practice (max 12)
            res.append("; ").append(head).append(pct, from, to - from);
            from = to;
            ++section;
        }
    }
    if (opt.fallback) {
        std::string words = encode_words(value, word_context::phrase);
        if (words.size() <= max_fallback) res.append("; ").append(name).append("=\"").append(words).append("\"");
    }
    out.append(res);
    return {};
}

} // namespace pigeon::mime
