#pragma once
// NAMESPACE (RFC 2342, RFC 9051 section 7.3.5): "* NAMESPACE (("" "/"))
// (("Other Users/" "/")) NIL": where personal, other users' and shared
// mailboxes live.
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap {

struct namespace_entry {
    std::string prefix;              ///< UTF-8 ("" or "INBOX." or "Other Users/")
    std::string wire_prefix;         ///< as sent
    std::optional<char> delimiter;   ///< nullopt for NIL (flat)
};

struct namespaces {
    std::vector<namespace_entry> personal;
    std::vector<namespace_entry> other_users;
    std::vector<namespace_entry> shared;
};

/// nullopt without an error if r is not NAMESPACE; nullopt with
/// errc::malformed_reply if malformed. Extension data is skipped.
std::optional<namespaces> parse_namespaces(const response& r, std::error_code& ec,
                                           name_encoding enc = name_encoding::modified_utf7);

} // namespace pigeon::imap
