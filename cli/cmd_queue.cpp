// pigeon queue list|run|drop: the outbox (outbox_queue.hpp). `run` makes one
// pass over the entries that are due (--all: every entry), each locked while
// it is sent, so concurrent runs (cron, a timer, `pigeon send --queue`)
// never send one twice; --watch keeps making passes; --dry-run says what a
// pass would send. Damaged entries are moved to outbox/corrupt/.
#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "outbox_queue.hpp"
#include "pigeon/store/destination.hpp"

namespace pigeon::cli {
namespace {

struct queue_state {
    outbox_flags outbox;
    trace_flags trace;
    bool json = false;
    bool all = false;
    bool watch = false;
    bool dry_run = false;
    bool bounce = false;
    double interval = 60;
    std::string id;
};

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_stop(int) { stop_requested = 1; }

std::string iso_time(std::int64_t t) {
    if (t <= 0) return {};
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm {};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int run_list(const queue_state& st) {
    store::spool sp = open_outbox(st.outbox.state_dir);
    std::error_code ec;
    const auto ids = sp.list(ec);
    if (ec) throw exit_error(exit_ioerr, "cannot read the outbox " + printable(sp.directory()) + ": " + ec.message());
    nlohmann::json arr = nlohmann::json::array();
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    for (const auto& id : ids) {
        store::spool_entry e;
        if (auto pec = sp.peek(id, e)) {
            if (pec == store::errc::not_found) continue;  // sent meanwhile
            if (st.json) arr.push_back({{"id", id}, {"damaged", true}, {"error", pec.message()}});
            else std::cout << id << "  damaged: " << pec.message() << " (the next run moves it aside)\n";
            continue;
        }
        if (st.json) {
            nlohmann::json rc = nlohmann::json::array();
            for (const auto& r : e.recipients)
                rc.push_back({{"address", printable(r.address)}, {"state", store::to_string(r.state)},
                              {"last_reply", r.last_reply.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(printable(r.last_reply))}});
            arr.push_back({{"id", e.id},
                           {"created", iso_time(e.created)},
                           {"next_attempt", iso_time(e.next_attempt)},
                           {"due", e.next_attempt <= now},
                           {"attempts", e.attempts},
                           {"from", printable(e.from)},
                           {"size", e.size},
                           {"server", printable(e.setting("server"))},
                           {"account", e.setting("account").empty() ? nlohmann::json(nullptr)
                                                                    : nlohmann::json(printable(e.setting("account")))},
                           {"recipients", std::move(rc)},
                           {"last_error", e.last_error.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(printable(e.last_error))}});
            continue;
        }
        std::cout << e.id << "  " << e.size << " bytes  from " << printable(e.from.empty() ? "<>" : e.from) << "  "
                  << e.attempts << " attempt(s)  next " << (e.next_attempt <= now ? "now" : iso_time(e.next_attempt))
                  << "\n";
        for (const auto& r : e.recipients)
            if (r.state != store::recipient_state::delivered)
                std::cout << "    " << printable(r.address) << "  " << store::to_string(r.state)
                          << (r.last_reply.empty() ? "" : "  " + printable(r.last_reply)) << "\n";
        if (!e.last_error.empty()) std::cout << "    last error: " << printable(e.last_error) << "\n";
    }
    if (st.json) std::cout << arr.dump(2) << std::endl;
    else if (ids.empty()) std::cout << "the outbox is empty\n";
    return exit_ok;
}

int run_queue(const queue_state& st) {
    store::spool sp = open_outbox(st.outbox.state_dir);
    delivery_log log = delivery_log::from_flag(st.outbox.log);
    pass_options po;
    po.all = st.all;
    po.dry_run = st.dry_run;
    po.trace = st.trace;
    po.policy = st.outbox.policy();
    po.stopped = [] { return stop_requested != 0; };
    if (st.bounce) po.bounce = &st.outbox;
    if (!st.watch) return run_queue_pass(sp, po, log);
    std::signal(SIGINT, on_stop);
    std::signal(SIGTERM, on_stop);
    while (!stop_requested) {
        run_queue_pass(sp, po, log);
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(st.interval * 1000));
        while (!stop_requested && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return exit_ok;
}

int run_drop(const queue_state& st) {
    store::spool sp = open_outbox(st.outbox.state_dir);
    std::error_code ec;
    auto held = sp.acquire(st.id, ec);
    if (!held) {
        if (ec == store::errc::locked)
            throw exit_error(exit_tempfail, "outbox entry " + printable(st.id) + " is being sent; try again later");
        if (ec == store::errc::corrupt_entry) {
            std::string where;
            if (auto mec = sp.move_aside(st.id, where)) throw exit_error(exit_ioerr, mec.message());
            error_line("outbox entry " + printable(st.id) + " was damaged; moved to " + printable(where));
            return exit_ok;
        }
        throw exit_error(exit_noinput, "no outbox entry " + printable(st.id) + " (see pigeon queue list)");
    }
    store::spool_entry e = held->entry();
    if (auto rec = held->remove()) throw exit_error(exit_ioerr, "cannot remove " + st.id + ": " + rec.message());
    log_record lr;
    lr.account = e.setting("account");
    lr.host = e.setting("server");
    lr.from = e.from;
    for (const auto& r : e.recipients)
        if (r.state == store::recipient_state::pending) lr.recipients.push_back(r.address);
    lr.size = e.size;
    lr.status = "dropped";
    lr.spool_id = e.id;
    delivery_log::from_flag(st.outbox.log).write(lr);
    std::cout << "dropped " << e.id << "\n";
    return exit_ok;
}

const registrar queue_cmd{command_info{
    "queue",
    "The outbox of messages waiting to be sent: list, run, drop",
    [](CLI::App& sub) -> std::function<int()> {
        auto st = std::make_shared<queue_state>();
        auto verb = std::make_shared<std::string>();
        sub.require_subcommand(1);
        auto add = [&](const char* name, const char* help, bool run_options) {
            CLI::App* v = sub.add_subcommand(name, help);
            st->outbox.add_to(*v, run_options, run_options);
            v->callback([verb, name] { *verb = name; });
            return v;
        };
        CLI::App* list = add("list", "Show the queued messages and their recipients' states", false);
        list->add_flag("--json", st->json, "Print one JSON document (an array of entries)");
        CLI::App* run = add("run", "Try the messages whose retry time has come (one pass)", true);
        run->add_flag("--all", st->all, "Try every message now, ignoring the backoff");
        run->add_flag("--watch", st->watch, "Keep running passes until interrupted");
        run->add_option("--interval", st->interval, "Seconds between passes with --watch (default 60)")
            ->check(CLI::PositiveNumber);
        run->add_flag("--dry-run", st->dry_run, "Say what would be sent; send and change nothing");
        run->add_flag("--bounce", st->bounce,
                      "When a message fails for good (5xx, lifetime over), send a report to its sender");
        st->trace.add_to(*run);
        CLI::App* drop = add("drop", "Delete a queued message without sending it", false);
        drop->add_option("id", st->id, "The entry's id (see pigeon queue list)")->required();
        sub.footer("The outbox is $XDG_STATE_HOME/pigeon/outbox (or --state-dir/outbox). Messages get there with "
                   "pigeon send --queue, and from pigeon sendmail when the server cannot take them now. "
                   "Exit status of run: 0 unless a message failed for good or expired (67, 69).");
        return [st, verb]() -> int {
            try {
                if (*verb == "list") return run_list(*st);
                if (*verb == "run") return run_queue(*st);
                return run_drop(*st);
            } catch (const std::exception& e) {
                return report_exception(e);
            }
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
