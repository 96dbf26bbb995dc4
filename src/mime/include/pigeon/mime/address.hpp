#pragma once
// RFC 5322 address lists: mailboxes ("Name <local@domain>", "local@domain
// (comment)"), groups ("Team: a@x, b@y;"), quoted local parts, and the
// obsolete forms of RFC 5322 section 4.4 (routes, CFWS around dots, empty
// list elements, periods in phrases).
//
// Strict where a lenient reading could pick a different address than RFC 5322
// does (Python CVE-2023-27043, CVE-2019-16056): an element with an unclosed
// comment or domain literal, a stray ')', '<', '>', '[', ']' or '@', or text
// after an angle address, is rejected as a whole and reported in
// address_list::errors; it never yields some other address. Encoded words are
// decoded in display names only, never in the address itself.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::mime {

struct mailbox {
    std::string display_name; ///< decoded UTF-8 ("" if none)
    std::string local_part;   ///< as it is on the wire, unquoted ("a b" for "\"a b\"")
    std::string domain;       ///< as written ("" never: a mailbox needs one); "[1.2.3.4]" kept
    /// local@domain, re-quoting the local part when needed.
    std::string address() const;
    /// "Display Name <local@domain>", or just the address.
    std::string to_string() const;
};

struct address {
    /// For a group: its decoded name; empty for a lone mailbox.
    std::string group_name;
    bool is_group = false;
    /// One entry for a mailbox; the members (maybe none) for a group.
    std::vector<mailbox> mailboxes;
};

struct address_list {
    std::vector<address> items;
    /// Raw text of each rejected element (trimmed); empty when all parsed.
    std::vector<std::string> errors;
    bool ok() const noexcept { return errors.empty(); }
    /// Every mailbox, groups flattened.
    std::vector<mailbox> mailboxes() const;
};

struct address_options {
    /// Most elements read from one header (the rest are reported as one error).
    std::size_t max_items = 10000;
};

/// Parses an address-list header value (raw or unfolded).
address_list parse_address_list(std::string_view raw, const address_options& opts = {});

/// Parses a single mailbox (e.g. Sender); ok false if the value is not exactly one.
struct mailbox_result {
    mailbox value;
    bool ok = false;
};
mailbox_result parse_mailbox(std::string_view raw);

} // namespace pigeon::mime
