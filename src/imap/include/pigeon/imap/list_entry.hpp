#pragma once
// LIST and LSUB responses (RFC 9051 section 7.3.1; RFC 5258 LIST-EXTENDED,
// RFC 6154 SPECIAL-USE, RFC 3348 CHILDREN): "* LIST (\HasNoChildren \Sent)
// "/" Sent", with LIST-EXTENDED data such as (CHILDINFO ("SUBSCRIBED")).
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap {

/// The special use a mailbox announces (RFC 6154, RFC 8457 \Important).
enum class special_use { none, all, archive, drafts, flagged, junk, sent, trash, important };

struct list_entry {
    bool lsub = false;                     ///< an LSUB response (else LIST)
    std::vector<std::string> attributes;   ///< as sent: "\HasNoChildren", "\Sent"
    std::optional<char> delimiter;         ///< hierarchy delimiter; nullopt for NIL (flat)
    /// The name in UTF-8, for display and comparison. Server data: never
    /// use it as a file name or shell word without checking.
    std::string name;
    std::string wire_name;                 ///< as sent: what commands must use
    /// false if wire_name is neither valid in the name encoding nor UTF-8;
    /// name then holds the wire bytes.
    bool name_valid = true;
    std::vector<std::string> child_info;   ///< LIST-EXTENDED CHILDINFO: "SUBSCRIBED"
    std::optional<std::string> old_name;   ///< OLDNAME (RFC 9051), UTF-8

    /// Has the attribute (ASCII case-insensitive, with its backslash).
    bool has_attribute(std::string_view attr) const noexcept;
    /// Neither \Noselect nor \NonExistent.
    bool selectable() const noexcept;
    /// \HasChildren: true, \HasNoChildren: false, neither: unknown.
    std::optional<bool> has_children() const noexcept;
    /// \Subscribed (LIST-EXTENDED), or any LSUB entry without \Noselect.
    bool subscribed() const noexcept;
    /// The first special-use attribute.
    special_use use() const noexcept;
    /// INBOX, which is case-insensitive.
    bool is_inbox() const noexcept;
};

/// nullopt without an error if r is neither LIST nor LSUB; nullopt with
/// errc::malformed_reply if malformed (a delimiter longer than one character
/// included). Extended data items other than CHILDINFO and OLDNAME are
/// skipped.
std::optional<list_entry> parse_list_entry(const response& r, std::error_code& ec,
                                           name_encoding enc = name_encoding::modified_utf7);

} // namespace pigeon::imap
