#pragma once
// Errors of the NNTP reading codecs (category "pigeon.nntp.codec"): what is
// wrong with one line a server sent. The parsers never throw; they return
// nullopt and set one of these. The command encoders report bad arguments
// with nntp::errc::invalid_argument (pigeon/nntp/error.hpp), as before.
#include <system_error>

namespace pigeon::nntp {

enum class codec_errc {
    ok = 0,
    malformed = 1,       ///< not the shape the format requires (a field missing, stray bytes)
    invalid_number,      ///< not a run of decimal digits (a sign, letters, nothing)
    number_too_large,    ///< more than 2^64-1
    invalid_message_id,  ///< not <...> of printable ASCII, or over 250 octets
    invalid_name,        ///< a group or field name that is empty or holds spaces or controls
    invalid_date,        ///< not yyyymmddhhmmss, or a day that does not exist
    unexpected_code,     ///< a status line with a code the parser does not handle
};

const std::error_category& codec_category() noexcept;

inline std::error_code make_error_code(codec_errc e) noexcept { return {static_cast<int>(e), codec_category()}; }

} // namespace pigeon::nntp

namespace std {
template <> struct is_error_code_enum<pigeon::nntp::codec_errc> : true_type {};
} // namespace std
