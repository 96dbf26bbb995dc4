#pragma once
// Percent-decoding (%XX escapes), one implementation for every place that
// reads them: server and proxy URLs (net, ftp), the CLI's URL paths and
// query parameters, the OAuth2 redirect's query string, RFC 2231 parameter
// values (mime). What differs between those places is an option.
#include <string>
#include <string_view>

namespace pigeon::text {

/// The value of one hexadecimal digit (either case), -1 for any other byte.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

struct percent_options {
    /// '+' decodes to a blank (application/x-www-form-urlencoded).
    bool plus_is_space = false;
    /// A CR, LF or NUL, encoded or not, is refused (values that end up in a
    /// protocol command line or a C string). Off: kept like any other byte.
    bool refuse_line_breaks = true;
    /// A '%' not followed by two hex digits is kept as it is (best effort,
    /// RFC 2231 values from mail) instead of failing the whole decode.
    bool keep_bad_escapes = false;
};

/// Decodes in into out (cleared first). false on a bad escape (unless
/// keep_bad_escapes) or a refused byte; out is then unspecified.
bool percent_decode(std::string_view in, std::string& out, percent_options options = {});

} // namespace pigeon::text
