#include "pigeon/mime/encode_word.hpp"

#include "pigeon/mime/encode_base64.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace pigeon::mime {
namespace {

constexpr std::size_t max_word = 75;
constexpr std::string_view q_prefix = "=?UTF-8?Q?";
constexpr std::string_view b_prefix = "=?UTF-8?B?";
constexpr std::size_t overhead = 10 + 2;           // prefix + "?="
constexpr std::size_t q_payload = max_word - overhead; // 63 characters
constexpr std::size_t b_bytes = (max_word - overhead) / 4 * 3; // 45 bytes -> 60 characters
constexpr std::size_t long_word = 900;
constexpr char hex[] = "0123456789ABCDEF";

// Characters Q may leave as they are, per context (RFC 2047 section 5).
constexpr std::array<bool, 256> make_q_safe(word_context ctx)
{
    std::array<bool, 256> t{};
    for (int c = 33; c <= 126; ++c) {
        bool ok = false;
        if (ctx == word_context::phrase) {
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
        } else {
            ok = c != '=' && c != '?' && c != '_';
            if (ctx == word_context::comment && (c == '(' || c == ')' || c == '"' || c == '\\')) ok = false;
        }
        t[static_cast<std::size_t>(c)] = ok;
    }
    return t;
}
constexpr std::array<bool, 256> q_safe_text = make_q_safe(word_context::text);
constexpr std::array<bool, 256> q_safe_comment = make_q_safe(word_context::comment);
constexpr std::array<bool, 256> q_safe_phrase = make_q_safe(word_context::phrase);

const std::array<bool, 256>& q_safe(word_context ctx)
{
    switch (ctx) {
    case word_context::comment: return q_safe_comment;
    case word_context::phrase: return q_safe_phrase;
    case word_context::text: break;
    }
    return q_safe_text;
}

// Length of the UTF-8 sequence starting at s[i] (1 for a stray byte).
std::size_t char_len(std::string_view s, std::size_t i) noexcept
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (c >= 0xF0 && c <= 0xF4) n = 4;
    else if (c >= 0xE0) n = c <= 0xEF ? 3 : 1;
    else if (c >= 0xC2) n = 2;
    if (i + n > s.size()) return 1;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
    return n;
}

std::size_t q_len(unsigned char c, const std::array<bool, 256>& safe) noexcept
{
    return (c == ' ' || safe[c]) ? 1 : 3;
}

// Splits `s` into pieces (offset, length) that each fit one word; the first
// word may be shorter (first_max characters in all).
std::vector<std::pair<std::size_t, std::size_t>> split_q(std::string_view s, const std::array<bool, 256>& safe,
                                                         std::size_t first_max, std::size_t& total)
{
    std::vector<std::pair<std::size_t, std::size_t>> words;
    std::size_t start = 0, used = 0;
    std::size_t limit = first_max - overhead;
    total = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = char_len(s, i);
        std::size_t w = 0;
        for (std::size_t k = 0; k < n; ++k) w += q_len(static_cast<unsigned char>(s[i + k]), safe);
        if (used + w > limit && i > start) {
            words.emplace_back(start, i - start);
            total += overhead + used + 1;
            start = i;
            used = 0;
            limit = q_payload;
        }
        used += w;
        i += n;
    }
    words.emplace_back(start, s.size() - start);
    total += overhead + used;
    return words;
}

std::vector<std::pair<std::size_t, std::size_t>> split_b(std::string_view s, std::size_t first_max,
                                                         std::size_t& total)
{
    std::vector<std::pair<std::size_t, std::size_t>> words;
    std::size_t start = 0;
    std::size_t limit = (first_max - overhead) / 4 * 3;
    total = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = char_len(s, i);
        if (i + n - start > limit && i > start) {
            words.emplace_back(start, i - start);
            total += overhead + (i - start + 2) / 3 * 4 + 1;
            start = i;
            limit = b_bytes;
        }
        i += n;
    }
    words.emplace_back(start, s.size() - start);
    total += overhead + (s.size() - start + 2) / 3 * 4;
    return words;
}

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

bool is_atext(unsigned char c) noexcept
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default:
        return false;
    }
}

} // namespace

