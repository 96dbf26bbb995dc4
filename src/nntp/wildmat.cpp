#include "pigeon/nntp/wildmat.hpp"

#include <cstddef>
#include <cstdint>

namespace pigeon::nntp {
namespace {

struct utf8_char {
    std::uint32_t value;  ///< code point, or 0x80000000 | byte for a broken sequence
    std::size_t length;   ///< octets taken (>= 1)
};

constexpr std::uint32_t broken = 0x80000000u;

/// Decodes the character at s[i] (i < s.size()). A byte that does not start
/// a well-formed sequence (RFC 3629: no overlong forms, no surrogates, at most
/// U+10FFFF) stands for itself, so decoding always advances.
utf8_char decode(std::string_view s, std::size_t i) noexcept {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return {b0, 1};
    std::size_t n;
    std::uint32_t cp;
    std::uint32_t min;
    if (b0 >= 0xc2 && b0 <= 0xdf) { n = 2; cp = b0 & 0x1fu; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { n = 3; cp = b0 & 0x0fu; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { n = 4; cp = b0 & 0x07u; min = 0x10000; }
    else return {broken | b0, 1};
    if (s.size() - i < n) return {broken | b0, 1};
    for (std::size_t k = 1; k < n; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0) != 0x80) return {broken | b0, 1};
        cp = (cp << 6) | (b & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {broken | b0, 1};
    return {cp, n};
}

/// Where the class starting at pat[p] == '[' ends (the index after its "]"),
/// or npos when it is not closed.
std::size_t class_end(std::string_view pat, std::size_t p) noexcept {
    std::size_t i = p + 1;
    if (i < pat.size() && pat[i] == '^') ++i;
    if (i < pat.size() && pat[i] == ']') ++i;  // a leading "]" is a member
    while (i < pat.size() && pat[i] != ']') ++i;
    return i < pat.size() ? i + 1 : std::string_view::npos;
}

/// Does c match the class pat[p, end) ("[...]")?
bool class_matches(std::string_view pat, std::size_t p, std::size_t end, std::uint32_t c) noexcept {
    std::size_t i = p + 1;
    std::size_t stop = end - 1;  // the closing "]"
    bool negate = false;
    if (i < stop && pat[i] == '^') { negate = true; ++i; }
    bool hit = false;
    while (i < stop) {
        auto lo = decode(pat, i);
        i += lo.length;
        if (i + 1 < stop && pat[i] == '-') {
            auto hi = decode(pat, i + 1);
            i += 1 + hi.length;
            if (c >= lo.value && c <= hi.value) hit = true;
        } else if (c == lo.value) {
            hit = true;
        }
    }
    return hit != negate;
}

/// One item of a pattern at pat[p] (not "*"): does it match c, and where does
/// the next item start?
bool item_matches(std::string_view pat, std::size_t& p, std::uint32_t c) noexcept {
    char ch = pat[p];
    if (ch == '?') { ++p; return true; }
    if (ch == '[') {
        auto end = class_end(pat, p);
        if (end != std::string_view::npos) {
            bool m = class_matches(pat, p, end, c);
            p = end;
            return m;
        }
        ++p;  // unclosed: a literal "["
        return c == '[';
    }
    if (ch == '\\' && p + 1 < pat.size()) ++p;
    auto lit = decode(pat, p);
    p += lit.length;
    return c == lit.value;
}

/// One pattern (no commas, no "!") against the whole text: the classic
/// backtrack-to-the-last-star walk, O(len(pat) * len(text)), no recursion.
bool pattern_matches(std::string_view pat, std::string_view text) noexcept {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star_p = std::string_view::npos;
    std::size_t star_t = 0;
    while (t < text.size()) {
        if (p < pat.size() && pat[p] == '*') {
            while (p < pat.size() && pat[p] == '*') ++p;
            star_p = p;
            star_t = t;
            continue;
        }
        auto c = decode(text, t);
        std::size_t next = p;
        if (p < pat.size() && item_matches(pat, next, c.value)) {
            p = next;
            t += c.length;
            continue;
        }
        if (star_p == std::string_view::npos) return false;
        star_t += decode(text, star_t).length;
        p = star_p;
        t = star_t;
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    return p == pat.size();
}

/// The end of the pattern that starts at i: the next "," outside a class
/// and not escaped.
std::size_t pattern_end(std::string_view w, std::size_t i) noexcept {
    while (i < w.size()) {
        char c = w[i];
        if (c == ',') return i;
        if (c == '\\' && i + 1 < w.size()) {
            i += 2;
        } else if (c == '[') {
            auto end = class_end(w, i);
            i = end == std::string_view::npos ? i + 1 : end;
        } else {
            ++i;
        }
    }
    return i;
}

bool valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        auto c = decode(s, i);
        if (c.value & broken) return false;
        i += c.length;
    }
    return true;
}

} // namespace

bool is_valid_wildmat(std::string_view s) noexcept {
    if (s.empty() || !valid_utf8(s)) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    std::size_t i = 0;
    for (;;) {
        if (i < s.size() && s[i] == '!') ++i;
        auto end = pattern_end(s, i);
        if (end == i) return false;  // empty pattern
        for (std::size_t k = i; k < end; ++k) {
            if (s[k] == '\\') {
                if (k + 1 >= end) return false;  // nothing to escape
                ++k;
            } else if (s[k] == '[') {
                auto ce = class_end(s, k);
                if (ce == std::string_view::npos || ce > end) return false;
                k = ce - 1;
            }
        }
        if (end == s.size()) return true;
        i = end + 1;  // past the ","
    }
}

bool wildmat_match(std::string_view wildmat, std::string_view text) noexcept {
    bool result = false;
    std::size_t i = 0;
    while (i <= wildmat.size()) {
        bool negated = i < wildmat.size() && wildmat[i] == '!';
        std::size_t start = negated ? i + 1 : i;
        auto end = pattern_end(wildmat, start);
        // Only a match can change the result; a later match overrides it.
        if (pattern_matches(wildmat.substr(start, end - start), text)) result = !negated;
        if (end >= wildmat.size()) break;
        i = end + 1;
    }
    return result;
}

} // namespace pigeon::nntp
