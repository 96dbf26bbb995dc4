#pragma once
// Running a password command (--password-command, password_command in an
// account): getmail's and msmtp's passwordeval semantics.
#include <chrono>
#include <string>

namespace pigeon::account {

struct password_command_options {
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    std::size_t max_output = 64 * 1024;   ///< tokens can be long; passwords are not
};

/// Runs cmd with /bin/sh -c, standard input /dev/null, standard error
/// inherited (prompts and diagnostics reach the user), standard output
/// captured; the trailing line end(s) removed. Throws account::error
/// (errc::config) when the command cannot run, exits non-zero, is killed, runs
/// past the timeout (its whole process group is killed), prints nothing or
/// more than max_output bytes. origin names the setting in messages
/// ("--password-command", "account work: password_command"); neither the
/// command (it may hold a secret) nor its output ever appears in one.
std::string run_password_command(const std::string& cmd, const std::string& origin,
                                 const password_command_options& opts = {});

} // namespace pigeon::account
