// pigeon news fetch: the NNTP runner of the fetch engine (news_fetch.hpp)
// and the command: wildmats expanded to groups (LIST ACTIVE), one job per
// group on the engine's pool (--jobs, --max-connections per server), the
// output of `pigeon fetch` (live progress, a summary, JSON Lines), and the
// .newsrc import and export.
#include "news_fetch.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include "common.hpp"
#include "fetch_output.hpp"
#include "fetch_run.hpp"
#include "news_commands.hpp"
#include "news_newsrc.hpp"
#include "news_setup.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/nntp/wildmat.hpp"

namespace pigeon::cli {
namespace {

struct stop_requested {};

std::optional<std::uint64_t> number_of(const store::message_key& k) {
    if (k.uidl.empty() || k.uidl.size() > 19 || k.uidl.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(k.uidl);
}

store::message_key key_of(const std::string& group, std::uint64_t n) { return {group, 0, 0, std::to_string(n)}; }

} // namespace

void run_nntp(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop, job_result& res) {
    const std::string& group = job.folder;
    const fetch_policy& pol = job.policy;
    nntp::client c;
    nntp::client_options o;
    o.net = job.source.net;
    if (pol.window) o.pipeline_window = pol.window;
    o.compress = pol.compress;
    connect_news(c, job.source, o);
    nntp::group_info info;
    try {
        info = c.group(group);
    } catch (const core::command_error& e) {
        throw exit_error(exit_unavailable, "group " + printable(group) + ": " + e.what());
    }
    res.folders.push_back(group);

    article_set read;
    newsrc marks = load_newsrc(newsrc_path(job.account->state_directory()));
    if (const auto* g = marks.find(group)) read = g->read;

    // What is recorded for the group: by number and by Message-ID.
    // Pointers into the state: valid until a record is forgotten, which
    // happens below only after the last use.
    std::unordered_map<std::uint64_t, const store::delivered_record*> by_number;
    std::unordered_map<std::string, std::uint64_t> by_id;
    std::uint64_t max_recorded = 0;
    {
        std::lock_guard<std::mutex> g(job.account->mutex());
        for (const auto* r : job.account->state().records_of(group)) {
            auto n = number_of(r->key);
            if (!n) continue;
            by_number.emplace(*n, r);
            if (!r->message_id.empty()) by_id.emplace(r->message_id, *n);
            max_recorded = std::max(max_recorded, *n);
        }
    }

    struct wanted {
        std::uint64_t number;
        std::uint64_t bytes;
        std::string message_id;
    };
    std::vector<wanted> todo;
    std::vector<store::delivered_record> moved;   // renumbered: recorded under the new number
    std::vector<store::message_key> stale;        // numbers that now name other articles
    std::set<std::uint64_t> listed;
    std::uint64_t too_large = 0, total_bytes = 0;
    if (!info.empty()) {
        c.over(nntp::range::between(info.low, info.high), [&](const nntp::overview_entry& e) {
            if (e.number == 0 || !listed.insert(e.number).second) return;   // a line twice: once
            auto rec = by_number.find(e.number);
            if (rec != by_number.end()) {
                const std::string& had = rec->second->message_id;
                if (had.empty() || e.message_id.empty() || had == e.message_id) return;   // delivered
                stale.push_back(rec->second->key);   // renumbered: another article now
            }
            if (!e.message_id.empty()) {
                if (auto old = by_id.find(e.message_id); old != by_id.end() && old->second != e.number) {
                    store::delivered_record r = *by_number.at(old->second);
                    r.key = key_of(group, e.number);
                    moved.push_back(std::move(r));
                    return;
                }
            }
            if (rec == by_number.end() && read.contains(e.number)) return;   // marked read (.newsrc)
            std::uint64_t bytes = e.bytes.value_or(0);
            if (pol.max_size && bytes > pol.max_size) {
                ++too_large;
                return;
            }
            todo.push_back({e.number, bytes, e.message_id});
        });
    }
    // Recorded numbers above the high-water mark name nothing now; the
    // articles behind them were matched by Message-ID above.
    if (max_recorded > info.high)
        for (const auto& [n, r] : by_number)
            if (n > info.high && std::find(stale.begin(), stale.end(), r->key) == stale.end()) stale.push_back(r->key);
    if (!moved.empty() || !stale.empty()) {
        std::lock_guard<std::mutex> g(job.account->mutex());
        std::error_code ec;
        auto& st = job.account->state();
        if (!stale.empty()) st.forget(stale, ec);
        if (!ec && !moved.empty()) st.confirm(moved, ec);
        if (!ec) st.sync(ec);
        if (ec)
            throw exit_error(exit_ioerr, "state directory " + printable(st.directory()) + ": " + ec.message());
        res.rebaselined += moved.size();
        obs.note(job, "group " + printable(group) + " was renumbered (high-water mark " + std::to_string(info.high) +
                          ", recorded up to " + std::to_string(max_recorded) + "): " + std::to_string(moved.size()) +
                          " article(s) already delivered, matched by Message-ID");
    }
    if (too_large) {
        res.skipped += too_large;
        obs.note(job, "group " + printable(group) + ": " + std::to_string(too_large) +
                          " article(s) larger than --max-size not fetched");
    }
    if (pol.limit && todo.size() > pol.limit) todo.resize(pol.limit);
    // Cross-posted: an article another group of the account delivered (or
    // is about to, in this run) is not fetched again into the destination.
    std::uint64_t crossposted = 0;
    {
        std::lock_guard<std::mutex> g(job.account->mutex());
        std::erase_if(todo, [&](const wanted& w) {
            bool other = !w.message_id.empty() && !job.account->claim_message_id(group, w.message_id);
            crossposted += other ? 1 : 0;
            return other;
        });
    }
    if (crossposted)
        obs.note(job, "group " + printable(group) + ": " + std::to_string(crossposted) +
                          " cross-posted article(s) already fetched from another group");
    for (const auto& w : todo) total_bytes += w.bytes;

    fetch_run run(job, obs, res);
    run.set_totals(todo.size(), total_bytes);
    std::vector<nntp::article_ref> refs;
    refs.reserve(todo.size());
    for (const auto& w : todo) refs.emplace_back(w.number);
    std::unique_ptr<in_flight> cur;
    std::uint64_t refused = 0;
    bool stopped = false;
    try {
        c.retrieve_each(
            refs,
            [&](const nntp::article_ref& ref) -> net::sink_fn {
                store::message_meta mm;
                mm.size_hint = 0;
                (void)ref;
                cur = run.begin(mm, 0);
                return run.sink(*cur);
            },
            [&](const nntp::retrieve_status& s) {
                if (!s.ok) {
                    // 423: cancelled or expired since the overview; nothing to store.
                    ++refused;
                    return;
                }
                if (!cur) return;
                run.finish(std::move(cur), key_of(group, s.ref.number()), {});
                if (stop.load()) throw stop_requested{};
            });
    } catch (const stop_requested&) {
        stopped = true;
    } catch (...) {
        // A cut connection, an article that never ends, a full disk: what
        // arrived whole is made durable and recorded; the one in flight is not.
        run.salvage(cur);
        throw;
    }
    run.flush();
    if (refused)
        obs.note(job, "group " + printable(group) + ": " + std::to_string(refused) +
                          " article(s) gone since the overview (423); not fetched");
    if (stopped) {
        c.close();
        return;
    }
    try {
        c.quit();
    } catch (const std::exception&) {
        // Everything is recorded.
    }
    run.report_kept(res);
}

namespace {

struct fetch_cmd {
    news_flags flags;
    std::size_t jobs = 1;
    std::size_t max_connections = 0;
    std::size_t limit = 0;
    std::string max_size;
    std::string import_newsrc, export_newsrc;
    bool wait = false;
    bool json = false;
    bool quiet = false;
    bool no_progress = false;
};

bool is_wildmat(const std::string& s) { return s.find_first_of("*?[,!\\") != std::string::npos; }

/// The groups the patterns name: plain names as they are, wildmats through
/// LIST ACTIVE (in name order, each once).
std::vector<std::string> expand_groups(const news_target& t, const news_flags& f, const std::vector<std::string>& patterns) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    bool need_list = std::any_of(patterns.begin(), patterns.end(), is_wildmat);
    if (need_list) {
        nntp::client c;
        connect_news(c, t.job.source, news_client_options(t, f));
        for (const auto& p : patterns) {
            if (!is_wildmat(p)) continue;
            if (!nntp::is_valid_wildmat(p)) throw exit_error(exit_usage, "not a wildmat: " + printable(p));
            std::vector<std::string> names;
            c.list_active(p, [&](const nntp::active_entry& a) { names.push_back(a.name); });
            std::sort(names.begin(), names.end());
            for (auto& n : names)
                if (seen.insert(n).second) out.push_back(std::move(n));
        }
        try {
            c.quit();
        } catch (const std::exception&) {
        }
    }
    for (const auto& p : patterns)
        if (!is_wildmat(p) && seen.insert(p).second) out.push_back(p);
    return out;
}

int run_news_fetch(const fetch_cmd& cmd) {
    news_target t = resolve_news(cmd.flags);
    std::vector<std::string> patterns = t.rest;
    if (!t.job.folder.empty()) patterns.insert(patterns.begin(), t.job.folder);
    const std::string state_newsrc = newsrc_path(t.job.account->state_directory());

    if (!cmd.import_newsrc.empty()) {
        newsrc in = load_newsrc(cmd.import_newsrc);
        if (in.groups().empty() && ::access(cmd.import_newsrc.c_str(), R_OK) != 0)
            throw exit_error(exit_noinput, "cannot read " + printable(cmd.import_newsrc));
        update_newsrc(state_newsrc, [&](newsrc& n) { n.merge(in); });
        if (in.skipped_lines())
            error_line("warning: " + std::to_string(in.skipped_lines()) + " line(s) of " + printable(cmd.import_newsrc) +
                       " were not .newsrc lines and were skipped");
    }
    const bool deliver = !t.job.account->destination_spec().empty();
    if (!deliver && cmd.import_newsrc.empty() && cmd.export_newsrc.empty())
        throw exit_error(exit_usage, "no destination: give --into maildir:PATH or mbox:PATH");
    if (deliver && patterns.empty())
        throw exit_error(exit_usage, "which groups? give them in the URL (nntps://host/comp.lang.*) or after it");

    std::vector<std::string> groups = patterns.empty() ? std::vector<std::string>() : expand_groups(t, cmd.flags, patterns);
    int code = exit_ok;
    if (deliver) {
        std::vector<fetch_job> jobs;
        for (const auto& g : groups) {
            fetch_job j = t.job;
            j.folder = g;
            j.label = t.job.account->name() + " " + g;
            j.policy.limit = cmd.limit;
            j.policy.max_size = cmd.max_size.empty() ? 0 : parse_size(cmd.max_size);
            jobs.push_back(std::move(j));
        }
        if (jobs.empty()) {
            if (!cmd.quiet && !cmd.json) error_line("no group matches " + printable(patterns.front()));
        } else {
            fetch_printer printer(choose_output_mode(cmd.json, cmd.quiet, cmd.no_progress), "articles", "pigeon news fetch");
            const std::atomic<bool>& stop = stop_on_signals();
            std::size_t maxc = cmd.max_connections ? cmd.max_connections : t.max_connections;
            std::vector<job_result> results = run_job_pool(jobs, cmd.jobs, maxc, printer, stop);
            code = printer.summarize(jobs, results, stop.load());
        }
    }
    if (!cmd.export_newsrc.empty()) {
        newsrc out = load_newsrc(state_newsrc);
        std::lock_guard<std::mutex> g(t.job.account->mutex());
        auto& st = t.job.account->state();
        std::set<std::string> names(groups.begin(), groups.end());
        for (const auto& gr : out.groups()) names.insert(gr.name);
        for (const auto& name : names)
            st.for_each_record(name, [&](const store::delivered_record& r) {
                if (auto n = number_of(r.key)) out.get(name).read.add(*n);
            });
        save_newsrc(cmd.export_newsrc, out);
    }
    return code;
}

} // namespace

std::function<int()> setup_news_fetch(CLI::App& sub) {
    auto c = std::make_shared<fetch_cmd>();
    c->flags.add_to(sub, "ACCOUNT or URL (nntps://host/WILDMAT), then more groups or wildmats", true);
    sub.add_option("-j,--jobs", c->jobs, "Fetch N groups at once (default 1)")->check(CLI::Range(1, 64));
    sub.add_option("--max-connections", c->max_connections, "At most N connections to the server at once (default 4)")
        ->check(CLI::PositiveNumber);
    sub.add_option("--window", c->flags.window, "ARTICLE commands in flight per connection (default 64)")
        ->check(CLI::Range(1, 1024));
    sub.add_option("--limit", c->limit, "At most N articles per group in this run (oldest first)")->type_name("N");
    sub.add_option("--max-size", c->max_size, "Skip articles larger than this (e.g. 1M)")->type_name("SIZE");
    sub.add_option("--import-newsrc", c->import_newsrc,
                   "Mark the articles read in this .newsrc (tin, slrn) as read first: they are not fetched")
        ->type_name("FILE");
    sub.add_option("--export-newsrc", c->export_newsrc,
                   "Write a .newsrc of what is read or fetched (for tin, slrn) at the end")
        ->type_name("FILE");
    sub.add_flag("--wait", c->flags.fetch.wait, "Wait for another pigeon fetching from the server, instead of exiting 75");
    sub.add_flag("--json", c->json, "JSON Lines: one per article delivered (group, number, ...), then a summary");
    sub.add_flag("-q,--quiet", c->quiet, "Print nothing but errors");
    sub.add_flag("--no-progress", c->no_progress, "No live progress display on a terminal");
    return [c] { return run_news_command([c] { return run_news_fetch(*c); }); };
}

} // namespace pigeon::cli
