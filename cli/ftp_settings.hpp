#pragma once
// Where `pigeon ftp` takes its server, credentials and TLS settings from:
// the URL first (ftp://user@host:port/path), then the flags, the PIGEON_*
// environment, and an account. The account is the one named by --account
// (or PIGEON_ACCOUNT), else the first account whose server is an ftp:// or
// ftps:// URL for the same host and port; never the default mail account
// (its password must not go to an FTP server it was not configured for).
#include <string>

#include <CLI/CLI.hpp>

#include "common.hpp"
#include "pigeon/ftp/client.hpp"
#include "pigeon/ftp/endpoint.hpp"

namespace pigeon::cli {

struct ftp_flags {
    std::string user;
    std::string password_command;
    std::string account;
    std::string config;
    tls_flags tls;
    trace_flags trace;
    double timeout = 0;  ///< seconds; 0: the account's, else 60
    bool active = false;
    bool quiet = false;

    void add_to(CLI::App& app);
};

struct ftp_settings {
    ftp::endpoint ep;            ///< ep.path is the remote path of the command
    ftp::credentials who;        ///< user "anonymous" when none is configured
    ftp::client_options client;
    std::string account;         ///< the account used, "" when none
};

/// Parses the URL and merges flags, environment and account; runs the
/// password command. Throws exit_error (64 for a bad URL, 78 for
/// configuration problems) or CLI::ValidationError.
ftp_settings resolve_ftp_settings(const std::string& url, const ftp_flags& flags);

} // namespace pigeon::cli
