#include "pigeon/imap/string_encoding.hpp"

#include <cstdint>
#include <vector>

namespace pigeon::imap {

bool is_atom_char(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;  // SP, CTL, 8-bit
    switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']': return false;
    default: return true;
    }
}

bool is_astring_char(char c) noexcept { return c == ']' || is_atom_char(c); }

string_form string_form_of(std::string_view s) noexcept {
    bool literal = s.size() > max_quoted_length;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u == 0) return string_form::invalid;
        if (c == '\r' || c == '\n' || u >= 0x80) literal = true;
    }
    return literal ? string_form::literal : string_form::quoted;
}

string_form astring_form(std::string_view s) noexcept {
    auto f = string_form_of(s);
    if (f != string_form::quoted || s.empty()) return f;
    for (char c : s)
        if (!is_astring_char(c)) return string_form::quoted;
    return string_form::atom;
}

std::string quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

} // namespace pigeon::imap

// ---- modified UTF-7 ------------------------------------------------------------

namespace pigeon::imap {
namespace {

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

bool printable(char32_t c) noexcept { return c >= 0x20 && c <= 0x7e; }

// Decodes one code point of well-formed UTF-8 at s[i], advancing i; returns
// nullopt for any ill-formed sequence.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) noexcept {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { len = 2; cp = b0 & 0x1fu; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { len = 3; cp = b0 & 0x0fu; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { len = 4; cp = b0 & 0x07u; min = 0x10000; }
    else return std::nullopt;
    if (s.size() - i < len) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (b & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    i += len;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// Writes UTF-16 units as modified base64 between "&" and "-".
void append_b64_run(std::string& out, const std::vector<std::uint16_t>& units) {
    out += '&';
    std::uint32_t bits = 0;
    int nbits = 0;
    for (std::uint16_t u : units) {
        bits = (bits << 16) | u;
        nbits += 16;
        while (nbits >= 6) {
            nbits -= 6;
            out += b64_alphabet[(bits >> nbits) & 0x3f];
        }
        bits &= (1u << nbits) - 1;
    }
    if (nbits > 0) out += b64_alphabet[(bits << (6 - nbits)) & 0x3f];
    out += '-';
}

} // namespace

bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size())
        if (!next_code_point(s, i)) return false;
    return true;
}

std::optional<std::string> to_modified_utf7(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::vector<std::uint16_t> run;
    std::size_t i = 0;
    while (i < utf8.size()) {
        auto cp = next_code_point(utf8, i);
        if (!cp || *cp == 0) return std::nullopt;
        if (printable(*cp)) {
            if (!run.empty()) {
                append_b64_run(out, run);
                run.clear();
            }
            out += static_cast<char>(*cp);
            if (*cp == '&') out += '-';
            continue;
        }
        if (*cp >= 0x10000) {
            char32_t v = *cp - 0x10000;
            run.push_back(static_cast<std::uint16_t>(0xd800 + (v >> 10)));
            run.push_back(static_cast<std::uint16_t>(0xdc00 + (v & 0x3ff)));
        } else {
            run.push_back(static_cast<std::uint16_t>(*cp));
        }
    }
    if (!run.empty()) append_b64_run(out, run);
    return out;
}

std::optional<std::string> from_modified_utf7(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    bool after_run = false;  // the previous item was a base64 run
    while (i < in.size()) {
        char c = in[i];
        if (!printable(static_cast<unsigned char>(c))) return std::nullopt;
        if (c != '&') {
            out += c;
            ++i;
            after_run = false;
            continue;
        }
        if (i + 1 < in.size() && in[i + 1] == '-') {
            out += '&';
            i += 2;
            after_run = false;
            continue;
        }
        if (after_run) return std::nullopt;  // "&...-&...-" is one run, canonically
        ++i;
        std::uint32_t bits = 0;
        int nbits = 0;
        char16_t high = 0;  // a high surrogate waiting for its partner
        for (;;) {
            if (i >= in.size()) return std::nullopt;  // run not closed
            char d = in[i++];
            if (d == '-') break;
            int v = b64_value(d);
            if (v < 0) return std::nullopt;
            bits = (bits << 6) | static_cast<std::uint32_t>(v);
            nbits += 6;
            if (nbits < 16) continue;
            nbits -= 16;
            auto unit = static_cast<char16_t>((bits >> nbits) & 0xffff);
            bits &= (1u << nbits) - 1;
            if (high) {
                if (unit < 0xdc00 || unit > 0xdfff) return std::nullopt;
                append_utf8(out, 0x10000 + ((static_cast<char32_t>(high) - 0xd800) << 10) + (unit - 0xdc00));
                high = 0;
            } else if (unit >= 0xd800 && unit <= 0xdbff) {
                high = unit;
            } else if (unit >= 0xdc00 && unit <= 0xdfff) {
                return std::nullopt;  // lone low surrogate
            } else {
                if (unit == 0 || printable(unit)) return std::nullopt;
                append_utf8(out, unit);
            }
        }
        // "&-" was handled above, so the run holds at least one character;
        // what is left must be under 6 zero bits.
        if (high || nbits >= 6 || bits != 0) return std::nullopt;
        after_run = true;
    }
    return out;
}

} // namespace pigeon::imap

namespace pigeon::imap {

std::optional<std::string> encode_mailbox_name(std::string_view utf8, name_encoding enc) {
    if (enc == name_encoding::modified_utf7) return to_modified_utf7(utf8);
    if (!is_valid_utf8(utf8) || utf8.find('\0') != std::string_view::npos) return std::nullopt;
    return std::string(utf8);
}

std::optional<std::string> decode_mailbox_name(std::string_view wire, name_encoding enc) {
    if (enc == name_encoding::modified_utf7) return from_modified_utf7(wire);
    if (!is_valid_utf8(wire) || wire.find('\0') != std::string_view::npos) return std::nullopt;
    return std::string(wire);
}

} // namespace pigeon::imap
