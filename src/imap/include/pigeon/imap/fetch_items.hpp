#pragma once
// What a UID FETCH asks for (RFC 9051 section 6.4.5, RFC 3516 BINARY,
// RFC 7162 MODSEQ), as a value, and its wire form "(UID FLAGS BODY.PEEK[1]<0.512>)".
// UID is always asked for, so every answer can be told apart.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace pigeon::imap {

/// BODY.PEEK[section]<offset.length> or BINARY.PEEK[section]<offset.length>.
struct body_section {
    /// Between the brackets: "" (the whole message), "HEADER", "TEXT", "1.2",
    /// "1.MIME", "HEADER.FIELDS (FROM SUBJECT)". Checked with parse_section().
    std::string section;
    /// Partial fetch: the first octet wanted and how many (length > 0).
    std::optional<std::uint64_t> offset;
    std::uint64_t length = 0;
    /// BINARY.PEEK: the content transfer decoding undone by the server
    /// (needs BINARY; section must be a part number or empty).
    bool binary = false;
    /// BODY.PEEK / BINARY.PEEK (leaves \Seen alone); false: BODY[] / BINARY[].
    bool peek = true;
};

struct fetch_items {
    bool flags = false;
    bool rfc822_size = false;
    bool internal_date = false;
    bool envelope = false;
    bool body_structure = false;
    bool modseq = false;                  ///< MODSEQ (CONDSTORE)
    std::vector<body_section> sections;   ///< streamed to the caller's sinks

    /// BODY.PEEK[] alone: the whole message.
    static fetch_items whole_message();
    /// FLAGS INTERNALDATE RFC822.SIZE ENVELOPE: a listing.
    static fetch_items listing();
    /// Any BINARY.PEEK section.
    bool needs_binary() const noexcept;
};

/// "(UID FLAGS ... BODY.PEEK[1]<0.512>)". nullopt with errc::invalid_argument
/// for a section parse_section() refuses (or that holds CR, LF, NUL, "]"), a
/// partial of length 0 or beyond 2^63 - 1, or BINARY with a keyword section.
std::optional<std::string> fetch_item_list(const fetch_items& items, std::error_code& ec);

} // namespace pigeon::imap
