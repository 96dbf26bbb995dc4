// HTML character references: the common named ones (HTML 4's 252 plus
// &apos; and the upper-case legacy spellings), numeric values, and the
// rules for references without ';'.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "html_text.hpp"

namespace pigeon::mime::detail {

namespace {

struct named {
    std::string_view name;
    char32_t cp;
};

// U+00A0..U+00FF in order: these are also the names HTML accepts without ';'.
constexpr std::array<std::string_view, 96> k_latin1 = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",   "ordf",
    "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",
    "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",
    "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",
    "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute",
    "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

// Legacy names outside Latin-1's upper half.
constexpr std::array<named, 10> k_legacy_ascii = {{
    {"amp", U'&'},
    {"lt", U'<'},
    {"gt", U'>'},
    {"quot", U'"'},
    {"AMP", U'&'},
    {"LT", U'<'},
    {"GT", U'>'},
    {"QUOT", U'"'},
    {"COPY", 0xA9},
    {"REG", 0xAE},
}};

// The rest of HTML 4's references, and &apos;.
constexpr std::array<named, 157> k_other = {{
    {"apos", U'\''},     {"OElig", 0x152},    {"oelig", 0x153},    {"Scaron", 0x160},   {"scaron", 0x161},
    {"Yuml", 0x178},     {"fnof", 0x192},     {"circ", 0x2C6},     {"tilde", 0x2DC},    {"Alpha", 0x391},
    {"Beta", 0x392},     {"Gamma", 0x393},    {"Delta", 0x394},    {"Epsilon", 0x395},  {"Zeta", 0x396},
    {"Eta", 0x397},      {"Theta", 0x398},    {"Iota", 0x399},     {"Kappa", 0x39A},    {"Lambda", 0x39B},
    {"Mu", 0x39C},       {"Nu", 0x39D},       {"Xi", 0x39E},       {"Omicron", 0x39F},  {"Pi", 0x3A0},
    {"Rho", 0x3A1},      {"Sigma", 0x3A3},    {"Tau", 0x3A4},      {"Upsilon", 0x3A5},  {"Phi", 0x3A6},
    {"Chi", 0x3A7},      {"Psi", 0x3A8},      {"Omega", 0x3A9},    {"alpha", 0x3B1},    {"beta", 0x3B2},
    {"gamma", 0x3B3},    {"delta", 0x3B4},    {"epsilon", 0x3B5},  {"zeta", 0x3B6},     {"eta", 0x3B7},
    {"theta", 0x3B8},    {"iota", 0x3B9},     {"kappa", 0x3BA},    {"lambda", 0x3BB},   {"mu", 0x3BC},
    {"nu", 0x3BD},       {"xi", 0x3BE},       {"omicron", 0x3BF},  {"pi", 0x3C0},       {"rho", 0x3C1},
    {"sigmaf", 0x3C2},   {"sigma", 0x3C3},    {"tau", 0x3C4},      {"upsilon", 0x3C5},  {"phi", 0x3C6},
    {"chi", 0x3C7},      {"psi", 0x3C8},      {"omega", 0x3C9},    {"thetasym", 0x3D1}, {"upsih", 0x3D2},
    {"piv", 0x3D6},      {"ensp", 0x2002},    {"emsp", 0x2003},    {"thinsp", 0x2009},  {"zwnj", 0x200C},
    {"zwj", 0x200D},     {"lrm", 0x200E},     {"rlm", 0x200F},     {"ndash", 0x2013},   {"mdash", 0x2014},
    {"lsquo", 0x2018},   {"rsquo", 0x2019},   {"sbquo", 0x201A},   {"ldquo", 0x201C},   {"rdquo", 0x201D},
    {"bdquo", 0x201E},   {"dagger", 0x2020},  {"Dagger", 0x2021},  {"bull", 0x2022},    {"hellip", 0x2026},
    {"permil", 0x2030},  {"prime", 0x2032},   {"Prime", 0x2033},   {"lsaquo", 0x2039},  {"rsaquo", 0x203A},
    {"oline", 0x203E},   {"frasl", 0x2044},   {"euro", 0x20AC},    {"image", 0x2111},   {"weierp", 0x2118},
    {"real", 0x211C},    {"trade", 0x2122},   {"alefsym", 0x2135}, {"larr", 0x2190},    {"uarr", 0x2191},
    {"rarr", 0x2192},    {"darr", 0x2193},    {"harr", 0x2194},    {"crarr", 0x21B5},   {"lArr", 0x21D0},
    {"uArr", 0x21D1},    {"rArr", 0x21D2},    {"dArr", 0x21D3},    {"hArr", 0x21D4},    {"forall", 0x2200},
    {"part", 0x2202},    {"exist", 0x2203},   {"empty", 0x2205},   {"nabla", 0x2207},   {"isin", 0x2208},
    {"notin", 0x2209},   {"ni", 0x220B},      {"prod", 0x220F},    {"sum", 0x2211},     {"minus", 0x2212},
    {"lowast", 0x2217},  {"radic", 0x221A},   {"prop", 0x221D},    {"infin", 0x221E},   {"ang", 0x2220},
    {"and", 0x2227},     {"or", 0x2228},      {"cap", 0x2229},     {"cup", 0x222A},     {"int", 0x222B},
    {"there4", 0x2234},  {"sim", 0x223C},     {"cong", 0x2245},    {"asymp", 0x2248},   {"ne", 0x2260},
    {"equiv", 0x2261},   {"le", 0x2264},      {"ge", 0x2265},      {"sub", 0x2282},     {"sup", 0x2283},
    {"nsub", 0x2284},    {"sube", 0x2286},    {"supe", 0x2287},    {"oplus", 0x2295},   {"otimes", 0x2297},
    {"perp", 0x22A5},    {"sdot", 0x22C5},    {"lceil", 0x2308},   {"rceil", 0x2309},   {"lfloor", 0x230A},
    {"rfloor", 0x230B},  {"lang", 0x2329},    {"rang", 0x232A},    {"loz", 0x25CA},     {"spades", 0x2660},
    {"clubs", 0x2663},   {"hearts", 0x2665},  {"diams", 0x2666},   {"hyphen", 0x2010},  {"nbhy", 0x2011},
    {"check", 0x2713},   {"cross", 0x2717},
}};

using table = std::array<named, k_latin1.size() + k_legacy_ascii.size() + k_other.size()>;

constexpr table make_table() {
    table t{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < k_latin1.size(); ++i) t[n++] = {k_latin1[i], static_cast<char32_t>(0xA0 + i)};
    for (const auto& e : k_legacy_ascii) t[n++] = e;
    for (const auto& e : k_other) t[n++] = e;
    std::sort(t.begin(), t.end(), [](const named& a, const named& b) { return a.name < b.name; });
    return t;
}

constexpr table k_table = make_table();

constexpr bool unique_names() {
    for (std::size_t i = 1; i < k_table.size(); ++i)
        if (k_table[i - 1].name == k_table[i].name) return false;
    return true;
}
static_assert(unique_names(), "duplicate character reference name");

// Windows-1252's meaning of 0x80..0x9F (0: unassigned there).
constexpr std::array<char32_t, 32> k_cp1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
}

} // namespace

