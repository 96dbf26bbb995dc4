#pragma once
// Private: a mailbox name from its token, decoded for display.
#include <string>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap::detail {

struct decoded_name {
    std::string name;
    std::string wire;
    bool valid = true;
};

/// mailbox = "INBOX" / astring. false if t is not an astring.
/// QUIRK(various): servers that send raw UTF-8 names without UTF8=ACCEPT:
/// a name that is not modified UTF-7 but is valid UTF-8 is taken as is.
inline bool read_mailbox_name(const token& t, name_encoding enc, decoded_name& out) {
    if (!t.is_string()) return false;
    out.wire = t.text;
    if (auto d = decode_mailbox_name(out.wire, enc)) {
        out.name = std::move(*d);
    } else if (auto u = decode_mailbox_name(out.wire, name_encoding::utf8)) {
        out.name = std::move(*u);
    } else {
        out.name = out.wire;
        out.valid = false;
    }
    return true;
}

} // namespace pigeon::imap::detail
