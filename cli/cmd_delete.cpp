// pigeon delete ACCOUNT|URL ID...: moves the messages to the Trash folder
// (found by SPECIAL-USE \Trash), or removes them for good with --expunge
// (also in the Trash itself, or where there is none): STORE \Deleted and
// UID EXPUNGE of just these. POP3: DELE, then QUIT. Prints what it did.
#include <memory>

#include "command.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

struct delete_cmd {
    mail::mail_flags f;
    bool expunge = false;
};

std::string trash_of(imap::client& m) {
    for (const auto& b : m.list("", "*"))
        if (b.entry.use() == imap::special_use::trash) return b.entry.name;
    return {};
}

int run(const delete_cmd& c) {
    mail::target t = mail::resolve_target(c.f, false);
    if (t.pop3) {
        pop3::client p = mail::open_pop3(t);
        std::vector<std::uint32_t> numbers = mail::pop3_numbers(p, t.rest);
        for (std::uint32_t n : numbers) p.mark_deleted(n);
        p.quit();
        for (const auto& id : t.rest) show::write_out("deleted " + printable(id) + "\n");
        show::finish_output();
        return exit_ok;
    }
    imap::client m = mail::open_imap(t);
    std::string trash = c.expunge ? std::string() : trash_of(m);
    mail::open_folder(m, t.folder, true);
    imap::uid_set uids = mail::checked_uids(m, mail::parse_ids(t.rest), t.folder);
    if (!trash.empty() && trash != t.folder) {
        auto r = m.move(uids, trash);
        m.logout();
        show::write_out(mail::copied_text("moved", uids, trash, r));
        show::finish_output();
        return exit_ok;
    }
    const auto& caps = m.capabilities();
    if (!caps.has("UIDPLUS") && !caps.imap4rev2())
        throw exit_error(exit_unavailable, "the server offers no UIDPLUS: expunging only these messages is not "
                                           "possible (a plain EXPUNGE would remove others' deletions too)");
    m.store(uids, imap::store_action::add, {"\\Deleted"});
    m.expunge(uids);
    m.logout();
    for (std::uint32_t u : uids) show::write_out("expunged UID " + std::to_string(u) + " from " + printable(t.folder) + "\n");
    show::finish_output();
    return exit_ok;
}

const registrar delete_cmd_reg{command_info{
    "delete", "Delete messages: to the Trash folder, or for good with --expunge (POP3: DELE)",
    [](CLI::App& sub) -> std::function<int()> {
        auto c = std::make_shared<delete_cmd>();
        c->f.add_to(sub, "args", "[URL] ID...", nullptr);
        sub.add_flag("--expunge", c->expunge, "Remove for good instead of moving to the Trash");
        return [c] { return mail::guarded([&] { return run(*c); }); };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
