#pragma once
// Errors of the MIME composer and its encoders: one category ("mime.compose"),
// one exception type derived from std::system_error. The encoders themselves
// never throw; the builder (message_builder) throws compose_error at the call
// that got the bad value, so nothing unsafe is ever written.
#include <string>
#include <system_error>

namespace pigeon::mime {

enum class compose_errc {
    ok = 0,
    forbidden_character = 1, ///< CR, LF or NUL (or U+2028, U+2029, U+0085 in header text)
    invalid_utf8,            ///< header text or a UTF-8 body that is not valid UTF-8
    invalid_header_name,     ///< empty, over 76 octets, or not printable ASCII without ':'
    reserved_header,         ///< an extra header the builder writes itself (From, Bcc, Content-Type...)
    header_too_long,         ///< a header line cannot be folded under 998 octets
    invalid_address,         ///< not a valid addr-spec (local@domain)
    needs_smtputf8,          ///< an internationalised address without compose_options::smtputf8
    missing_from,            ///< no From address was given
    invalid_media_type,      ///< a media type that is not type/subtype tokens
    invalid_filename,        ///< an empty attachment name
    file_error,              ///< an attachment could not be opened, examined or read
    file_changed,            ///< an attachment's size changed between attach and send
    invalid_argument,        ///< any other bad argument (see the message)
};

const std::error_category& compose_category() noexcept;

inline std::error_code make_error_code(compose_errc e) noexcept
{
    return {static_cast<int>(e), compose_category()};
}

/// Thrown by message_builder and composed_message. what() names the field
/// at fault (never the offending bytes raw: they may hold control characters).
class compose_error : public std::system_error {
public:
    compose_error(std::error_code ec, const std::string& what) : std::system_error(ec, what) {}
    explicit compose_error(std::error_code ec) : std::system_error(ec) {}
};

} // namespace pigeon::mime

namespace std {
template <> struct is_error_code_enum<pigeon::mime::compose_errc> : true_type {};
} // namespace std
