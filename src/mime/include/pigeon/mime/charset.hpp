#pragma once
// Conversion of text in any charset to UTF-8. Invalid or unconvertible bytes
// become U+FFFD. UTF-8 / US-ASCII, ISO-8859-1 and Windows-1252 are converted
// without iconv (fast paths); everything else goes through glibc iconv.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pigeon/text/utf8.hpp"

namespace pigeon::mime {

/// Normalises a charset name for lookup: lower-case, trimmed, RFC 2231
/// language suffix ("utf-8*en") removed, common aliases folded
/// ("utf8" -> "utf-8", "latin1" -> "iso-8859-1", "ascii" -> "us-ascii").
std::string normalize_charset(std::string_view name);

/// True when charset is known (fast path or iconv can open it).
bool charset_supported(std::string_view charset);

/// Incremental converter to UTF-8. Multi-byte characters split between
/// feed() calls are joined; a truncated character at finish() becomes U+FFFD.
class charset_decoder {
public:
    /// An unknown charset converts as UTF-8 (with U+FFFD for invalid bytes);
    /// known() tells which case applies.
    explicit charset_decoder(std::string_view charset);
    ~charset_decoder();
    charset_decoder(charset_decoder&&) noexcept;
    charset_decoder& operator=(charset_decoder&&) noexcept;
    charset_decoder(const charset_decoder&) = delete;
    charset_decoder& operator=(const charset_decoder&) = delete;

    /// Appends the UTF-8 of in to out.
    void feed(std::string_view in, std::string& out);
    /// Flushes any pending partial character (as U+FFFD) into out.
    void finish(std::string& out);
    /// Back to the initial state (same charset).
    void reset();
    bool known() const noexcept;
    /// True once some input byte could not be converted.
    bool had_errors() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// One-shot conversion of in (in charset) to UTF-8.
std::string to_utf8(std::string_view charset, std::string_view in);

/// Returns in if it is valid UTF-8, else its bytes with invalid sequences
/// replaced by U+FFFD.
std::string sanitize_utf8(std::string_view in);

/// UTF-8 validation: the library's one checker (pigeon/text/utf8.hpp).
using text::is_valid_utf8;

} // namespace pigeon::mime
