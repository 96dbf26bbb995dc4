#include "fetch_setup.hpp"
#include "fetch_forward.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "config.hpp"
#include "oauth2_login.hpp"
#include "password_command.hpp"
#include "send_common.hpp"

namespace pigeon::cli {
namespace {

std::string home_dir() {
    const char* h = std::getenv("HOME");
    return h && *h ? std::string(h) : std::string();
}

} // namespace

std::string url_folder(const std::string& url) {
    auto sep = url.find("://");
    if (sep == std::string::npos) return {};
    auto slash = url.find('/', sep + 3);
    if (slash == std::string::npos) return {};
    std::string raw = url.substr(slash + 1);
    if (auto q = raw.find_first_of("?#"); q != std::string::npos) raw.resize(q);
    std::string out;
    if (!percent_decode(raw, out)) throw exit_error(exit_usage, "bad percent escape in the URL path: " + printable(url));
    return out;
}

namespace {

std::chrono::year_month_day parse_day(const std::string& text, const char* what) {
    int y = 0;
    unsigned m = 0, d = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
        throw exit_error(exit_usage, std::string(what) + " wants a date YYYY-MM-DD, not " + printable(text));
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok()) throw exit_error(exit_usage, std::string(what) + ": no such date: " + printable(text));
    return ymd;
}

/// A password source resolved once, on first use, from any thread.
std::function<std::string()> password_source(std::string literal, std::string command, std::string origin,
                                             std::chrono::milliseconds timeout, std::string user) {
    struct cell {
        std::once_flag once;
        std::string value;
        std::exception_ptr error;
    };
    auto c = std::make_shared<cell>();
    return [c, literal, command, origin, timeout, user]() -> std::string {
        std::call_once(c->once, [&] {
            try {
                if (!command.empty()) {
                    password_command_options o;
                    o.timeout = timeout;
                    c->value = run_password_command(command, origin, o);
                } else if (!literal.empty()) {
                    c->value = literal;
                } else {
                    throw exit_error(exit_config, "no password for user " + printable(user) +
                                                      ": use --password-command, PIGEON_PASSWORD, or "
                                                      "password_command in the account");
                }
            } catch (...) {
                c->error = std::current_exception();
            }
        });
        if (c->error) std::rethrow_exception(c->error);
        return c->value;
    };
}

} // namespace

std::uint64_t parse_size(const std::string& text) {
    if (text.empty()) return 0;
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || errno != 0 || !(v >= 0)) throw CLI::ValidationError("size", "not a size: " + text);
    std::string unit(end);
    double mult = 1;
    if (unit == "" || unit == "B") mult = 1;
    else if (unit == "k" || unit == "K" || unit == "KB" || unit == "KiB") mult = 1024;
    else if (unit == "M" || unit == "MB" || unit == "MiB") mult = 1024.0 * 1024;
    else if (unit == "G" || unit == "GB" || unit == "GiB") mult = 1024.0 * 1024 * 1024;
    else throw CLI::ValidationError("size", "unknown unit in " + text + " (use K, M or G)");
    double bytes = v * mult;
    if (bytes > 9e18) throw CLI::ValidationError("size", "too large: " + text);
    return static_cast<std::uint64_t>(std::llround(bytes));
}

std::string expand_destination(const std::string& spec) {
    for (const char* kind : {"maildir:", "mbox:"}) {
        std::string pre(kind);
        if (spec.rfind(pre, 0) == 0) {
            std::string path = spec.substr(pre.size());
            if (path == "~") path = home_dir();
            else if (path.rfind("~/", 0) == 0) path = home_dir() + path.substr(1);
            if (!path.empty() && path[0] != '/') {
                char buf[4096];
                if (::getcwd(buf, sizeof buf)) path = std::string(buf) + "/" + path;
            }
            return pre + path;
        }
    }
    return spec;
}

std::string state_root(const std::string& flag) {
    if (!flag.empty()) return flag;
    std::string dir = account::default_state_root();
    if (dir.empty()) throw exit_error(exit_config, "no state directory: set --state-dir, XDG_STATE_HOME or HOME");
    return dir;
}

