#pragma once
// Character references of HTML, for the HTML-to-text converter
// (html_text.cpp) -- not public API.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pigeon::mime::detail {

/// The code point of a named character reference ("amp", "eacute"; no '&'
/// or ';'), or 0 when the name is not one of the common ones.
char32_t html_named_reference(std::string_view name) noexcept;

/// True when HTML accepts name without its ';' (the Latin-1 names and
/// amp/lt/gt/quot in both cases, "copy", "reg", ...).
bool html_legacy_reference(std::string_view name) noexcept;

/// What a numeric reference's value stands for: NUL, surrogates, values past
/// U+10FFFF, controls other than tab/LF/FF/CR and unmapped C1 values give
/// U+FFFD; 0x80..0x9F map through Windows-1252.
char32_t html_numeric_reference(std::uint64_t value) noexcept;

/// One resolved reference: the code point (0: none, write the '&' and the
/// name as they are), how many characters of the name it used, and whether
/// the ';' after the name belongs to it.
struct html_reference {
    char32_t code_point = 0;
    std::size_t used = 0;
    bool used_semicolon = false;
};

/// Resolves the characters after '&' (name: a leading '#' and/or letters
/// and digits), followed by ';' when semicolon is true, else by next (-1 at
/// the end of the input). In attribute values (attribute true) a name
/// without ';' is only decoded when it is a whole legacy name not followed
/// by '='; in text, the longest legacy prefix is.
html_reference resolve_html_reference(std::string_view name, bool semicolon, int next, bool attribute) noexcept;

/// Appends cp as UTF-8 (U+FFFD for values that are not scalar values).
void append_utf8(std::string& out, char32_t cp);

} // namespace pigeon::mime::detail
