#include "pigeon/imap/mailbox_event.hpp"

#include <utility>

#include "pigeon/imap/error.hpp"
#include "token_util.hpp"

namespace pigeon::imap {

mailbox_event fetch_event(message_data m) {
    mailbox_event e;
    e.type = mailbox_event::kind::fetch;
    e.number = m.seq;
    e.message = std::move(m);
    return e;
}

std::optional<mailbox_event> parse_mailbox_event(const response& r, std::error_code& ec) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.is_status()) return std::nullopt;
    mailbox_event e;
    if (r.number) {
        if (r.name == "EXISTS") e.type = mailbox_event::kind::exists;
        else if (r.name == "RECENT") e.type = mailbox_event::kind::recent;
        else if (r.name == "EXPUNGE") e.type = mailbox_event::kind::expunge;
        else if (r.name == "FETCH") {
            auto m = parse_fetch(r, ec);
            if (!m) return std::nullopt;
            return fetch_event(std::move(*m));
        } else {
            return std::nullopt;
        }
        if (r.name == "EXPUNGE" && *r.number == 0) {
            ec = make_error_code(errc::malformed_reply);
            return std::nullopt;
        }
        e.number = *r.number;
        return e;
    }
    if (r.name == "VANISHED") {
        auto v = parse_vanished(r, ec);
        if (!v) return std::nullopt;
        e.type = mailbox_event::kind::vanished;
        e.gone = std::move(*v);
        return e;
    }
    if (r.name == "FLAGS") {
        if (r.data.size() != 1 || !detail::is_list(r.data[0])) {
            ec = make_error_code(errc::malformed_reply);
            return std::nullopt;
        }
        e.type = mailbox_event::kind::flags;
        for (const auto& t : r.data[0].items) {
            if (t.kind != token_kind::atom) {
                ec = make_error_code(errc::malformed_reply);
                return std::nullopt;
            }
            e.flags.push_back(t.text);
        }
        return e;
    }
    return std::nullopt;
}

} // namespace pigeon::imap