void fetch_flags::add_connection_to(CLI::App& app) {
    app.add_option("--config", config, "Configuration file (default: $XDG_CONFIG_HOME/pigeon/config.toml)")
        ->type_name("FILE");
    app.add_option("--user", user, "Log in with this user name (default: the URL's or the account's)")
        ->type_name("USER");
    app.add_option("--password-command", password_command,
                   "Run CMD with /bin/sh -c and use its output as the password")
        ->type_name("CMD");
    app.add_option("--auth-mech", auth_mechanisms, "Allow only these SASL mechanisms")->type_name("MECH");
    app.add_flag("--allow-cleartext-login", allow_cleartext,
                 "Allow a password over a connection without TLS (with --tls none, for a local test server)");
    tls.add_to(app);
    trace.add_to(app);
    app.add_option("--timeout", timeout, "Connect and I/O timeout in seconds (default: the account's, else 60)")
        ->check(CLI::PositiveNumber);
}

void fetch_flags::add_to(CLI::App& app, bool watch) {
    app.add_option("source", sources,
                   "Accounts of the configuration file, or URLs: imaps://user@host/Folder, pop3s://user@host "
                   "(default: every account with a fetch section)")
        ->type_name("ACCOUNT|URL");
    app.add_option("--into", into, "Destination: maildir:PATH, mbox:PATH, mda:COMMAND, or forwarding: lmtp:SOCKET?to=ADDR, lmtp://HOST:PORT?to=ADDR, smtp://HOST:PORT?to=ADDR (default: the account's)")
        ->type_name("DEST");
    app.add_option("--folder", folders, "IMAP folder or pattern (repeatable; 'Lists/*'); overrides the URL path")
        ->type_name("NAME");
    add_connection_to(app);
    app.add_option("--state-dir", state_dir,
                   "Where pigeon remembers what it delivered (default: $XDG_STATE_HOME/pigeon)")
        ->type_name("DIR");
    app.add_flag("--wait", wait, "Wait for another pigeon fetching the same account, instead of exiting 75");
    app.add_flag("--unseen", unseen, "IMAP: only messages without \\Seen");
    app.add_option("--since", since, "IMAP: only messages received on or after this date (YYYY-MM-DD)")
        ->type_name("DATE");
    app.add_option("--max-size", max_size, "Leave messages larger than this on the server (e.g. 10M)")
        ->type_name("SIZE");
    if (!watch) app.add_option("--limit", limit, "At most N messages per folder in this run")->type_name("N");
    auto* k = app.add_flag("--keep", keep, "Keep messages on the server (the default)");
    auto* d = app.add_flag("--delete", delete_after, "Delete messages from the server once they are safely stored");
    k->excludes(d);
    app.add_option("--delete-older-than", delete_older_than,
                   "Delete delivered messages older than DAYS from the server")
        ->type_name("DAYS")
        ->check(CLI::PositiveNumber);
    app.add_flag("--mark-seen", mark_seen, "IMAP: set \\Seen on the messages delivered");
    app.add_option("--max-connections", max_connections,
                   "At most N connections to one server at once (default: the account's, else 4)")
        ->type_name("N")
        ->check(CLI::PositiveNumber);
}

