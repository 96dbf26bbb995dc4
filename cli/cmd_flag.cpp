// pigeon flag ACCOUNT|URL ID... --add FLAG --remove FLAG | --set FLAG...:
// changes flags (seen, flagged, answered, deleted, draft, keywords) with UID
// STORE and prints the flags each message has afterwards.
#include <memory>

#include "command.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

struct flag_cmd {
    mail::mail_flags f;
    std::vector<std::string> add, remove, set;
    bool set_given = false;
};

int run(const flag_cmd& c) {
    mail::target t = mail::resolve_target(c.f, false);
    if (t.pop3) throw exit_error(exit_usage, "POP3 has no flags");
    if (c.add.empty() && c.remove.empty() && !c.set_given)
        throw exit_error(exit_usage, "give --add FLAG, --remove FLAG or --set FLAG...");
    auto names = [](const std::vector<std::string>& words) {
        std::vector<std::string> out;
        for (const auto& w : words)
            if (!w.empty()) out.push_back(mail::flag_name(w));
        return out;
    };
    std::vector<std::string> add = names(c.add), remove = names(c.remove), set = names(c.set);
    imap::client m = mail::open_imap(t);
    mail::open_folder(m, t.folder, true);
    imap::uid_set uids = mail::checked_uids(m, mail::parse_ids(t.rest), t.folder);
    std::map<std::uint32_t, std::vector<std::string>> now;
    auto note = [&](imap::message_data& d) {
        if (d.uid && d.flags) now[*d.uid] = *d.flags;
    };
    imap::store_options so;
    so.silent = false;
    if (c.set_given) m.store(uids, imap::store_action::replace, set, so, note);
    if (!add.empty()) m.store(uids, imap::store_action::add, add, so, note);
    if (!remove.empty()) m.store(uids, imap::store_action::remove, remove, so, note);
    m.logout();
    for (std::uint32_t u : uids) {
        std::string line = "UID " + std::to_string(u) + ":";
        auto it = now.find(u);
        if (it == now.end()) line += " (flags not reported)";
        else if (it->second.empty()) line += " no flags";
        else
            for (const auto& fl : it->second) line += " " + printable(fl);
        show::write_out(line + "\n");
    }
    show::finish_output();
    return exit_ok;
}

const registrar flag_cmd_reg{command_info{
    "flag", "Set or clear flags of messages: seen, flagged, answered, deleted, draft, keywords",
    [](CLI::App& sub) -> std::function<int()> {
        auto c = std::make_shared<flag_cmd>();
        c->f.add_to(sub, "args", "[URL] ID...", nullptr);
        sub.add_option("--add", c->add, "Add FLAG (repeatable)")->type_name("FLAG");
        sub.add_option("--remove", c->remove, "Remove FLAG (repeatable)")->type_name("FLAG");
        auto* set = sub.add_option("--set", c->set, "Replace the flags with these (repeatable; '' for none)")
                        ->type_name("FLAG")
                        ->expected(0, 1)
                        ->allow_extra_args(false);
        return [c, set] {
            c->set_given = set->count() > 0;
            return mail::guarded([&] { return run(*c); });
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
