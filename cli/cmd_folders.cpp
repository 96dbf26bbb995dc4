// pigeon folders ACCOUNT|URL: the folders with their SPECIAL-USE role and
// message and unseen counts (LIST-STATUS when offered, else STATUS per
// folder). `pigeon folders URL create NAME`, `... rename OLD NEW`,
// `... delete NAME` change them and say what they did.
#include <memory>

#include "command.hpp"
#include "mail_render.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

using json = nlohmann::ordered_json;

const char* role_name(imap::special_use u) {
    switch (u) {
    case imap::special_use::all: return "all";
    case imap::special_use::archive: return "archive";
    case imap::special_use::drafts: return "drafts";
    case imap::special_use::flagged: return "flagged";
    case imap::special_use::junk: return "junk";
    case imap::special_use::sent: return "sent";
    case imap::special_use::trash: return "trash";
    case imap::special_use::important: return "important";
    case imap::special_use::none: break;
    }
    return "";
}

int change(imap::client& c, const std::vector<std::string>& w) {
    const std::string& verb = w[0];
    auto need = [&](std::size_t n, const char* usage) {
        if (w.size() != n) throw exit_error(exit_usage, std::string("usage: pigeon folders ACCOUNT|URL ") + usage);
    };
    if (verb == "create") {
        need(2, "create NAME");
        c.create(w[1]);
        show::write_out("created folder " + printable(w[1]) + "\n");
    } else if (verb == "rename") {
        need(3, "rename OLD NEW");
        c.rename(w[1], w[2]);
        show::write_out("renamed folder " + printable(w[1]) + " to " + printable(w[2]) + "\n");
    } else if (verb == "delete") {
        need(2, "delete NAME");
        c.delete_mailbox(w[1]);
        show::write_out("deleted folder " + printable(w[1]) + "\n");
    } else {
        throw exit_error(exit_usage, "unknown folder action " + printable(verb) + " (create, rename, delete)");
    }
    return exit_ok;
}

int run(const mail::mail_flags& f) {
    // `pigeon folders create X` names no account: the verb comes first.
    bool verb_first = !f.args.empty() &&
                      (f.args[0] == "create" || f.args[0] == "rename" || f.args[0] == "delete");
    mail::target t = mail::resolve_target(f, !verb_first);
    if (t.pop3) throw exit_error(exit_usage, "POP3 has one maildrop and no folders");
    imap::client c = mail::open_imap(t);
    if (!t.rest.empty()) {
        try {
            int rc = change(c, t.rest);
            c.logout();
            show::finish_output();
            return rc;
        } catch (const core::command_error& e) {
            if (e.is_transient()) throw;
            throw exit_error(exit_unavailable, "the server refused: " + printable(e.server_reply().text()));
        }
    }
    imap::list_options lo;
    imap::status_items si;
    si.uidnext = si.uidvalidity = false;
    if (c.capabilities().has("LIST-STATUS")) lo.status = si;
    std::vector<imap::mailbox_info> boxes = c.list("", "*", lo);
    json arr = json::array();
    std::size_t name_w = 6;
    for (auto& b : boxes) {
        if (!b.status && b.entry.selectable()) {
            try {
                b.status = c.status(b.entry.name, si);
            } catch (const core::command_error&) {
            }
        }
        name_w = std::max(name_w, display_width(printable(b.entry.name)));
    }
    c.logout();
    name_w = std::min<std::size_t>(name_w, 48);
    if (!f.json) show::write_out(pad_columns("FOLDER", name_w) + " ROLE      MESSAGES   UNSEEN\n");
    for (const auto& b : boxes) {
        std::string role = role_name(b.entry.use());
        if (b.entry.is_inbox() && role.empty()) role = "inbox";
        auto count = [&](const std::optional<std::uint32_t>& v) { return v ? json(*v) : json(nullptr); };
        if (f.json) {
            arr.push_back({{"name", b.entry.name},
                           {"role", role.empty() ? json(nullptr) : json(role)},
                           {"messages", b.status ? count(b.status->messages) : json(nullptr)},
                           {"unseen", b.status ? count(b.status->unseen) : json(nullptr)},
                           {"attributes", b.entry.attributes},
                           {"delimiter", b.entry.delimiter ? json(std::string(1, *b.entry.delimiter)) : json(nullptr)}});
            continue;
        }
        auto num = [&](const std::optional<std::uint32_t>& v) {
            std::string s = v ? std::to_string(*v) : "-";
            return std::string(s.size() < 8 ? 8 - s.size() : 0, ' ') + s;
        };
        std::string line = pad_columns(printable(b.entry.name), name_w) + " " + pad_columns(role, 9) + " " +
                           num(b.status ? b.status->messages : std::nullopt) + " " +
                           num(b.status ? b.status->unseen : std::nullopt);
        show::write_out(line + "\n");
    }
    if (f.json) show::write_out(arr.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    show::finish_output();
    return exit_ok;
}

const registrar folders_cmd{command_info{
    "folders", "List mail folders (roles, message and unseen counts); create, rename, delete one",
    [](CLI::App& sub) -> std::function<int()> {
        auto f = std::make_shared<mail::mail_flags>();
        f->add_to(sub, "args", "[ACCOUNT|URL] [create NAME | rename OLD NEW | delete NAME]",
                  "A JSON array: name, role, messages, unseen, attributes, delimiter");
        return [f] { return mail::guarded([&] { return run(*f); }); };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
