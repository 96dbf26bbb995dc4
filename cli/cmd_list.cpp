// pigeon list ACCOUNT|URL: the messages of a folder, newest first, a page at
// a time (--page, --page-size, --all), as a table sized to the terminal or
// as JSON (--json). POP3 maildrops too (ids: the UIDL).
#include <memory>

#include "command.hpp"
#include "mail_listing.hpp"

namespace pigeon::cli {
namespace {

const registrar list_cmd{command_info{
    "list", "List the messages of a mail folder (IMAP) or maildrop (POP3), newest first",
    [](CLI::App& sub) -> std::function<int()> {
        struct state {
            mail::mail_flags f;
            mail::listing_flags l;
        };
        auto s = std::make_shared<state>();
        s->f.add_to(sub, "source", "ACCOUNT, or URL imaps://user@host/Folder, pop3s://user@host",
                    "A JSON array: account, folder, uidvalidity, uid, id, flags, date, from, to, subject, size, "
                    "message_id");
        s->l.add_to(sub);
        return [s] {
            return mail::guarded([&] {
                mail::target t = mail::resolve_target(s->f, true);
                if (!t.rest.empty()) throw exit_error(exit_usage, "pigeon list takes one ACCOUNT or URL");
                return mail::run_listing(s->f, s->l, t, nullptr);
            });
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
