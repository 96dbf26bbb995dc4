// pigeon news groups|list|read|post|fetch: Usenet from the command line.
// Every verb takes an account (--account) or a URL first
// (nntps://[user@]host/group; the path is a group or a wildmat), the TLS,
// login, trace and timeout flags of the mail commands, --json, and exits
// with the sysexits codes. This file: the registration, `groups` (LIST
// ACTIVE / COUNTS with descriptions, or NEWGROUPS) and `list` (the
// overview of a group).
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "news_commands.hpp"
#include "news_newsrc.hpp"
#include "news_overview.hpp"
#include "news_setup.hpp"
#include "pigeon/nntp/wildmat.hpp"

namespace pigeon::cli {
namespace {

void print_json(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    std::cout.flush();
    if (!std::cout) throw exit_error(exit_ioerr, "cannot write to standard output");
}

void print_lines(const std::vector<std::string>& lines) {
    for (const auto& l : lines) std::fwrite(l.data(), 1, l.size(), stdout), std::fputc('\n', stdout);
    if (std::fflush(stdout) != 0) throw exit_error(exit_ioerr, "cannot write to standard output");
}

std::string posting_word(const nntp::active_entry& a) {
    switch (a.posting) {
    case nntp::group_posting::allowed: return "posting";
    case nntp::group_posting::not_allowed: return "read-only";
    case nntp::group_posting::moderated: return "moderated";
    case nntp::group_posting::no_local: return "no-posting";
    case nntp::group_posting::junk: return "junk";
    case nntp::group_posting::alias: return "alias of " + a.alias_of;
    default: return a.status;
    }
}

/// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC).
std::chrono::sys_seconds parse_since(const std::string& text) {
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    int n = std::sscanf(text.c_str(), "%4d-%2u-%2u %2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &s, &tail);
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
    if ((n != 3 && n != 6) || !ymd.ok() || h > 23 || mi > 59 || s > 60)
        throw exit_error(exit_usage, "--new-since wants YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS' (UTC), not " +
                                         printable(text));
    return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

struct groups_cmd {
    news_flags flags;
    std::string new_since;
    bool json = false;
    bool no_descriptions = false;
};

int run_groups(const groups_cmd& g) {
    news_target t = resolve_news(g.flags);
    std::string wildmat = !t.rest.empty() ? t.rest.front() : !t.job.folder.empty() ? t.job.folder : "*";
    if (t.rest.size() > 1) throw exit_error(exit_usage, "one wildmat, please (comma-separate patterns: 'comp.*,!comp.os.*')");
    if (!nntp::is_valid_wildmat(wildmat)) throw exit_error(exit_usage, "not a wildmat: " + printable(wildmat));

    nntp::client c;
    connect_news(c, t.job.source, news_client_options(t, g.flags));
    struct row {
        nntp::active_entry a;
        std::uint64_t count = 0;
        std::string description;
    };
    std::vector<row> rows;
    if (!g.new_since.empty()) {
        c.newgroups(parse_since(g.new_since), [&](const nntp::active_entry& a) {
            if (nntp::wildmat_match(wildmat, a.name)) rows.push_back({a, a.high >= a.low ? a.high - a.low + 1 : 0, {}});
        });
    } else if (c.capabilities().has_argument("LIST", "COUNTS")) {
        c.list_counts(wildmat, [&](const nntp::counts_entry& e) { rows.push_back({e.active, e.count, {}}); });
    } else {
        // No LIST COUNTS: high - low + 1 is the estimate RFC 3977 allows.
        c.list_active(wildmat, [&](const nntp::active_entry& a) {
            rows.push_back({a, a.high >= a.low ? a.high - a.low + 1 : 0, {}});
        });
    }
    if (!g.no_descriptions && !rows.empty()) {
        std::map<std::string, std::string> desc;
        try {
            c.list_newsgroups(wildmat, [&](const nntp::newsgroups_entry& e) { desc.emplace(e.name, e.description); });
        } catch (const core::command_error&) {
            // LIST NEWSGROUPS is optional: no descriptions then.
        }
        for (auto& r : rows)
            if (auto it = desc.find(r.a.name); it != desc.end()) r.description = it->second;
    }
    try {
        c.quit();
    } catch (const std::exception&) {
    }
    std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.a.name < b.a.name; });

    if (g.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rows)
            out.push_back({{"name", r.a.name},
                           {"low", r.a.low},
                           {"high", r.a.high},
                           {"count", r.count},
                           {"status", r.a.status},
                           {"description", r.description}});
        print_json(out);
        return exit_ok;
    }
    std::size_t name_w = 10, count_w = 5, range_w = 3;
    for (const auto& r : rows) {
        name_w = std::max(name_w, std::min<std::size_t>(40, r.a.name.size()));
        count_w = std::max(count_w, std::to_string(r.count).size());
        range_w = std::max(range_w, std::to_string(r.a.low).size() + 1 + std::to_string(r.a.high).size());
    }
    std::size_t width = std::max<std::size_t>(20, terminal_size_of(1).columns);
    std::vector<std::string> lines;
    for (const auto& r : rows) {
        std::string count = std::to_string(r.count);
        std::string line = pad_columns(printable(r.a.name), name_w) + ' ' + std::string(count_w - count.size(), ' ') +
                           count + ' ' + pad_columns(std::to_string(r.a.low) + "-" + std::to_string(r.a.high), range_w) +
                           ' ' + pad_columns(printable(posting_word(r.a)), 10);
        if (!r.description.empty() && width > line.size() + 2)
            line += ' ' + fit_columns(printable(r.description), width - line.size() - 1);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
    }
    print_lines(lines);
    return exit_ok;
}

struct list_cmd {
    news_flags flags;
    std::string group;
    std::string range;
    std::size_t last = 0;
    bool only_new = false;
    bool mark_read = false;
    bool flat = false;
    bool json = false;
};

int run_list(const list_cmd& l) {
    news_target t = resolve_news(l.flags);
    std::string group = !l.group.empty() ? l.group : !t.rest.empty() ? t.rest.front() : t.job.folder;
    if (group.empty()) throw exit_error(exit_usage, "which group? give it in the URL (nntps://host/GROUP), after the account, or with --group");
    if (t.rest.size() > (l.group.empty() ? 1u : 0u)) throw exit_error(exit_usage, "unexpected argument: " + printable(t.rest.back()));
    if (group.find_first_of("*?[,!") != std::string::npos)
        throw exit_error(exit_usage, "list shows one group; " + printable(group) + " is a wildmat (see pigeon news groups)");
    if (!l.range.empty() && (l.last || l.only_new)) throw exit_error(exit_usage, "--range goes without --last and --new");

    std::string newsrc_file = newsrc_path(t.job.account->state_directory());
    article_set read;
    if (l.only_new) {
        newsrc marks = load_newsrc(newsrc_file);
        if (const auto* g = marks.find(group)) read = g->read;
    }

    nntp::client c;
    connect_news(c, t.job.source, news_client_options(t, l.flags));
    nntp::group_info info = c.group(group);
    std::vector<nntp::overview_entry> entries;
    std::vector<std::uint64_t> numbers;   // what --json printed (for --mark-read)
    const bool streaming = l.json;
    if (!info.empty()) {
        nntp::range r = nntp::range::between(info.low, info.high);
        if (!l.range.empty()) {
            std::error_code ec;
            auto pr = nntp::parse_range(l.range, ec);
            if (!pr) throw exit_error(exit_usage, "--range wants N, N- or N-M, not " + printable(l.range));
            r = *pr;
        } else if (l.only_new) {
            r = nntp::range::between(read.first_missing(info.low), info.high);
        }
        if (l.last && info.high - info.low + 1 > l.last) r.first = std::max(r.first, info.high - l.last + 1);
        if (!r.empty()) {
            c.over(r, [&](const nntp::overview_entry& e) {
                if (l.only_new && read.contains(e.number)) return;
                if (streaming) {
                    // --json streams: memory stays flat whatever the group's size.
                    std::cout << (numbers.empty() ? "[\n" : ",\n")
                              << overview_json(e);
                    numbers.push_back(e.number);
                    return;
                }
                entries.push_back(e);
            });
        }
    }
    if (streaming) {
        std::cout << (numbers.empty() ? "[]\n" : "\n]\n");
        std::cout.flush();
        if (!std::cout) throw exit_error(exit_ioerr, "cannot write to standard output");
    }
    try {
        c.quit();
    } catch (const std::exception&) {
    }
    if (l.last && entries.size() > l.last) entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(l.last));

