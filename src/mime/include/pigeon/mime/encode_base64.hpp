#pragma once
// Incremental base64 encoder (RFC 4648 alphabet with padding). With a line
// length (RFC 2045 bodies: 76) it puts CRLF *between* lines and none after
// the last one, so a caller decides how the body ends. Table-driven: every
// 3 input bytes are two lookups in a 4096-entry table of character pairs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pigeon::mime {

class base64_encoder {
public:
    /// line_length 0: one unbroken line (headers, RFC 2047 words). Otherwise
    /// it is rounded down to a multiple of 4 (at least 4).
    explicit base64_encoder(std::size_t line_length = 76) noexcept;

    /// Appends the encoding of `in` to `out`. Any split of the input gives
    /// the same output as one call.
    void feed(std::string_view in, std::string& out);
    /// Writes the last partial group with padding. The encoder is then reset.
    void finish(std::string& out);
    void reset() noexcept;

    /// Raw-buffer forms: `out` must have room for max_output(in_len) bytes
    /// (feed) or 8 bytes (finish). They return the bytes written.
    std::size_t feed(const char* in, std::size_t in_len, char* out) noexcept;
    std::size_t finish(char* out) noexcept;
    /// Room feed() may need for in_len more input bytes.
    std::size_t max_output(std::size_t in_len) const noexcept;

private:
    std::size_t line_length_;
    std::size_t column_ = 0;          // characters on the current output line
    unsigned char carry_[3] = {0, 0, 0};
    std::size_t carry_len_ = 0;
};

/// One-shot encoding.
std::string encode_base64(std::string_view in, std::size_t line_length = 0);

/// Exact length of the encoding of n bytes (with CRLF between lines).
std::uint64_t base64_encoded_size(std::uint64_t n, std::size_t line_length) noexcept;

} // namespace pigeon::mime
