#pragma once
// What the server says, unasked, about the selected mailbox (RFC 9051
// section 7.4, RFC 7162 VANISHED): new messages (EXISTS, RECENT), removed
// ones (EXPUNGE, VANISHED), changed flags (FETCH) and the flag list (FLAGS),
// as one typed value. The client hands these to its event handler during any
// command and during IDLE; nothing is kept.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/imap/message_data.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/imap/vanished.hpp"

namespace pigeon::imap {

struct mailbox_event {
    enum class kind {
        exists,    ///< "* n EXISTS": the mailbox now holds `number` messages
        recent,    ///< "* n RECENT" (IMAP4rev1)
        expunge,   ///< "* n EXPUNGE": message `number` is gone; later numbers shift down by one
        fetch,     ///< "* n FETCH (...)": `message` (flags, modseq) changed
        vanished,  ///< "* VANISHED [(EARLIER)] uids" (QRESYNC)
        flags,     ///< "* FLAGS (...)": the flags defined in the mailbox
    };
    kind type = kind::exists;
    std::uint32_t number = 0;        ///< exists / recent: the count; expunge: the sequence number; fetch: message.seq
    message_data message;            ///< fetch
    imap::vanished gone;             ///< vanished
    std::vector<std::string> flags;  ///< flags
};

/// r as an event: nullopt without an error if r is none of the kinds above;
/// nullopt with errc::malformed_reply if it is one of them but malformed.
std::optional<mailbox_event> parse_mailbox_event(const response& r, std::error_code& ec);
/// The event of a FETCH response already parsed.
mailbox_event fetch_event(message_data m);

} // namespace pigeon::imap