    for (const auto& e : entries) numbers.push_back(e.number);
    if (l.mark_read && !numbers.empty()) {
        update_newsrc(newsrc_file, [&](newsrc& n) {
            auto& g = n.get(group);
            for (auto num : numbers) g.read.add(num);
        });
    }
    if (l.json) return exit_ok;
    std::vector<thread_row> rows;
    if (l.flat) {
        for (std::size_t i = 0; i < entries.size(); ++i) rows.push_back({i, 0});
    } else {
        rows = thread_entries(entries);
    }
    print_lines(overview_table(entries, rows, std::max<std::size_t>(20, terminal_size_of(1).columns)));
    return exit_ok;
}

} // namespace

std::function<int()> setup_news_groups(CLI::App& sub) {
    auto g = std::make_shared<groups_cmd>();
    g->flags.add_to(sub, "ACCOUNT or URL (nntps://host/WILDMAT), then a wildmat (default: every group)");
    sub.add_option("--new-since", g->new_since, "Only groups created since then (NEWGROUPS): YYYY-MM-DD[ HH:MM:SS] UTC")
        ->type_name("DATE");
    sub.add_flag("--no-descriptions", g->no_descriptions, "Skip LIST NEWSGROUPS");
    sub.add_flag("--json", g->json, "An array of {name, low, high, count, status, description}");
    return [g] { return run_news_command([g] { return run_groups(*g); }); };
}

