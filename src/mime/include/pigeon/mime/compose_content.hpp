#pragma once
// Scanning a body and choosing its Content-Transfer-Encoding.
#include "pigeon/mime/compose_options.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::mime {

struct content_stats {
    std::size_t size = 0;
    std::size_t non_ascii = 0;  ///< bytes over 0x7F
    std::size_t controls = 0;   ///< C0 controls other than TAB, CR, LF (NUL counted here too), and DEL
    std::size_t nul = 0;
    std::size_t bare_cr = 0;    ///< CR not followed by LF
    std::size_t bare_lf = 0;    ///< LF not preceded by CR
    std::size_t max_line = 0;   ///< longest line in octets, without its line end
    std::size_t qp_escapes = 0; ///< bytes quoted-printable would write as =XX
    bool from_line = false;     ///< a line starts with "From "
    bool dot_line = false;      ///< a line starts with "."
    bool valid_utf8 = true;
};

content_stats scan_content(std::string_view data) noexcept;

/// The encoding for content with these stats:
///  - 7bit: ASCII without controls, bare CR/LF or lines over max_line
///    (and, with from_safe, no "From " or "." line);
///  - 8bit: allowed by allow_8bit, text, UTF-8 (when utf8_text), no NUL,
///    controls or bare CR/LF, short lines;
///  - quoted-printable: text without NUL where the escapes keep it smaller
///    than base64 (at most one byte in six escaped);
///  - base64 otherwise (binary, or mostly non-ASCII).
compose_encoding choose_transfer_encoding(const content_stats& s, bool is_text, bool utf8_text,
                                           const compose_options& opt) noexcept;

/// Text in canonical form: every lone LF or lone CR becomes CRLF.
std::string normalize_crlf(std::string_view text);

} // namespace pigeon::mime
