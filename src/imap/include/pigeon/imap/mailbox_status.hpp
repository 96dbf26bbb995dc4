#pragma once
// What the server says about a mailbox: the data of SELECT / EXAMINE (and
// the updates that follow while it is selected), and STATUS responses
// (RFC 9051 sections 6.3.1, 6.3.11, 7.1, 7.3; RFC 7162 CONDSTORE/QRESYNC;
// RFC 8438 STATUS=SIZE).
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap {

/// The selected mailbox, collected from responses with apply().
struct mailbox_status {
    std::optional<std::uint32_t> exists;        ///< "* n EXISTS"
    std::optional<std::uint32_t> recent;        ///< "* n RECENT" (IMAP4rev1)
    std::optional<std::uint32_t> uidvalidity;   ///< [UIDVALIDITY n]
    std::optional<std::uint32_t> uidnext;       ///< [UIDNEXT n]
    std::optional<std::uint32_t> unseen;        ///< [UNSEEN n]: number of the first unseen message
    std::optional<std::vector<std::string>> flags;            ///< "* FLAGS (...)"
    std::optional<std::vector<std::string>> permanent_flags;  ///< [PERMANENTFLAGS (...)], "\*" included
    std::optional<std::uint64_t> highest_modseq;              ///< [HIGHESTMODSEQ n]
    bool read_only = false;        ///< tagged OK [READ-ONLY] (EXAMINE, or a read-only SELECT)
    bool nomodseq = false;         ///< [NOMODSEQ]: no mod-sequences in this mailbox
    bool uid_not_sticky = false;   ///< [UIDNOTSTICKY] (RFC 4315)

    /// Takes what r says about the selected mailbox: FLAGS, n EXISTS,
    /// n RECENT, n EXPUNGE and VANISHED without EARLIER (EXISTS goes down),
    /// OK with [UIDVALIDITY], [UIDNEXT], [UNSEEN], [PERMANENTFLAGS],
    /// [HIGHESTMODSEQ], [NOMODSEQ], [UIDNOTSTICKY], tagged OK with
    /// [READ-ONLY] / [READ-WRITE], and [CLOSED] (QRESYNC: what came before
    /// was the previous mailbox's, so everything is forgotten). Returns
    /// true if r was one of these. A malformed value is ignored (the field
    /// keeps its value) and ec says errc::malformed_reply.
    bool apply(const response& r, std::error_code& ec);
};

/// "* STATUS name (MESSAGES 231 UIDNEXT 44292 ...)".
struct status_data {
    std::string mailbox;       ///< UTF-8 (see list_entry::name)
    std::string wire_mailbox;  ///< as sent: what commands must use
    bool name_valid = true;    ///< see list_entry::name_valid
    std::optional<std::uint32_t> messages;
    std::optional<std::uint32_t> recent;
    std::optional<std::uint32_t> uidnext;
    std::optional<std::uint32_t> uidvalidity;
    std::optional<std::uint32_t> unseen;        ///< number of unseen messages
    std::optional<std::uint32_t> deleted;       ///< RFC 9051 DELETED
    std::optional<std::uint64_t> size;          ///< RFC 8438 SIZE
    std::optional<std::uint64_t> highest_modseq;
};

/// nullopt without an error if r is not a STATUS response; nullopt with
/// errc::malformed_reply if it is malformed. Unknown attributes are skipped.
std::optional<status_data> parse_status(const response& r, std::error_code& ec,
                                        name_encoding enc = name_encoding::modified_utf7);

} // namespace pigeon::imap
