#include "ftp_settings.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "config.hpp"
#include "password_command.hpp"

namespace pigeon::cli {
namespace {

/// The first account whose server is an FTP URL for this host and port.
const account_config* account_for(const config_file& cfg, const ftp::endpoint& ep) {
    for (const auto& a : cfg.accounts) {
        std::error_code ec;
        auto s = ftp::parse_url(a.server, ec);
        if (s && s->host == ep.host && s->port == ep.port) return &a;
    }
    return nullptr;
}

} // namespace

void ftp_flags::add_to(CLI::App& app) {
    app.add_option("--account", account, "Take user, password and TLS settings from this account")->type_name("NAME");
    app.add_option("--config", config, "Configuration file (default: $XDG_CONFIG_HOME/pigeon/config.toml)")
        ->type_name("FILE");
    app.add_option("--user", user, "Log in as USER (also ftp://USER@host/)")->type_name("USER");
    app.add_option("--password-command", password_command,
                   "Run CMD with /bin/sh -c and use its output (trailing line end removed) as the password")
        ->type_name("CMD");
    app.add_option("--timeout", timeout, "Connect and reply timeout, and the longest stall of a transfer, in seconds "
                                         "(default 60)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--active", active, "Active mode (PORT/EPRT): the server connects back (default: passive)");
    app.add_flag("-q,--quiet", quiet, "No progress display");
    tls.add_to(app);
    trace.add_to(app);
}

ftp_settings resolve_ftp_settings(const std::string& url, const ftp_flags& flags) {
    ftp_settings s;
    std::error_code ec;
    auto ep = ftp::parse_url(url, ec);
    if (!ep)
        throw exit_error(exit_usage, "not an FTP URL: " + printable(url) +
                                         " (want ftp://[user@]host[:port]/path or ftps://...; no password in the URL)");
    s.ep = *ep;

    config_file cfg = load_config(first_of(flags.config, env_value("PIGEON_CONFIG")));
    const account_config* acc = nullptr;
    if (std::string wanted = first_of(flags.account, env_value("PIGEON_ACCOUNT")); !wanted.empty()) {
        acc = cfg.find(wanted);
        if (!acc)
            throw exit_error(exit_config, (cfg.loaded ? cfg.path + ": no account named " : "no configuration file for account ") +
                                              printable(wanted));
    } else {
        acc = account_for(cfg, s.ep);
    }
    account_config none;
    const account_config& a = acc ? *acc : none;
    s.account = a.name;

    tls_flags t = flags.tls;
    if (t.mode.empty()) t.mode = first_of(env_value("PIGEON_TLS"), a.tls);
    if (!t.mode.empty() && t.mode != "starttls" && t.mode != "implicit" && t.mode != "none")
        throw exit_error(exit_config, "PIGEON_TLS must be starttls, implicit or none");
    if (t.ca_file.empty()) t.ca_file = first_of(env_value("PIGEON_TLS_CA"), a.tls_ca);
    if (t.pins.empty()) t.pins = a.pins;
    t.insecure = t.insecure || a.insecure;
    if (!t.ca_file.empty() && ::access(t.ca_file.c_str(), R_OK) != 0)
        throw exit_error(exit_config, "cannot read the CA file " + printable(t.ca_file) + ": " + std::strerror(errno));
    // tls_flags::apply works on a net::endpoint: carry the mode across.
    net::endpoint nep;
    nep.tls = s.ep.tls;
    s.client.tls = t.apply(nep);
    if (nep.tls == net::tls_mode::implicit && s.ep.tls != net::tls_mode::implicit) {
        // --tls implicit on an ftp:// URL: the FTPS port unless one was given.
        if (s.ep.port == ftp::default_port(net::tls_mode::starttls)) s.ep.port = ftp::default_port(net::tls_mode::implicit);
    }
    s.ep.tls = nep.tls;
    s.client.trace = flags.trace.options();
    double timeout = flags.timeout > 0 ? flags.timeout : a.timeout.value_or(60);
    auto ms = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    s.client.connect_timeout = ms;
    s.client.reply_timeout = ms;
    s.client.idle_timeout = ms;
    s.client.active = flags.active;

    s.who.user = first_of(s.ep.user, flags.user, env_value("PIGEON_USER"), a.user);
    if (s.who.user.empty()) {
        s.who.user = "anonymous";
        s.who.password = "anonymous@";
        return s;
    }
    password_command_options po;
    po.timeout = ms;
    if (!flags.password_command.empty()) {
        s.who.password = run_password_command(flags.password_command, "--password-command", po);
    } else if (const char* pw = std::getenv("PIGEON_PASSWORD"); pw && *pw) {
        s.who.password = pw;
    } else if (std::string c = env_value("PIGEON_PASSWORD_COMMAND"); !c.empty()) {
        s.who.password = run_password_command(c, "PIGEON_PASSWORD_COMMAND", po);
    } else if (!a.password_command.empty()) {
        s.who.password = run_password_command(a.password_command, "account " + a.name + ": password_command", po);
    } else if (a.password) {
        s.who.password = *a.password;
    } else {
        throw exit_error(exit_config, "no password for user " + printable(s.who.user) +
                                          ": use --password-command, PIGEON_PASSWORD, or an account (--account) "
                                          "with password_command");
    }
    return s;
}

} // namespace pigeon::cli
