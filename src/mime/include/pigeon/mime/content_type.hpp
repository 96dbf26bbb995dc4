#pragma once
// Content-Type, Content-Disposition and Content-Transfer-Encoding values
// (RFC 2045, RFC 2183), parsed leniently.
#include <string>
#include <string_view>

#include <pigeon/mime/parameters.hpp>

namespace pigeon::mime {

struct content_type {
    std::string type = "text";     ///< lower-case, e.g. "multipart"
    std::string subtype = "plain"; ///< lower-case, e.g. "alternative"
    parameter_list params;

    /// "type/subtype"
    std::string mime_type() const { return type + '/' + subtype; }
    bool is(std::string_view t, std::string_view s) const noexcept;
    bool is_multipart() const noexcept { return type == "multipart"; }
    /// message/rfc822 and message/global: a whole message inside.
    bool is_message() const noexcept;
    bool is_text() const noexcept { return type == "text"; }
    /// The charset parameter, lower-cased ("" when absent).
    std::string charset() const;
    /// The boundary parameter ("" when absent).
    std::string_view boundary() const noexcept;
};

/// Parses a Content-Type value. Returns nullopt-like failure through ok:
/// on a value that is not "type/subtype" (or empty), ok is false and the
/// result holds the caller's default.
struct content_type_result {
    content_type value;
    bool ok = false;
};
content_type_result parse_content_type(std::string_view raw);

/// The default type of a part without Content-Type: text/plain, or
/// message/rfc822 inside multipart/digest (RFC 2046 section 5.1.5).
content_type default_content_type(bool in_digest);

struct content_disposition {
    std::string type;  ///< lower-case "inline", "attachment", ... ("" when absent)
    parameter_list params;
    bool is_attachment() const noexcept { return type == "attachment"; }
    bool is_inline() const noexcept { return type == "inline"; }
    /// The filename parameter, decoded (RFC 2231 / RFC 2047), "" if absent.
    std::string filename() const;
};
content_disposition parse_content_disposition(std::string_view raw);

enum class transfer_encoding {
    identity_7bit,
    identity_8bit,
    binary,
    quoted_printable,
    base64,
    uuencode,  ///< x-uuencode: recognised, bodies passed through undecoded
    unknown,   ///< anything else: treated as identity
};
/// Parses a Content-Transfer-Encoding value (case-insensitive, comments and
/// blanks ignored). Empty -> identity_7bit.
transfer_encoding parse_transfer_encoding(std::string_view raw) noexcept;
/// "7bit", "8bit", "binary", "quoted-printable", "base64", "x-uuencode", "unknown".
std::string_view to_string(transfer_encoding e) noexcept;
/// True for 7bit, 8bit, binary and unknown: the body is the content.
bool is_identity(transfer_encoding e) noexcept;

} // namespace pigeon::mime
