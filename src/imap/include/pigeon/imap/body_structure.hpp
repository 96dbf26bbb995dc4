#pragma once
// BODYSTRUCTURE and BODY (RFC 9051 section 7.5.2, RFC 3501 section 7.4.2)
// as a typed tree: single parts (basic, text, message/rfc822 with its
// envelope and body) and multiparts with their children, extension data
// where the server sent it. Every node carries its part number for
// BODY[<section>] (section 6.4.5): "1", "2.1"; "" for a top multipart.
//
// Tolerant of what real servers send (each marked QUIRK in the source):
// extension data absent or cut short, NIL or "()" where a parameter list is
// due, a string where a disposition list is due, NIL for a size, missing
// line counts, message/rfc822 parts without envelope and body. Bounded:
// nesting beyond body_limits::max_depth gives errc::too_deep, more than
// max_parts nodes errc::too_many_tokens.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/envelope.hpp"
#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

/// A parameter (Content-Type, Content-Disposition): name and value as sent
/// (RFC 2231 continuations and encodings are left to mime).
struct body_param {
    std::string name;
    std::string value;
    bool operator==(const body_param&) const = default;
};
using body_params = std::vector<body_param>;
/// The value of the first parameter called name (ASCII case-insensitive).
const std::string* find_param(const body_params& params, std::string_view name) noexcept;

struct body_disposition {
    std::string type;    ///< lower case: "attachment", "inline"
    body_params params;  ///< "filename", "size", ...
};

struct body_structure {
    std::string type;      ///< lower case: "text", "multipart", "message"
    std::string subtype;   ///< lower case: "plain", "mixed", "rfc822"
    body_params params;    ///< Content-Type parameters: "charset", "boundary", "name"

    // Single parts (body-fields).
    std::string id;                      ///< Content-ID
    std::string description;             ///< Content-Description
    std::string encoding;                ///< lower case: "7bit", "base64", "quoted-printable"
    std::uint64_t size = 0;              ///< octets of the body as encoded
    std::optional<std::uint64_t> lines;  ///< text/* and message/rfc822: lines of the body
    /// message/rfc822 and message/global: the envelope of the message inside.
    std::optional<imap::envelope> message_envelope;

    /// Multipart: the children. Message parts: one, the body of the message.
    std::vector<body_structure> parts;

    // Extension data (BODYSTRUCTURE only; empty when absent).
    std::string md5;                              ///< Content-MD5 (single parts)
    std::optional<body_disposition> disposition;  ///< Content-Disposition
    std::vector<std::string> language;            ///< Content-Language tags
    std::string location;                         ///< Content-Location

    /// Part number for BODY[<section>]; "" for the top multipart. The body
    /// of a message/rfc822 part numbered "3" is "3.1" if single, and "3" if
    /// multipart (its children being "3.1", "3.2").
    std::string section;

    bool is_multipart() const noexcept { return type == "multipart"; }
    /// message/rfc822 or message/global with an envelope and a body.
    bool is_message() const noexcept { return message_envelope.has_value() && parts.size() == 1; }
    /// type/subtype equal, ASCII case-insensitive.
    bool is(std::string_view t, std::string_view sub) const noexcept;
    /// A Content-Type parameter by name (case-insensitive), or nullptr.
    const std::string* param(std::string_view name) const noexcept { return find_param(params, name); }
    /// The raw file name: disposition "filename", else Content-Type "name";
    /// nullptr if neither is there.
    const std::string* filename() const noexcept;
    /// The node with that part number in this tree ("" is the top
    /// multipart), or nullptr.
    const body_structure* find(std::string_view part) const noexcept;
};

struct body_limits {
    std::size_t max_depth = 64;     ///< nested multiparts and messages
    std::size_t max_parts = 10000;  ///< nodes in the whole tree
};

/// The tree from the token after BODYSTRUCTURE or BODY; nullopt with
/// errc::malformed_reply (wrong types, too few fields), too_deep or
/// too_many_tokens. Part numbers are filled in.
std::optional<body_structure> parse_body_structure(const token& t, std::error_code& ec, body_limits limits = {});

/// "1.2.3" → {1, 2, 3}; nullopt for "", "0", "1..2", leading zeros, a
/// trailing dot, numbers over 4294967295.
std::optional<std::vector<std::uint32_t>> parse_part_number(std::string_view text);
/// {1, 2, 3} → "1.2.3".
std::string format_part_number(const std::vector<std::uint32_t>& part);

} // namespace pigeon::imap
