#pragma once
// Options and shared types of the composer (message_builder).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::mime {

/// Receives the composed message in pieces, in order. Line ends are CRLF.
using compose_sink = std::function<void(std::string_view)>;
/// Pull form: fills up to `cap` (> 0) bytes, returns how many; 0 at the end.
/// Same signature as net::source_fn, so an SMTP client can pull from it.
using compose_source = std::function<std::size_t(char*, std::size_t)>;

enum class compose_encoding {
    automatic,        ///< chosen from the content (see message_builder)
    seven_bit,        ///< "7bit": ASCII, lines <= 998, CRLF only
    eight_bit,        ///< "8bit": needs 8BITMIME
    quoted_printable, ///< "quoted-printable"
    base64,           ///< "base64"
};

/// The Content-Transfer-Encoding token ("7bit", "quoted-printable", ...).
std::string_view compose_encoding_name(compose_encoding e) noexcept;

struct compose_options {
    /// Allow internationalised (UTF-8) addresses (RFC 6531/6532); the message
    /// then reports needs_smtputf8(). Without it such an address is refused
    /// with compose_errc::needs_smtputf8.
    bool smtputf8 = false;
    /// Allow "8bit" for UTF-8 text with short lines (the message then reports
    /// needs_8bitmime()). Off: every part is 7-bit clean on the wire.
    bool allow_8bit = false;
    /// Text bodies (text(), html()): a lone LF or CR becomes CRLF.
    bool normalize_line_endings = true;
    /// Keep lines from starting with "From " or "." (mbox-safe): such text is
    /// sent quoted-printable with 'F' / '.' at line start encoded.
    bool from_safe = false;
    /// Longest line (octets) sent without encoding; at most 998 (RFC 5322).
    std::size_t max_unencoded_line = 998;
    /// Domain for Message-ID and Content-ID; empty: the From address's domain.
    std::string message_id_domain;
    /// Also consult /etc/mime.types for file extensions the built-in table lacks.
    bool system_mime_types = true;
    /// Bytes read from an attachment (or encoded from memory) per step.
    std::size_t chunk_size = 64 * 1024;
    /// Fixed seed for boundaries, Message-ID and Content-IDs (reproducible
    /// output for tests). Unset: std::random_device.
    std::optional<std::uint64_t> seed;
};

struct attachment_options {
    std::string filename;   ///< name shown to the reader; default: the file's base name
    std::string media_type; ///< "type/subtype"; default: from the file name's extension
    std::string charset;    ///< for text/* media types: the charset parameter (optional)
    /// automatic: data from memory is scanned (7bit, quoted-printable or
    /// base64); a file is sent base64 (see message_builder::attach_file).
    compose_encoding encoding = compose_encoding::automatic;
};

} // namespace pigeon::mime
