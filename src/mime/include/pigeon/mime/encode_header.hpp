#pragma once
// Header field checks and folding (RFC 5322 sections 2.1.1, 2.2, 3.2.2).
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::mime {

/// A field name: 1 to 76 printable US-ASCII characters (33..126) other than
/// ':'. Returns compose_errc::invalid_header_name otherwise.
std::error_code check_header_name(std::string_view name) noexcept;

/// Text that goes into one header field (value, display name, file name):
/// refuses CR, LF, NUL and the Unicode line breaks U+0085, U+2028, U+2029
/// (compose_errc::forbidden_character), then anything that is not UTF-8
/// (compose_errc::invalid_utf8).
std::error_code check_header_text(std::string_view text) noexcept;

/// True if `text` holds a byte over 0x7F.
bool has_non_ascii(std::string_view text) noexcept;

struct fold_options {
    std::size_t soft_limit = 78;  ///< fold to keep lines at most this long where possible
    std::size_t hard_limit = 998; ///< never write a longer line (octets, without CRLF)
};

/// Appends "Name: value" CRLF to `out`, folded by inserting CRLF before a
/// space or tab of the value (so unfolding gives the value back exactly).
/// Folds preferably outside quoted strings; folds inside one, or fails with
/// compose_errc::header_too_long, only when a line would pass hard_limit.
/// Refuses CR, LF or NUL in the value (forbidden_character) and a bad name.
/// Nothing is appended on error.
std::error_code fold_header(std::string_view name, std::string_view value, std::string& out,
                            fold_options options = {});

} // namespace pigeon::mime
