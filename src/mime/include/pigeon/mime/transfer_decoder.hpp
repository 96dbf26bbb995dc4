#pragma once
// Incremental Content-Transfer-Encoding decoders. Each takes input in pieces
// of any size (a split anywhere gives the same output) and never fails:
// junk is skipped or passed through as described per decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <pigeon/mime/content_type.hpp>

namespace pigeon::mime {

/// Base64 (RFC 2045 section 6.8). Characters outside the alphabet (line
/// breaks, blanks, junk) are skipped; decoding stops after a padded quantum
/// ("xx==" / "xxx="), like Python's binascii; a trailing partial quantum of 2
/// or 3 characters yields its 1 or 2 bytes at finish(), a single character
/// is dropped.
class base64_decoder {
public:
    /// Largest output feed(n input bytes) can produce.
    static constexpr std::size_t max_output(std::size_t n) noexcept { return n / 4 * 3 + 3; }
    /// Decodes in into out (room for max_output(in.size()) bytes); returns
    /// the number of bytes written.
    std::size_t feed(std::string_view in, char* out) noexcept;
    /// Appends decoded bytes of in to out.
    void feed(std::string_view in, std::string& out);
    /// Flushes a partial final quantum into out (at most 2 bytes); returns count.
    std::size_t finish(char* out) noexcept;
    void finish(std::string& out);
    void reset() noexcept { bits_ = 0; count_ = 0; done_ = false; }
    /// True after padding ended the data; later input is ignored.
    bool done() const noexcept { return done_; }

private:
    std::uint32_t bits_ = 0; // pending sextets
    unsigned count_ = 0;     // how many are pending (0..3)
    unsigned pads_ = 0;      // '=' seen after count_ >= 2
    bool done_ = false;
};

/// Quoted-printable (RFC 2045 section 6.7). "=XX" (either case) decodes;
/// "=" followed by optional blanks and a line end is a soft break; any other
/// "=" stays as is. Line ends are kept as they are.
class qp_decoder {
public:
    static constexpr std::size_t max_output(std::size_t n) noexcept { return n + kMaxPending; }
    std::size_t feed(std::string_view in, char* out) noexcept;
    void feed(std::string_view in, std::string& out);
    std::size_t finish(char* out) noexcept;
    void finish(std::string& out);
    void reset() noexcept { pending_len_ = 0; }

private:
    static constexpr std::size_t kMaxPending = 80; // "=" + blanks waiting for a line end
    char pending_[kMaxPending];
    std::size_t pending_len_ = 0;
};

/// Any transfer encoding: base64, quoted-printable, or pass-through for the
/// identity encodings (and unknown ones, and x-uuencode).
class transfer_decoder {
public:
    explicit transfer_decoder(transfer_encoding e = transfer_encoding::identity_7bit) noexcept : enc_(e) {}
    static constexpr std::size_t max_output(std::size_t n) noexcept { return n + 80; }
    std::size_t feed(std::string_view in, char* out) noexcept;
    void feed(std::string_view in, std::string& out);
    std::size_t finish(char* out) noexcept;
    void finish(std::string& out);
    transfer_encoding encoding() const noexcept { return enc_; }
    void reset() noexcept { b64_.reset(); qp_.reset(); }

private:
    transfer_encoding enc_;
    base64_decoder b64_;
    qp_decoder qp_;
};

/// One-shot helpers.
std::string decode_base64(std::string_view in);
std::string decode_quoted_printable(std::string_view in);

} // namespace pigeon::mime
