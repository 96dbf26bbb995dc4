// pigeon wait ACCOUNT|URL QUERY... [--timeout S] [--new]: waits until a
// message matching the query is in the folder, prints it (as `pigeon list`,
// or its JSON) and exits 0; exit 75 when the timeout runs out. A match that
// is already there counts at once (the application may have been quicker
// than the test), unless --new: then only messages that arrive after the
// start count (UIDs from the UIDNEXT seen at the start; POP3: UIDLs not in
// the maildrop at the start). IMAP waits in IDLE where offered (each EXISTS
// triggers a UID SEARCH), else polls; POP3 polls UIDL.
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "command.hpp"
#include "mail_listing.hpp"
#include "mail_query.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

using clock_type = std::chrono::steady_clock;

struct wait_cmd {
    mail::mail_flags f;
    double timeout = 0;  ///< from --timeout
    double interval = 1;
    bool new_only = false;
};

std::chrono::milliseconds ms_of(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

int timed_out(const wait_cmd& c, const std::string& what) {
    error_line("no message " + what + " within " + std::to_string(static_cast<long long>(c.timeout)) + " s");
    return exit_tempfail;
}

int print_found(const wait_cmd& c, const mail::summary& s) {
    mail::summary_printer out(c.f.json, s.uidl.empty() ? 8 : 16);
    out.add(s);
    out.finish();
    show::finish_output();
    return exit_ok;
}

int wait_imap(const wait_cmd& c, const mail::target& t, const imap::search_query& query, const std::string& what,
              clock_type::time_point deadline) {
    imap::client m = mail::open_imap(t);
    const auto& mb = mail::open_folder(m, t.folder, false);
    const std::uint32_t first_new = c.new_only ? mb.uidnext.value_or(1) : 1;
    const bool idle = m.capabilities().has("IDLE");
    for (;;) {
        const auto exists_before = m.mailbox().exists;
        imap::uid_set found = m.search(query);
        // "UID n:*" would match the last message even below n: filter here.
        std::uint32_t best = 0;
        for (const auto& r : found.ranges())
            if (r.last != imap::uid_set::star && r.last >= first_new) best = std::max(best, r.last);
        if (best) {
            int rc = exit_ok;
            mail::fetch_summaries(m, t, {best}, [&](const mail::summary& s) { rc = print_found(c, s); });
            m.logout();
            return rc;
        }
        auto now = clock_type::now();
        if (c.timeout > 0 && now >= deadline) {
            m.logout();
            return timed_out(c, what);
        }
        if (m.mailbox().exists != exists_before) continue;  // arrived during the search
        auto slice = std::chrono::milliseconds(30000);
        if (c.timeout > 0)
            slice = std::min(slice, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                                        std::chrono::milliseconds(1));
        if (idle) {
            m.idle([](const imap::mailbox_event& e) { return e.type != imap::mailbox_event::kind::exists; }, slice);
        } else {
            std::this_thread::sleep_for(std::min(slice, ms_of(c.interval)));
            m.noop();
        }
    }
}

int wait_pop3(const wait_cmd& c, const mail::target& t, const mail::parsed_query& pq, const std::string& what,
              clock_type::time_point deadline) {
    std::set<std::string> before, rejected;
    bool first = true;
    for (;;) {
        pop3::client p = mail::open_pop3(t);
        std::vector<pop3::message_uid> uids = p.uidl();
        if (first && c.new_only)
            for (const auto& u : uids) before.insert(u.uid);
        first = false;
        std::map<std::uint32_t, std::uint64_t> sizes;
        if (!pq.empty) p.list([&](const pop3::message_size& m) { sizes[m.number] = m.size; });
        // Newest first; each message is looked at once (POP3 messages do not change).
        for (auto it = uids.rbegin(); it != uids.rend(); ++it) {
            if (before.count(it->uid) || rejected.count(it->uid)) continue;
            if (!pq.empty) {
                if (!pq.matches(mail::pop3_facts(p, it->number, sizes[it->number], pq.needs_whole))) {
                    rejected.insert(it->uid);
                    continue;
                }
            }
            int rc = exit_ok;
            mail::pop3_summaries(p, t, {it->number}, [&](const mail::summary& s) { rc = print_found(c, s); });
            p.quit();
            return rc;
        }
        p.quit();
        auto now = clock_type::now();
        if (c.timeout > 0 && now >= deadline) return timed_out(c, what);
        auto pause = ms_of(c.interval);
        if (c.timeout > 0)
            pause = std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                                        std::chrono::milliseconds(1));
        std::this_thread::sleep_for(pause);
    }
}

int run(wait_cmd& c) {
    c.timeout = c.f.conn.timeout;
    c.f.conn.timeout = 0;
    mail::target t = mail::resolve_target(c.f, false);
    std::string text = mail::query_text(t.rest);
    mail::parsed_query pq = mail::parse_query(text, mail::utc_today());
    if (!pq.query) {
        error_line(mail::format_error(text, pq.error));
        return exit_usage;
    }
    auto deadline = clock_type::now() + ms_of(c.timeout);
    std::string what = pq.empty ? std::string(c.new_only ? "arrived" : "in " + printable(t.folder))
                                : "matching " + printable(text);
    if (t.pop3) return wait_pop3(c, t, pq, what, deadline);
    return wait_imap(c, t, *pq.query, what, deadline);
}

const registrar wait_cmd_reg{command_info{
    "wait", "Wait until a message matching a query is in a folder (for tests: exit 75 on timeout)",
    [](CLI::App& sub) -> std::function<int()> {
        auto c = std::make_shared<wait_cmd>();
        c->f.add_to(sub, "args", "[URL] [QUERY...] (as pigeon search; none: any message)",
                    "A JSON array with the message, as pigeon list --json");
        // --timeout is the wait's here; connections keep the account's (else 60 s).
        sub.get_option("--timeout")->description("Give up after SECONDS and exit 75 (default: wait for ever)");
        sub.add_option("--interval", c->interval, "Seconds between polls without IDLE, and for POP3 (default 1)")
            ->type_name("SECONDS")
            ->check(CLI::PositiveNumber);
        sub.add_flag("--new", c->new_only, "Only messages that arrive after pigeon wait started");
        return [c] { return mail::guarded([&] { return run(*c); }); };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
