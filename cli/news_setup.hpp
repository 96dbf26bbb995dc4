#pragma once
// What every `pigeon news` command shares: the source (an account or an
// nntp:// / nntps:// URL whose path is a group or a wildmat), the login,
// TLS, trace and timeout flags, and the connection. Resolution goes through
// fetch_setup's make_fetch_jobs (flags > PIGEON_* environment > account),
// so news and mail read accounts, passwords and TLS settings one way.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fetch_engine.hpp"
#include "fetch_setup.hpp"
#include "pigeon/nntp/client.hpp"

namespace pigeon::cli {

struct news_flags {
    fetch_flags fetch;            ///< fetch.news is set; sources[0] is the account or URL
    std::string account;          ///< --account (instead of a positional source)
    std::vector<std::string> args;  ///< positionals: [SOURCE] then the command's own
    std::size_t window = 0;       ///< --window (ARTICLE pipelining), 0: default
    bool compress = false;        ///< --compress (COMPRESS DEFLATE)

    /// The positional arguments and the connection flags. with_into adds
    /// --into (news fetch).
    void add_to(CLI::App& app, const std::string& positional_help, bool with_into = false);
};

/// The resolved source: a fetch job for it (server, login, state directory;
/// folder = the URL's group or wildmat, "" when none) and the positionals
/// after the source.
struct news_target {
    fetch_job job;
    std::vector<std::string> rest;
    std::size_t max_connections = 4;
};

/// Throws exit_error (64 usage, 78 configuration).
news_target resolve_news(const news_flags& f);

/// Options for nntp::client from the target.
nntp::client_options news_client_options(const news_target& t, const news_flags& f);

/// Connects and logs in when a user is set. Throws what the library throws.
void connect_news(nntp::client& c, const fetch_source& s, const nntp::client_options& o);

/// Runs fn, mapping any exception to a message on standard error and the
/// sysexits code (a CLI::Error is a usage error).
int run_news_command(const std::function<int()>& fn);

} // namespace pigeon::cli