resolved_source resolve_source(const fetch_flags& f, const account_config* account, const std::string& url_given) {
    account_config none;
    const account_config& a = account ? *account : none;
    resolved_source rs;
    rs.fetch = a.fetch.value_or(fetch_config{});
    const fetch_config& fc = rs.fetch;
    rs.url = account ? first_of(fc.source, a.server) : url_given;
    const std::string& url = rs.url;
    if (url.empty()) throw exit_error(exit_config, "account " + printable(a.name) + ": no fetch source");
    std::error_code ec;
    auto ep = net::parse_endpoint(url, ec);
    if (f.news && (!ep || ep->proto != net::protocol::nntp))
        throw exit_error(account ? exit_config : exit_usage,
                         "not an NNTP URL: " + printable(url) + " (want nntp:// or nntps://)");
    if (!f.news && (!ep || (ep->proto != net::protocol::imap && ep->proto != net::protocol::pop3)))
        throw exit_error(account ? exit_config : exit_usage,
                         "not an IMAP or POP3 URL: " + printable(url) +
                             " (want imap://, imaps://, pop3:// or pop3s://)");

    fetch_source& src = rs.source;
    src.ep = *ep;
    tls_flags t = merged_tls(f.tls, a);
    src.net.tls = t.apply(src.ep);
    src.net.proxy = t.proxy_options(a.proxy, "account " + a.name + ": proxy");
    src.net.trace = f.trace.options();
    double timeout = f.timeout > 0 ? f.timeout : a.timeout.value_or(60);
    auto ms = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    src.net.connect.connect_timeout = ms;
    src.net.connect.io_timeout = ms;
    src.user = first_of(f.user, env_value("PIGEON_USER"), fc.user, a.user, ep->user);
    src.auth_mechanisms = f.auth_mechanisms.empty() ? a.auth_mechanisms : f.auth_mechanisms;
    src.allow_cleartext = f.allow_cleartext;
    if (!src.user.empty()) {
        std::string literal, command, origin;
        if (!f.password_command.empty()) {
            command = f.password_command;
            origin = "--password-command";
        } else if (std::string pw = env_value("PIGEON_PASSWORD"); !pw.empty()) {
            literal = pw;
        } else if (std::string c = env_value("PIGEON_PASSWORD_COMMAND"); !c.empty()) {
            command = c;
            origin = "PIGEON_PASSWORD_COMMAND";
        } else if (!a.password_command.empty()) {
            command = a.password_command;
            origin = "account " + a.name + ": password_command";
        } else if (a.password) {
            literal = *a.password;
        }
        if (a.oauth2 && f.password_command.empty()) {
            src.oauth2 = std::make_shared<oauth2_login>(make_oauth2_settings(
                a, state_root(f.state_dir), t.ca_file, src.net.proxy, ms, src.net.trace.hook));
            src.auth_mechanisms = oauth2_mechanisms(src.auth_mechanisms);
        } else {
            src.password = password_source(literal, command, origin, ms, src.user);
        }
    } else if (ep->proto == net::protocol::pop3) {
        throw exit_error(exit_usage, "POP3 needs a user: give user@ in the URL, --user, or user in the account");
    }
    return rs;
}