std::function<int()> setup_news_list(CLI::App& sub) {
    auto l = std::make_shared<list_cmd>();
    l->flags.add_to(sub, "ACCOUNT or URL (nntps://host/GROUP), then the group when not in the URL");
    sub.add_option("--group", l->group, "The group (instead of the URL path)")->type_name("GROUP");
    sub.add_option("--range", l->range, "Article numbers N, N- or N-M (default: the whole group)")->type_name("RANGE");
    sub.add_option("--last", l->last, "Only the newest N articles")->type_name("N");
    sub.add_flag("--new", l->only_new, "Only articles not marked read (pigeon news read, --mark-read, an imported .newsrc)");
    sub.add_flag("--mark-read", l->mark_read, "Mark the articles listed as read");
    sub.add_flag("--flat", l->flat, "In number order, without thread indentation");
    sub.add_flag("--json", l->json,
                 "An array of {number, message_id, date, from, subject, references, bytes, lines} in number order");
    return [l] { return run_news_command([l] { return run_list(*l); }); };
}

namespace {

const registrar news_cmd{command_info{
    "news",
    "Usenet: list groups, browse a group's overview, read, post, fetch into a Maildir or an mbox",
    [](CLI::App& sub) -> std::function<int()> {
        sub.require_subcommand(1);
        std::vector<std::pair<CLI::App*, std::function<int()>>> verbs;
        auto add = [&](const char* name, const char* what, std::function<int()> (*setup)(CLI::App&)) {
            CLI::App* v = sub.add_subcommand(name, what);
            verbs.emplace_back(v, setup(*v));
        };
        add("groups", "List groups (LIST ACTIVE, counts, descriptions) or new ones (NEWGROUPS)", setup_news_groups);
        add("list", "The overview of a group: a threaded table or JSON", setup_news_list);
        add("read", "Read an article by number or Message-ID", setup_news_read);
        add("post", "Compose and post an article, or post a prepared one", setup_news_post);
        add("fetch", "Copy new articles of groups into a Maildir or an mbox, exactly once", setup_news_fetch);
        sub.footer("Exit status (sysexits.h): 0 ok, 64 usage, 65 bad data (article refused), 66 unreadable file, "
                   "69 unavailable (no such group or article), 73 cannot create, 74 I/O error, 75 temporary "
                   "failure, 76 protocol error, 77 permission (posting or login refused), 78 configuration.");
        return [verbs]() -> int {
            for (const auto& [app, run] : verbs)
                if (app->parsed()) return run();
            return exit_usage;
        };
    },
    {}}};  // no TLS warm-up: news is often plain NNTP, which never loads libcrypto

} // namespace
} // namespace pigeon::cli
