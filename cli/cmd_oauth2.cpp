// pigeon oauth2 authorize ACCOUNT: gets a refresh token for an account with an
// [accounts.NAME.oauth2] section, by the loopback redirect with PKCE (RFC 8252,
// RFC 7636; the default) or the device flow (RFC 8628, --device), and stores
// it with mode 0600 in the state directory. pigeon oauth2 token ACCOUNT
// prints a valid access token (refreshed when needed) for other programs.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "command.hpp"
#include "common.hpp"
#include "config.hpp"
#include "fetch_setup.hpp"
#include "oauth2_login.hpp"
#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/pkce.hpp"
#include "pigeon/oauth2/private_file.hpp"
#include "pigeon/oauth2/redirect_listener.hpp"
#include "pigeon/oauth2/token_cache.hpp"
#include "pigeon/oauth2/token_client.hpp"
#include "send_common.hpp"

extern char** environ;

namespace pigeon::cli {
namespace {

struct oauth2_state {
    std::string account;
    std::string config;
    std::string state_dir;
    tls_flags tls;
    double timeout = 0;          ///< per HTTPS request, seconds
    bool device = false;
    std::string browser;         ///< command given the URL ("" : $BROWSER, else print only)
    bool no_browser = false;
    double wait = 300;           ///< seconds for the user to finish
    int redirect_port = 0;
};

oauth2_settings settings_of(const oauth2_state& st, const account_config*& acc) {
    config_file cfg = load_config(first_of(st.config, env_value("PIGEON_CONFIG")));
    acc = cfg.find(st.account);
    if (!acc)
        throw exit_error(exit_config, (cfg.loaded ? cfg.path + ": no account named "
                                                  : std::string("no configuration file for account ")) +
                                          printable(st.account));
    if (!acc->oauth2)
        throw exit_error(exit_config, "account " + printable(st.account) + " has no [accounts." +
                                          printable(st.account) + ".oauth2] section");
    static account_config kept;
    kept = *acc;
    acc = &kept;
    tls_flags t = merged_tls(st.tls, kept);
    auto proxy = t.proxy_options(kept.proxy, "account " + kept.name + ": proxy");
    auto ms = std::chrono::milliseconds(static_cast<long long>((st.timeout > 0 ? st.timeout : kept.timeout.value_or(60)) * 1000));
    return make_oauth2_settings(kept, state_root(st.state_dir), t.ca_file, proxy, ms);
}

[[noreturn]] void refused(const oauth2::token_error& e) {
    throw exit_error(e.code() == oauth2::errc::http_status && e.http_status() >= 500 ? exit_tempfail : exit_noperm,
                     "the authorization failed: " + printable(e.what()));
}

void store(const oauth2_settings& s, const oauth2::token_set& t) {
    if (t.refresh_token.empty())
        throw exit_error(exit_noperm, "the provider issued no refresh token (check that the scopes ask for "
                                      "offline access)");
    if (auto ec = oauth2::write_private_file(s.refresh_token_file, t.refresh_token + "\n"))
        throw exit_error(exit_cantcreat, "cannot write " + s.refresh_token_file + ": " + ec.message());
    const auto expires = std::chrono::system_clock::now() + t.expires_in.value_or(std::chrono::seconds(3600));
    (void)oauth2::store_cached_token(s.cache_file, {t.access_token, expires});
    error_line("authorized; the refresh token is in " + s.refresh_token_file + " (mode 0600)");
    if (!s.refresh_token_command.empty())
        error_line("note: the account reads its refresh token from refresh_token_command, not from that file");
}

oauth2::token_set device_flow(const oauth2_state& st, const oauth2_settings& s) {
    auto d = oauth2::request_device_code(s.provider, s.http);
    if (!d.message.empty()) error_line(printable(d.message));
    else
        error_line("to authorize pigeon, open " + printable(d.verification_uri) + " and enter the code " +
                   printable(d.user_code));
    if (!d.verification_uri_complete.empty()) error_line("or open " + printable(d.verification_uri_complete));
    const auto deadline = std::chrono::steady_clock::now() +
                          std::min<std::chrono::seconds>(d.expires_in, std::chrono::seconds(static_cast<long long>(st.wait)));
    auto interval = d.interval;
    for (;;) {
        std::this_thread::sleep_for(interval);
        if (std::chrono::steady_clock::now() > deadline)
            throw exit_error(exit_tempfail, "no authorization within the time allowed; run the command again");
        std::error_code ec;
        auto t = oauth2::poll_device_token(s.provider, d.device_code, s.http, ec);
        if (t) return *t;
        if (ec == oauth2::errc::slow_down) interval += std::chrono::seconds(5);  // RFC 8628 section 3.5
    }
}

/// Runs the browser command with the URL as its argument, in the background.
pid_t open_browser(const std::string& cmd, const std::string& url) {
    const char* argv[] = {"/bin/sh", "-c", nullptr, "pigeon-browser", url.c_str(), nullptr};
    const std::string script = cmd + " \"$1\"";
    argv[2] = script.c_str();
    pid_t pid = -1;
    if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) return -1;
    return pid;
}

oauth2::token_set loopback_flow(const oauth2_state& st, const oauth2_settings& s, const account_config& a) {
    if (s.provider.authorization_endpoint.empty())
        throw exit_error(exit_config, "account " + printable(a.name) +
                                          ": no authorization_endpoint for the browser flow (use --device)");
    oauth2::redirect_listener listener(static_cast<unsigned short>(st.redirect_port));
    const std::string verifier = oauth2::make_code_verifier();
    const std::string state = oauth2::random_token(16);
    const std::string url = oauth2::authorization_url(s.provider, listener.redirect_uri(), state,
                                                      oauth2::code_challenge_s256(verifier), a.user);
    error_line("to authorize pigeon, open this address in a browser:");
    std::fprintf(stderr, "\n  %s\n\n", url.c_str());
    std::fflush(stderr);
    std::string browser = st.no_browser ? std::string() : first_of(st.browser, env_value("BROWSER"));
    pid_t child = browser.empty() ? -1 : open_browser(browser, url);
    std::error_code ec;
    auto r = listener.wait(std::chrono::milliseconds(static_cast<long long>(st.wait * 1000)), ec);
    if (child > 0) {
        // The browser command's job is done once the redirect has arrived.
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == 0) {
            ::kill(child, SIGTERM);
            ::waitpid(child, &status, 0);
        }
    }
    if (ec == oauth2::errc::timeout)
        throw exit_error(exit_tempfail, "no authorization within the time allowed; run the command again");
    if (ec) throw exit_error(exit_protocol, "the redirect to " + listener.redirect_uri() + ": " + ec.message());
    if (r.state != state) throw exit_error(exit_protocol, "the redirect's state does not match: ignored");
    if (!r.error.empty())
        throw exit_error(exit_noperm, "the authorization was not given: " + printable(r.error) +
                                          (r.error_description.empty() ? "" : ": " + printable(r.error_description)));
    return oauth2::exchange_authorization_code(s.provider, r.code, listener.redirect_uri(), verifier, s.http);
}