char32_t html_named_reference(std::string_view name) noexcept {
    auto it = std::lower_bound(k_table.begin(), k_table.end(), name,
                               [](const named& e, std::string_view n) { return e.name < n; });
    return it != k_table.end() && it->name == name ? it->cp : 0;
}

bool html_legacy_reference(std::string_view name) noexcept {
    for (const auto& e : k_legacy_ascii)
        if (e.name == name) return true;
    char32_t cp = html_named_reference(name);
    // Every Latin-1 name is legacy; no other name maps into that range.
    return cp >= 0xA0 && cp <= 0xFF;
}

char32_t html_numeric_reference(std::uint64_t v) noexcept {
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0xFFFD;
    if (v >= 0x80 && v <= 0x9F) {
        char32_t m = k_cp1252[v - 0x80];
        return m ? m : 0xFFFD;
    }
    if ((v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0C && v != 0x0D) || v == 0x7F) return 0xFFFD;
    return static_cast<char32_t>(v);
}

html_reference resolve_html_reference(std::string_view name, bool semicolon, int next, bool attribute) noexcept {
    html_reference r;
    if (name.empty()) return r;
    if (name[0] == '#') {
        std::size_t i = 1;
        const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        if (hex) ++i;
        const std::size_t start = i;
        std::uint64_t v = 0;
        for (; i < name.size() && (hex ? is_hex(name[i]) : (name[i] >= '0' && name[i] <= '9')); ++i) {
            v = v * (hex ? 16 : 10) + (hex ? hex_digit(name[i]) : static_cast<unsigned>(name[i] - '0'));
            if (v > 0x10FFFF) v = 0x110000; // saturate: stays invalid, never overflows
        }
        if (i == start) return r;
        r.code_point = html_numeric_reference(v);
        r.used = i;
        r.used_semicolon = semicolon && i == name.size();
        return r;
    }
    if (semicolon) {
        if (char32_t cp = html_named_reference(name)) return {cp, name.size(), true};
    }
    if (attribute) {
        // "?a=1&copy=2" stays as written; "&amp" alone before a blank is decoded.
        if (!semicolon && next != '=' && html_legacy_reference(name))
            return {html_named_reference(name), name.size(), false};
        return r;
    }
    // Longest legacy prefix ("&notit;" is "¬it;"); legacy names are 2..6 long.
    for (std::size_t len = std::min<std::size_t>(name.size(), 6); len >= 2; --len) {
        std::string_view p = name.substr(0, len);
        if (html_legacy_reference(p)) return {html_named_reference(p), len, false};
    }
    return r;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace pigeon::mime::detail
