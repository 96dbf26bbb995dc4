#pragma once
// Incremental quoted-printable encoder (RFC 2045 section 6.7).
//  - Encoded lines are at most line_length (76) characters, soft breaks "=".
//  - Text mode: CRLF in the input is a hard line break (written as CRLF); a
//    lone CR or LF is data and written =0D / =0A, so decoding gives back the
//    exact input. Binary mode: every CR and LF is data (=0D, =0A).
//  - Space or tab before a line end (hard break or end of input) is encoded.
//  - '=' is always encoded, so the output never holds "=_" (the composer's
//    boundaries start with "=_": they cannot occur in quoted-printable text).
//  - Optionally "F" and "." at the start of an output line are encoded so no
//    line begins "From " (mbox) or "." (SMTP dot-stuffing, not needed here but
//    harmless).
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::mime {

struct qp_options {
    std::size_t line_length = 76;    ///< at least 4; includes the '=' of a soft break
    bool binary = false;             ///< CR and LF are data, never line breaks
    bool encode_from = false;        ///< encode 'F' at line start ("From " safe)
    bool encode_leading_dot = false; ///< encode '.' at line start
};

class qp_encoder {
public:
    explicit qp_encoder(qp_options options = {}) noexcept;

    /// Appends the encoding of `in` to `out`; any split gives the same output.
    void feed(std::string_view in, std::string& out);
    /// Flushes a held-back space or CR; the encoder is then reset.
    void finish(std::string& out);
    void reset() noexcept;

    /// Raw-buffer forms; `out` needs max_output(in_len) (feed) or 16 (finish).
    std::size_t feed(const char* in, std::size_t in_len, char* out) noexcept;
    std::size_t finish(char* out) noexcept;
    std::size_t max_output(std::size_t in_len) const noexcept;

    /// True when the last output line is not empty (the caller may want to
    /// close it with a soft break "=\r\n" to end the body without adding a
    /// line break to the content).
    bool mid_line() const noexcept { return column_ != 0 || pending_ws_ != 0 || pending_cr_; }

private:
    char* put_literal(char c, char* out) noexcept;
    char* put_escape(unsigned char c, char* out) noexcept;
    char* flush_ws(bool at_line_end, char* out) noexcept;

    qp_options opt_;
    std::size_t max_col_;        // line_length - 1: room left for a soft break
    std::size_t column_ = 0;
    char pending_ws_ = 0;        // space/tab whose encoding depends on what follows
    bool pending_cr_ = false;    // text mode: CR that may start a CRLF
};

/// One-shot encoding.
std::string encode_qp(std::string_view in, qp_options options = {});

} // namespace pigeon::mime