std::vector<fetch_job> make_fetch_jobs(const fetch_flags& f, std::size_t& max_connections,
                                       std::vector<double>* poll_intervals) {
    config_file cfg = load_config(first_of(f.config, env_value("PIGEON_CONFIG")));
    struct wanted {
        const account_config* account = nullptr;
        std::string url;
    };
    std::vector<wanted> list;
    if (f.sources.empty()) {
        // News accounts (an nntp:// or nntps:// source) are `pigeon news fetch`'s.
        for (const auto& a : cfg.accounts)
            if (a.fetch && first_of(a.fetch->source, a.server).rfind("nntp", 0) != 0) list.push_back({&a, {}});
        if (list.empty() || f.news) {
            if (f.news) throw exit_error(exit_usage, "give a URL (nntps://host/group) or an account");
            if (!f.into.empty() || !f.folders.empty())
                throw exit_error(exit_usage, "give a URL (imaps://user@host/INBOX, pop3s://user@host) or an account");
            throw exit_error(exit_config,
                             "nothing to fetch: no account of " +
                                 (cfg.path.empty() ? std::string("the configuration") : cfg.path) +
                                 " has a fetch section; give an ACCOUNT or a URL");
        }
    } else {
        for (const auto& s : f.sources) {
            if (s.find("://") != std::string::npos) {
                list.push_back({nullptr, s});
            } else {
                const auto* a = cfg.find(s);
                if (!a)
                    throw exit_error(exit_config, (cfg.loaded ? cfg.path + ": no account named "
                                                              : std::string("no configuration file for account ")) +
                                                      printable(s));
                list.push_back({a, {}});
            }
        }
    }

    std::vector<fetch_job> jobs;
    std::string root = state_root(f.state_dir);
    std::size_t maxc = f.max_connections;
    for (const auto& w : list) {
        account_config none;
        const account_config& a = w.account ? *w.account : none;
        resolved_source rs = resolve_source(f, w.account, w.url);
        const fetch_config& fc = rs.fetch;
        const std::string& url = rs.url;
        const net::endpoint ep_copy = rs.source.ep;
        const net::endpoint* ep = &ep_copy;
        fetch_job job;
        job.source = std::move(rs.source);

        std::string dest = expand_destination(first_of(f.into, fc.destination));
        if (dest.empty() && !f.news)
            throw exit_error(exit_usage, "no destination for " + printable(w.account ? a.name : url) +
                                             ": give --into maildir:PATH (or mbox:PATH, mda:COMMAND)");

        if (is_forward_spec(dest)) {
            forward_target target;
            std::string why;
            if (!parse_forward_spec(dest, target, why)) throw exit_error(exit_usage, "--into: " + why);
        }

        // Policies: flags over the account's fetch section.
        fetch_policy& p = job.policy;
        p.unseen = f.unseen || fc.unseen;
        std::string since = first_of(f.since, fc.since);
        if (!since.empty()) p.since = parse_day(since, "--since");
        p.max_size = !f.max_size.empty() ? parse_size(f.max_size)
                                          : static_cast<std::uint64_t>(fc.max_size.value_or(0));
        p.limit = f.limit ? f.limit : static_cast<std::size_t>(fc.limit.value_or(0));
        p.delete_after = f.keep ? false : (f.delete_after || !fc.keep);
        if (f.delete_older_than > 0) p.delete_older_than_days = f.delete_older_than;
        else if (!f.keep && fc.delete_older_than) p.delete_older_than_days = *fc.delete_older_than;
        p.mark_seen = f.mark_seen || fc.mark_seen;
        if (ep->proto == net::protocol::pop3 && (p.unseen || p.since || p.mark_seen))
            throw exit_error(exit_usage, "--unseen, --since and --mark-seen are for IMAP; POP3 has no flags or dates");
        if (!maxc && fc.max_connections) maxc = static_cast<std::size_t>(*fc.max_connections);

        std::string name = w.account ? a.name
                                     : (job.source.user.empty() ? "" : job.source.user + "@") + ep->host + ":" + std::to_string(ep->port) + "-" +
                                           net::to_string(ep->proto);
        std::string dir = root + (f.news ? "/news/" : "/fetch/") + state_key(w.account ? name : "url-" + name);
        store::destination_options dopts;
        auto ctx = std::make_shared<account_context>(name, dir, dest, dopts,
                                                     f.wait ? store::lock_mode::wait : store::lock_mode::fail_if_held);
        // A forwarding destination gets the source's timeouts, trace and TLS
        // trust (CA file, --insecure), never its pins, proxy or client
        // certificate.
        ctx->set_forward_net(job.source.net);
        std::vector<std::string> folders = f.folders;
        if (folders.empty()) {
            std::string path = url_folder(url);
            if (!path.empty()) folders.push_back(path);
        }
        if (folders.empty()) folders = fc.folders;
        if (ep->proto == net::protocol::pop3) {
            if (!folders.empty() && !(folders.size() == 1 && folders[0] == "INBOX"))
                throw exit_error(exit_usage, "POP3 has one maildrop and no folders");
            folders = {""};
        } else if (folders.empty()) {
            folders = {f.news ? "" : "INBOX"};
        }
        for (const auto& folder : folders) {
            fetch_job j = job;
            j.account = ctx;
            j.folder = folder;
            j.label = name + (folder.empty() ? std::string() : " " + folder);
            jobs.push_back(std::move(j));
        }
        if (poll_intervals) poll_intervals->push_back(fc.poll_interval.value_or(60));
    }
    max_connections = maxc ? maxc : 4;
    // The secrets are read: MDAs and --exec commands, which inherit the
    // environment, do not get them.
    ::unsetenv("PIGEON_PASSWORD");
    ::unsetenv("PIGEON_PROXY_PASSWORD");
    return jobs;
}

} // namespace pigeon::cli
