#pragma once
// Errors and defects of the MIME module.
//
// Parsing never fails: bad input gives a best-effort tree plus defect flags
// saying what was wrong (or which limit was hit). Hard errors -- a file that
// cannot be opened or written -- are std::error_codes of mime_category().
#include <cstdint>
#include <system_error>

namespace pigeon::mime {

enum class errc {
    ok = 0,
    io_error = 1,        ///< reading the source or writing a file failed (see errno)
    not_found,           ///< no such part / header
    invalid_argument,    ///< a caller-supplied value is unusable
};

const std::error_category& mime_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), mime_category()}; }

/// Defects found while parsing, as bit flags. Every flag describes input the
/// parser repaired or truncated; none stops parsing.
enum defect : std::uint32_t {
    defect_none = 0,
    missing_close_boundary = 1u << 0,   ///< multipart ended without its "--boundary--" line
    missing_header_separator = 1u << 1, ///< header block ended by a non-header line, not a blank line
    header_limit = 1u << 2,             ///< header block over parser_limits::max_header_bytes (rest dropped)
    depth_limit = 1u << 3,              ///< nesting over parser_limits::max_depth (deeper structure kept as a leaf body)
    part_limit = 1u << 4,               ///< more parts than parser_limits::max_parts (extra delimiters kept as body)
    boundary_too_long = 1u << 5,        ///< boundary parameter over parser_limits::max_boundary_length
    missing_boundary = 1u << 6,         ///< multipart/* without a usable boundary parameter
    long_line = 1u << 7,                ///< a header line over parser_limits::max_line_length
    unterminated_header = 1u << 8,      ///< input ended inside the header block
    orphan_continuation = 1u << 9,      ///< a folded line with no header before it
    bad_content_type = 1u << 10,        ///< Content-Type unparsable; default type used
    missing_first_boundary = 1u << 11,  ///< multipart with no delimiter line at all
    encoded_message = 1u << 12,         ///< message/rfc822 with a non-identity encoding, kept as a leaf
};

} // namespace pigeon::mime

namespace std {
template <> struct is_error_code_enum<pigeon::mime::errc> : true_type {};
} // namespace std
