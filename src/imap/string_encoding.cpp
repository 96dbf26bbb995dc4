#include "pigeon/imap/string_encoding.hpp"

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
