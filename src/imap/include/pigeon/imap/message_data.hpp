#pragma once
// Typed FETCH data (RFC 9051 section 7.5.2): "* 12 FETCH (UID 7 FLAGS
// (\Seen) ... BODY[1.2]<0> {n} ...)" as a message_data value. Items a
// client does not ask for (unknown extensions) are skipped; a known item
// with a value of the wrong type is an error (errc::malformed_reply).
//
// Message content items (BODY[...], BINARY[...], RFC822*) become
// section_data: their octets when the driver let the parser keep them, or
// just their size when it streamed them (response_parser::literal_streamed).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/body_structure.hpp"
#include "pigeon/imap/date_time.hpp"
#include "pigeon/imap/envelope.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/imap/response_parser.hpp"

namespace pigeon::imap {

/// A section spec: "1.2.HEADER.FIELDS (FROM TO)" is part {1, 2} and text
/// "HEADER.FIELDS (FROM TO)".
struct section_spec {
    std::vector<std::uint32_t> part;  ///< empty: the whole message
    std::string text;                 ///< upper case keyword and its list: "", "HEADER", "TEXT", "MIME", "HEADER.FIELDS (FROM)"
    bool operator==(const section_spec&) const = default;
};
/// Parses what stands between the brackets of BODY[...]; nullopt for a bad
/// part number or an unknown keyword.
std::optional<section_spec> parse_section(std::string_view text);

/// The value of one BODY[...] / BINARY[...] / RFC822[.HEADER|.TEXT] item.
struct section_data {
    std::string item;                     ///< as sent: "BODY[1.2]<0>", "BINARY[2]", "RFC822.HEADER"
    std::string section;                  ///< between the brackets: "1.2", "HEADER", "" (RFC822.HEADER: "HEADER", RFC822.TEXT: "TEXT")
    std::optional<std::uint64_t> origin;  ///< "<0>": the first octet's offset in a partial fetch
    bool binary = false;                  ///< BINARY[...]: content-transfer-decoded (RFC 3516)
    bool nil = false;                     ///< the server sent NIL
    bool streamed = false;                ///< the octets went to the driver's sink
    std::uint64_t size = 0;               ///< octets
    std::string bytes;                    ///< the octets, unless streamed
    bool operator==(const section_data&) const = default;
};

/// BINARY.SIZE[section] n.
struct binary_size {
    std::string section;
    std::uint64_t size = 0;
};

struct message_data {
    std::uint32_t seq = 0;                             ///< message sequence number
    std::optional<std::uint32_t> uid;
    std::optional<std::vector<std::string>> flags;     ///< as sent: "\Seen", "$Label1"
    std::optional<std::uint64_t> rfc822_size;
    std::optional<date_time> internal_date;
    std::optional<imap::envelope> envelope;
    std::optional<imap::body_structure> body_structure;  ///< BODYSTRUCTURE, or BODY (no extension data)
    std::optional<std::uint64_t> modseq;               ///< CONDSTORE MODSEQ (n)
    std::optional<std::string> email_id;               ///< RFC 8474 EMAILID (id)
    std::optional<std::string> thread_id;              ///< RFC 8474 THREADID (id) or NIL
    std::vector<section_data> sections;                ///< in the order sent
    std::vector<binary_size> binary_sizes;

    /// The first section_data whose section is sec and whose item kind is
    /// BINARY when binary is set, BODY/RFC822 otherwise; nullptr if none.
    const section_data* find_section(std::string_view sec, bool binary = false) const noexcept;
};

/// A "* n FETCH (...)" response as message_data. nullopt without an error
/// if r is not a FETCH response; nullopt with errc::malformed_reply (or the
/// body structure's too_deep / too_many_tokens) if it is malformed.
std::optional<message_data> parse_fetch(const response& r, std::error_code& ec, body_limits limits = {});
/// The same, moving strings and bytes out of a response the caller gives up
/// (left valid but unspecified).
std::optional<message_data> parse_fetch(response&& r, std::error_code& ec, body_limits limits = {});

/// A whole "* n FETCH (...)" response given as its one line (without CRLF),
/// read straight into m without building tokens: the fast path of listings.
/// It takes UID, FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE and MODSEQ in
/// their usual form (single spaces, quoted strings or NIL, no group syntax)
/// and returns false, m unspecified, for anything else (literals, other
/// items, odd spacing, malformed data, what limits would refuse): the caller
/// then feeds the line to response_parser and calls parse_fetch, which has
/// the last word. When it returns true, m is what parse_fetch gives for the
/// line parsed with those limits.
bool parse_fetch_line(std::string_view line, message_data& m, const parser_limits& limits = {});

} // namespace pigeon::imap