std::string encode_words(std::string_view utf8, word_context ctx, word_encoding enc, std::size_t first_max)
{
    const auto& safe = q_safe(ctx);
    // The first word must still hold a whole character (at most 12 Q characters).
    if (first_max > max_word) first_max = max_word;
    if (first_max < overhead + 12) first_max = max_word;
    std::size_t q_total = 0, b_total = 0;
    auto qw = split_q(utf8, safe, first_max, q_total);
    auto bw = split_b(utf8, first_max, b_total);
    const bool use_q = enc == word_encoding::q || (enc == word_encoding::shortest && q_total <= b_total);
    std::string out;
    if (use_q) {
        out.reserve(q_total);
        for (std::size_t w = 0; w < qw.size(); ++w) {
            if (w > 0) out += ' ';
            out += q_prefix;
            for (std::size_t i = qw[w].first; i < qw[w].first + qw[w].second; ++i) {
                const auto c = static_cast<unsigned char>(utf8[i]);
                if (c == ' ') out += '_';
                else if (safe[c]) out += static_cast<char>(c);
                else {
                    out += '=';
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
            }
            out += "?=";
        }
    } else {
        out.reserve(b_total);
        for (std::size_t w = 0; w < bw.size(); ++w) {
            if (w > 0) out += ' ';
            out += b_prefix;
            out += encode_base64(utf8.substr(bw[w].first, bw[w].second));
            out += "?=";
        }
    }
    return out;
}

bool word_needs_encoding(std::string_view word) noexcept
{
    if (word.size() > long_word) return true;
    for (std::size_t i = 0; i < word.size(); ++i) {
        const auto c = static_cast<unsigned char>(word[i]);
        if (c >= 0x7F || c < 0x20) return true;
        if (c == '=' && i + 1 < word.size() && word[i + 1] == '?') return true;
    }
    return false;
}

std::string encode_unstructured(std::string_view s, std::size_t first_column)
{
    // Tokens: alternating runs of whitespace and words.
    struct token {
        std::size_t begin, end;
        bool space;
        bool encode;
    };
    std::vector<token> tokens;
    for (std::size_t i = 0; i < s.size();) {
        const bool sp = is_wsp(s[i]);
        std::size_t j = i;
        while (j < s.size() && is_wsp(s[j]) == sp) ++j;
        tokens.push_back({i, j, sp, !sp && word_needs_encoding(s.substr(i, j - i))});
        i = j;
    }
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t t = 0; t < tokens.size();) {
        if (!tokens[t].encode) {
            out.append(s.substr(tokens[t].begin, tokens[t].end - tokens[t].begin));
            ++t;
            continue;
        }
        // A run of words to encode, with the whitespace between them (which
        // goes inside the encoded text: decoders drop space between words).
        std::size_t last = t;
        for (std::size_t k = t + 1; k < tokens.size(); ++k) {
            if (tokens[k].space) continue;
            if (!tokens[k].encode) break;
            last = k;
        }
        // A run at the very start shares the first line with "Name: ".
        const std::size_t first_max =
            (tokens[t].begin == 0 && first_column < 78) ? 78 - first_column : max_word;
        out += encode_words(s.substr(tokens[t].begin, tokens[last].end - tokens[t].begin), word_context::text,
                            word_encoding::shortest, first_max);
        t = last + 1;
    }
    return out;
}

std::string encode_phrase(std::string_view s, std::size_t first_column)
{
    if (s.empty()) return {};
    bool atoms = !is_wsp(s.front()) && !is_wsp(s.back());
    bool printable = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == ' ') {
            if (i > 0 && s[i - 1] == ' ') atoms = false;
            continue;
        }
        if (c == '\t') {
            atoms = false;
            continue;
        }
        if (c < 0x20 || c >= 0x7F) {
            printable = false;
            break;
        }
        if (!is_atext(c)) atoms = false;
        if (c == '=' && i + 1 < s.size() && s[i + 1] == '?') printable = false;
    }
    if (printable && s.size() <= long_word) {
        if (atoms) return std::string(s);
        std::string out;
        out.reserve(s.size() + 4);
        out += '"';
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
        return out;
    }
    return encode_words(s, word_context::phrase, word_encoding::shortest,
                        first_column < 78 ? 78 - first_column : max_word);
}

} // namespace pigeon::mime
