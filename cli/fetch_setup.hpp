#pragma once
// What `pigeon fetch` and `pigeon watch` share: their flags, and turning
// flags + configuration + PIGEON_* environment into fetch jobs.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.hpp"
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
};

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
