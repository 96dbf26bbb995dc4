#pragma once
// What `pigeon fetch` and `pigeon watch` share: their flags, and turning
// flags + configuration + PIGEON_* environment into fetch jobs.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.hpp"
#include "config.hpp"
#include "fetch_engine.hpp"

namespace pigeon::cli {

struct fetch_flags {
    std::vector<std::string> sources;   ///< ACCOUNT names or URLs
    std::string into;
    std::vector<std::string> folders;
    std::string config;
    std::string user;
    std::string password_command;
    std::vector<std::string> auth_mechanisms;
    bool allow_cleartext = false;
    tls_flags tls;
    trace_flags trace;
    double timeout = 0;
    std::string state_dir;
    bool wait = false;
    // what to take, what to do afterwards
    bool unseen = false;
    std::string since;
    std::string max_size;
    std::size_t limit = 0;
    bool keep = false;
    bool delete_after = false;
    double delete_older_than = 0;
    bool mark_seen = false;
    std::size_t max_connections = 0;
    /// `pigeon news`: the sources are NNTP (nntp://, nntps://; the path is a
    /// group or wildmat), the state lives under STATE/news/, and a
    /// destination is optional (only `news fetch` delivers).
    bool news = false;

    void add_to(CLI::App& app, bool watch);
    /// Only how to reach and log in: --config, --user, --password-command,
    /// --auth-mech, --allow-cleartext-login, the TLS and trace flags,
    /// --timeout (what the mail commands share with fetch).
    void add_connection_to(CLI::App& app);
};

/// One ACCOUNT or URL resolved to a server and a login (flags over the
/// PIGEON_* environment over the account); no destination, no state.
struct resolved_source {
    fetch_source source;
    std::string url;        ///< the source URL (the account's fetch source or server)
    fetch_config fetch;     ///< the account's fetch section (defaults for a URL)
};
/// account: the account of the configuration (nullptr for a URL); url: the
/// URL given. Throws exit_error (64 for a bad URL given, 78 for an account's).
resolved_source resolve_source(const fetch_flags& f, const account_config* account, const std::string& url);

/// The path of a URL ("imaps://h/Lists%2Fdev" -> "Lists/dev"),
/// percent-decoded; "" when there is none. Throws exit_error(64) for a bad
/// percent escape.
std::string url_folder(const std::string& url);

/// The jobs: one per (account, folder or pattern), or per POP3 maildrop.
/// Throws exit_error for a configuration or usage problem.
std::vector<fetch_job> make_fetch_jobs(const fetch_flags& f, std::size_t& max_connections,
                                       std::vector<double>* poll_intervals = nullptr);

/// "maildir:~/x" with the home directory; a bare "~" path too.
std::string expand_destination(const std::string& spec);

/// The state root: --state-dir, $XDG_STATE_HOME/pigeon, ~/.local/state/pigeon.
std::string state_root(const std::string& flag);

/// "10M", "1.5G", "2048" -> bytes; throws CLI::ValidationError.
std::uint64_t parse_size(const std::string& text);

} // namespace pigeon::cli
