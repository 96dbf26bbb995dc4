#pragma once
// Limits of the MIME parser. Exceeding one never fails the parse: it sets a
// defect flag and yields a truncated, best-effort tree. The defaults follow
// Postfix (mime_nesting_limit, header_size_limit, mime_boundary_length_limit)
// and Dovecot's fixes for CVE-2020-12100 / CVE-2020-25275.
#include <cstddef>

namespace pigeon::mime {

struct parser_limits {
    /// Deepest nesting of multipart / message/rfc822 containers; the top-level
    /// message has depth 0. A container at this depth is kept as a leaf whose
    /// body holds the rest of its structure (defect depth_limit).
    std::size_t max_depth = 100;

    /// Most parts per message, the top-level one included. Delimiters that
    /// would open further parts are treated as body text (defect part_limit).
    std::size_t max_parts = 10000;

    /// Most bytes of one header block (all fields of one part). Fields past it
    /// are skipped up to the blank line (defect header_limit); the skipped
    /// bytes stay in the part's raw range, so round trips are still exact.
    std::size_t max_header_bytes = 100 * 1024;

    /// Header lines longer than this set defect long_line (RFC 5322 allows
    /// 998). They are still read, within max_header_bytes. Body lines are never
    /// buffered, so their length costs nothing.
    std::size_t max_line_length = 998;

    /// Longest accepted boundary parameter (RFC 2046 allows 70). A multipart
    /// with a longer one is kept as a leaf (defect boundary_too_long).
    std::size_t max_boundary_length = 2048;

    /// Most spaces/tabs tolerated after a delimiter line before its line end.
    std::size_t max_boundary_whitespace = 256;
};

} // namespace pigeon::mime
