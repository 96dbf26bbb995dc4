#include <pigeon/mime/content_type.hpp>

#include <pigeon/mime/header.hpp>

#include "detail/ascii.hpp"
#include "detail/lexer.hpp"

namespace pigeon::mime {

namespace {

// Reads a token at s[i] (after CFWS); returns the index after it.
std::size_t read_token(std::string_view s, std::size_t i, std::string& out) {
    i = detail::skip_cfws(s, i);
    std::size_t a = i;
    while (i < s.size() && detail::is_token_char(s[i])) ++i;
    out = detail::lower(s.substr(a, i - a));
    return i;
}

} // namespace

bool content_type::is(std::string_view t, std::string_view s) const noexcept {
    return iequals(type, t) && iequals(subtype, s);
}

bool content_type::is_message() const noexcept {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
}

std::string content_type::charset() const {
    auto v = params.get("charset");
    return v ? detail::lower(detail::trim(*v)) : std::string();
}

std::string_view content_type::boundary() const noexcept {
    auto v = params.get("boundary");
    return v ? *v : std::string_view();
}

content_type_result parse_content_type(std::string_view raw) {
    content_type_result r;
    std::string type, sub;
    std::size_t i = read_token(raw, 0, type);
    i = detail::skip_cfws(raw, i);
    if (type.empty() || i >= raw.size() || raw[i] != '/') {
        // Still read parameters (a charset may be usable).
        std::size_t semi = raw.find(';');
        if (semi != std::string_view::npos) r.value.params = parse_parameters(raw.substr(semi));
        return r;
    }
    i = read_token(raw, i + 1, sub);
    if (sub.empty()) {
        std::size_t semi = raw.find(';');
        if (semi != std::string_view::npos) r.value.params = parse_parameters(raw.substr(semi));
        return r;
    }
    r.value.type = std::move(type);
    r.value.subtype = std::move(sub);
    r.value.params = parse_parameters(raw.substr(i));
    r.ok = true;
    return r;
}

content_type default_content_type(bool in_digest) {
    content_type t;
    if (in_digest) {
        t.type = "message";
        t.subtype = "rfc822";
    }
    return t;
}

content_disposition parse_content_disposition(std::string_view raw) {
    content_disposition d;
    std::size_t i = read_token(raw, 0, d.type);
    d.params = parse_parameters(raw.substr(i));
    return d;
}

std::string content_disposition::filename() const {
    auto v = params.get("filename");
    return v ? std::string(*v) : std::string();
}

transfer_encoding parse_transfer_encoding(std::string_view raw) noexcept {
    std::size_t i = detail::skip_cfws(raw, 0);
    std::size_t a = i;
    while (i < raw.size() && detail::is_token_char(raw[i])) ++i;
    std::string_view t = raw.substr(a, i - a);
    if (t.empty() || iequals(t, "7bit")) return transfer_encoding::identity_7bit;
    if (iequals(t, "8bit")) return transfer_encoding::identity_8bit;
    if (iequals(t, "binary")) return transfer_encoding::binary;
    if (iequals(t, "quoted-printable")) return transfer_encoding::quoted_printable;
    if (iequals(t, "base64")) return transfer_encoding::base64;
    if (iequals(t, "x-uuencode") || iequals(t, "uuencode") || iequals(t, "x-uue")) return transfer_encoding::uuencode;
    return transfer_encoding::unknown;
}

std::string_view to_string(transfer_encoding e) noexcept {
    switch (e) {
    case transfer_encoding::identity_7bit: return "7bit";
    case transfer_encoding::identity_8bit: return "8bit";
    case transfer_encoding::binary: return "binary";
    case transfer_encoding::quoted_printable: return "quoted-printable";
    case transfer_encoding::base64: return "base64";
    case transfer_encoding::uuencode: return "x-uuencode";
    case transfer_encoding::unknown: return "unknown";
    }
    return "unknown";
}

bool is_identity(transfer_encoding e) noexcept {
    return e == transfer_encoding::identity_7bit || e == transfer_encoding::identity_8bit ||
           e == transfer_encoding::binary || e == transfer_encoding::unknown;
}

} // namespace pigeon::mime
