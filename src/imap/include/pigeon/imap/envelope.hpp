#pragma once
// The ENVELOPE of a message (RFC 9051 section 7.5.2, FETCH ENVELOPE): the
// header fields a client lists, pre-parsed by the server. Strings are kept
// as sent: encoded words (RFC 2047) are the caller's (mime's) to decode.
// NIL anywhere reads as an empty string or list.
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

/// One mailbox: ("name" adl "mailbox" "host").
struct address {
    std::string name;     ///< display name, raw; empty for NIL
    std::string route;    ///< source route (obsolete "@a,@b:"), usually empty
    std::string mailbox;  ///< local part
    std::string host;     ///< domain; empty for NIL
    /// "mailbox@host", or the mailbox alone when there is no host.
    std::string addr_spec() const;
    /// The same into out, its storage reused.
    void addr_spec_into(std::string& out) const;
    bool operator==(const address&) const = default;
};

/// RFC 5322 group syntax, "Friends: a@x, b@y;", sent as a start marker
/// (NIL NIL "Friends" NIL), the members and an end marker (NIL NIL NIL NIL).
struct address_group {
    std::string name;
    std::vector<address> members;
    bool operator==(const address_group&) const = default;
};

/// An address list keeps mailboxes and groups in the order sent.
using address_entry = std::variant<address, address_group>;
using address_list = std::vector<address_entry>;

/// The mailboxes of a list, group members included, in order.
std::vector<address> mailboxes(const address_list& list);

/// Calls f(address&) for each of mailboxes(list), without copying; List is
/// address_list (f may take the strings) or const address_list.
template <class List, class F>
void for_each_mailbox(List& list, F&& f) {
    for (auto& e : list) {
        if (auto* a = std::get_if<address>(&e))
            f(*a);
        else
            for (auto& m : std::get<address_group>(e).members) f(m);
    }
}

struct envelope {
    std::string date;         ///< the Date field as sent
    std::string subject;
    address_list from;
    address_list sender;
    address_list reply_to;
    address_list to;
    address_list cc;
    address_list bcc;
    std::string in_reply_to;
    std::string message_id;
    bool operator==(const envelope&) const = default;
};

/// The envelope from its token, a list of ten. Needs at least ten items
/// (more are ignored); a string where a string is due, a list or NIL where
/// an address list is due, four strings or NIL per address; anything else
/// gives nullopt with errc::malformed_reply. QUIRK(various): a group left open
/// at the end of a list is closed there; an end marker without a start and
/// NIL members of an address list are skipped.
std::optional<envelope> parse_envelope(const token& t, std::error_code& ec);
/// The same, moving the strings out of a token the caller gives up.
std::optional<envelope> parse_envelope(token&& t, std::error_code& ec);
/// An address list: "((name adl mailbox host) ...)" or NIL.
std::optional<address_list> parse_address_list(const token& t, std::error_code& ec);
std::optional<address_list> parse_address_list(token&& t, std::error_code& ec);

} // namespace pigeon::imap
