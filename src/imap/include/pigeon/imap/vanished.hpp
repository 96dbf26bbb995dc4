#pragma once
// "* VANISHED [(EARLIER)] uid-set" (RFC 7162 section 3.2.10, QRESYNC): the
// UIDs of expunged messages, in place of EXPUNGE responses.
#include <optional>
#include <system_error>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/sequence_set.hpp"

namespace pigeon::imap {

struct vanished {
    bool earlier = false;  ///< (EARLIER): a report on messages gone before now (SELECT QRESYNC, UID FETCH VANISHED)
    uid_set uids;          ///< as sent, never expanded
};

/// nullopt without an error if r is not VANISHED; nullopt with
/// errc::malformed_reply if malformed ("*" in the set included).
std::optional<vanished> parse_vanished(const response& r, std::error_code& ec);

} // namespace pigeon::imap
