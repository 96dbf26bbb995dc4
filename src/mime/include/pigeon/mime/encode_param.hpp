#pragma once
// MIME parameters (RFC 2045 section 5.1) with RFC 2231 for values that are
// not ASCII or too long for one line:
//     ; filename*0*=UTF-8''%C3%A9t%C3%A9...; filename*1*=...
// followed, as most mail programs do for readers that do not know RFC 2231,
// by a quoted fallback: the value itself when it is ASCII, RFC 2047 words
// inside the quotes when it is not:  ; filename="=?UTF-8?Q?=C3=A9t=C3=A9?="
// Readers that know RFC 2231 take the starred form (it comes first).
// Every piece is at most 76 characters so the folder can put each on a line.
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::mime {

struct param_options {
    bool rfc2231 = true;  ///< use name*= forms for non-ASCII or long values
    bool fallback = true; ///< with rfc2231: also write the quoted name="..." form
};

/// Appends "; " and the parameter to `out`. The name must be a token
/// (invalid_argument otherwise); the value must pass check_header_text
/// (forbidden_character / invalid_utf8 otherwise). Nothing is appended on error.
std::error_code encode_parameter(std::string_view name, std::string_view value, std::string& out,
                                 param_options options = {});

/// True if `s` is a non-empty RFC 2045 token.
bool is_mime_token(std::string_view s) noexcept;

} // namespace pigeon::mime