int run_authorize(const oauth2_state& st) {
    const account_config* a = nullptr;
    oauth2_settings s = settings_of(st, a);
    s.provider = with_client_secret(s);
    oauth2::token_set t;
    try {
        t = st.device ? device_flow(st, s) : loopback_flow(st, s, *a);
    } catch (const oauth2::token_error& e) {
        refused(e);
    }
    store(s, t);
    return exit_ok;
}

int run_token(const oauth2_state& st) {
    const account_config* a = nullptr;
    oauth2_login login(settings_of(st, a));
    std::string token = login.access_token();
    std::fwrite(token.data(), 1, token.size(), stdout);
    std::fputc('\n', stdout);
    return std::fflush(stdout) == 0 ? exit_ok : exit_ioerr;
}

void add_common(CLI::App& v, oauth2_state& st) {
    v.add_option("account", st.account, "The account (its [accounts.NAME.oauth2] section)")->required();
    v.add_option("--config", st.config, "Configuration file (default: $XDG_CONFIG_HOME/pigeon/config.toml)")
        ->type_name("FILE");
    v.add_option("--state-dir", st.state_dir, "Where tokens are kept (default: $XDG_STATE_HOME/pigeon)")
        ->type_name("DIR");
    v.add_option("--timeout", st.timeout, "HTTPS timeout in seconds (default: the account's, else 60)")
        ->check(CLI::PositiveNumber);
    v.add_option("--tls-ca", st.tls.ca_file, "Trust the CA certificates in this PEM file too (for the endpoints)")
        ->check(CLI::ExistingFile);
    v.add_option("--proxy", st.tls.proxy, "Reach the endpoints through this proxy (as for the mail commands)")
        ->type_name("URL");
}

const registrar oauth2_cmd{command_info{
    "oauth2",
    "OAuth2 accounts: authorize (get a refresh token), token (print an access token)",
    [](CLI::App& sub) -> std::function<int()> {
        auto st = std::make_shared<oauth2_state>();
        auto verb = std::make_shared<std::string>();
        sub.require_subcommand(1);
        CLI::App* auth = sub.add_subcommand("authorize", "Authorize pigeon at the provider and store the refresh token");
        add_common(*auth, *st);
        auth->add_flag("--device", st->device, "Device flow: enter a code on any device (RFC 8628)");
        auth->add_option("--browser", st->browser, "Open the address with this command (default: $BROWSER)")
            ->type_name("CMD");
        auth->add_flag("--no-browser", st->no_browser, "Only print the address");
        auth->add_option("--redirect-port", st->redirect_port, "Port of the loopback redirect (default: any free one)")
            ->check(CLI::Range(0, 65535));
        auth->add_option("--wait", st->wait, "Seconds to wait for the authorization (default 300)")
            ->check(CLI::PositiveNumber);
        auth->callback([verb] { *verb = "authorize"; });
        CLI::App* tok = sub.add_subcommand("token", "Print a valid access token (refreshed when needed)");
        add_common(*tok, *st);
        tok->callback([verb] { *verb = "token"; });
        return [st, verb]() -> int { return *verb == "authorize" ? run_authorize(*st) : run_token(*st); };
    },
    {}}};

} // namespace
} // namespace pigeon::cli
