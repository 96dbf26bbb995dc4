#include "news_setup.hpp"

#include "common.hpp"
#include "oauth2_login.hpp"

namespace pigeon::cli {

void news_flags::add_to(CLI::App& app, const std::string& positional_help, bool with_into) {
    fetch.news = true;
    app.add_option("args", args, positional_help)->type_name("ACCOUNT|URL ...");
    app.add_option("--account", account, "Use this account of the configuration file (then no ACCOUNT|URL argument)")
        ->type_name("NAME");
    if (with_into)
        app.add_option("--into", fetch.into, "Destination: maildir:PATH or mbox:PATH (default: the account's)")
            ->type_name("DEST");
    app.add_option("--config", fetch.config, "Configuration file (default: $XDG_CONFIG_HOME/pigeon/config.toml)")
        ->type_name("FILE");
    app.add_option("--user", fetch.user, "Log in (AUTHINFO) with this user name (default: the URL's or the account's)")
        ->type_name("USER");
    app.add_option("--password-command", fetch.password_command,
                   "Run CMD with /bin/sh -c and use its output as the password")
        ->type_name("CMD");
    app.add_option("--auth-mech", fetch.auth_mechanisms, "Allow only these SASL mechanisms")->type_name("MECH");
    app.add_flag("--allow-cleartext-login", fetch.allow_cleartext,
                 "Allow a password over a connection without TLS (with --tls none, for a local test server)");
    fetch.tls.add_to(app);
    fetch.trace.add_to(app);
    app.add_option("--timeout", fetch.timeout, "Connect and I/O timeout in seconds (default: the account's, else 60)")
        ->check(CLI::PositiveNumber);
    app.add_option("--state-dir", fetch.state_dir,
                   "Where pigeon keeps the read marks (.newsrc) and what it fetched (default: $XDG_STATE_HOME/pigeon)")
        ->type_name("DIR");
    app.add_flag("--compress", compress, "COMPRESS DEFLATE (RFC 8054) when the server offers it");
}

news_target resolve_news(const news_flags& f) {
    news_flags g = f;
    g.fetch.news = true;
    std::vector<std::string> rest = f.args;
    if (!f.account.empty()) {
        g.fetch.sources = {f.account};
    } else {
        if (rest.empty()) throw exit_error(exit_usage, "give an account or a URL (nntps://host/group) first");
        g.fetch.sources = {rest.front()};
        rest.erase(rest.begin());
    }
    news_target t;
    std::vector<fetch_job> jobs = make_fetch_jobs(g.fetch, t.max_connections);
    if (jobs.size() != 1) throw exit_error(exit_usage, "one account or URL, please");
    t.job = std::move(jobs.front());
    t.job.policy.window = f.window;
    t.job.policy.compress = f.compress;
    t.rest = std::move(rest);
    return t;
}

nntp::client_options news_client_options(const news_target& t, const news_flags& f) {
    nntp::client_options o;
    o.net = t.job.source.net;
    if (f.window) o.pipeline_window = f.window;
    o.compress = f.compress;
    return o;
}

void connect_news(nntp::client& c, const fetch_source& s, const nntp::client_options& o) {
    c.connect(s.ep, o);
    if (!s.user.empty()) oauth2::authenticate_with_token(c, credentials_of(s), selection_of(s), s.oauth2.get());
    else if (o.compress && c.capabilities().has_argument("COMPRESS", "DEFLATE")) c.compress();
}

int run_news_command(const std::function<int()>& fn) {
    try {
        return fn();
    } catch (const CLI::Error& e) {
        error_line(printable(e.what()));
        return exit_usage;
    } catch (const std::exception& e) {
        return report_exception(e);
    }
}

} // namespace pigeon::cli
