// pigeon read ACCOUNT|URL ID: one message from the server in the reader view
// of `pigeon show` (--headers, --part N, --save-attachments DIR, --json:
// `show --json` plus where the message is), or as stored (--raw). IMAP
// fetches with BODY.PEEK (the message stays unseen unless --mark-seen).
// The message is streamed to an unlinked temporary file and parsed there,
// so its size does not matter.
#include <unistd.h>

#include <memory>

#include "command.hpp"
#include "mail_listing.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

struct read_cmd {
    mail::mail_flags f;
    bool headers = false;
    std::string part;
    std::string save_dir;
    bool raw = false;
    bool mark_seen = false;
    CLI::Option* part_opt = nullptr;
    CLI::Option* save_opt = nullptr;
};

int show_message(const read_cmd& c, int fd, const mail::summary& where) {
    mime::message m = show::parse_message_fd(fd, "message " + printable(where.id()));
    int rc = exit_ok;
    if (c.part_opt->count() > 0) rc = show::print_part(m, c.part);
    else if (c.save_opt->count() > 0) rc = show::save_attachments(m, c.save_dir);
    else if (c.f.json) rc = show::print_json(m, mail::location_json(where));
    else rc = show::print_view(m, c.headers);
    show::finish_output();
    return rc;
}

int run(const read_cmd& c) {
    mail::target t = mail::resolve_target(c.f, false);
    if (t.rest.size() != 1) throw exit_error(exit_usage, "pigeon read takes one message id");
    const bool raw = c.raw;
    int fd = raw ? -1 : show::open_temp_file();
    net::sink_fn sink = raw ? net::sink_fn([](std::string_view b) { show::write_out(b); }) : mail::fd_sink(fd);
    mail::summary where;
    try {
        if (t.pop3) {
            if (c.mark_seen) throw exit_error(exit_usage, "POP3 has no flags (--mark-seen)");
            pop3::client p = mail::open_pop3(t);
            std::uint32_t n = mail::pop3_numbers(p, t.rest).front();
            mail::pop3_summaries(p, t, {n}, [&](const mail::summary& s) { where = s; });
            p.retrieve(n, sink);
            p.quit();
        } else {
            imap::client m = mail::open_imap(t);
            mail::open_folder(m, t.folder, c.mark_seen);
            imap::uid_set uid = mail::checked_uids(m, mail::parse_ids(t.rest), t.folder);
            imap::fetch_items items = imap::fetch_items::listing();
            items.sections.push_back(imap::body_section{});
            bool got = false;
            m.fetch_each(uid, items,
                         [&](imap::message_data& d) {
                             where = mail::summary_of(d);
                             got = true;
                         },
                         [&](const imap::body_target&) { return sink; });
            if (!got) throw exit_error(exit_noinput, "the message is gone from " + printable(t.folder));
            where.account = t.account;
            where.folder = t.folder;
            where.uidvalidity = m.mailbox().uidvalidity;
            if (c.mark_seen) {
                m.store(uid, imap::store_action::add, {"\\Seen"});
                where.flags.push_back("\\Seen");
            }
            m.logout();
        }
    } catch (...) {
        if (fd >= 0) ::close(fd);
        throw;
    }
    if (raw) {
        show::finish_output();
        return exit_ok;
    }
    return show_message(c, fd, where);
}

const registrar read_cmd_reg{command_info{
    "read", "Read a message from the server: the reader view of pigeon show, one part, attachments, JSON, raw",
    [](CLI::App& sub) -> std::function<int()> {
        auto c = std::make_shared<read_cmd>();
        c->f.add_to(sub, "args", "[URL] ID (as pigeon list prints it: UID or UIDVALIDITY:UID; POP3: the UIDL)",
                    "show --json plus account, folder, uidvalidity, uid, id, flags, internal_date, size");
        auto* headers = sub.add_flag("--headers", c->headers, "Show every header field");
        c->part_opt = sub.add_option("--part", c->part, "Print the decoded content of part N (as in show)")
                          ->type_name("N");
        c->save_opt = sub.add_option("--save-attachments", c->save_dir,
                                     "Save every attachment and inline part into DIR (never overwrites)")
                          ->type_name("DIR");
        auto* raw = sub.add_flag("--raw", c->raw, "Write the message as stored on the server");
        sub.add_flag("--mark-seen", c->mark_seen, "IMAP: set \\Seen (reading leaves it unseen otherwise)");
        c->part_opt->excludes(headers)->excludes(c->save_opt)->excludes(raw);
        c->save_opt->excludes(headers)->excludes(raw);
        raw->excludes(headers);
        return [c] {
            if (c->f.json && (c->raw || c->headers || c->part_opt->count() || c->save_opt->count())) {
                error_line("--json goes with none of --raw, --headers, --part, --save-attachments");
                return exit_usage;
            }
            return mail::guarded([&] { return run(*c); });
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
