#pragma once
// How subcommands plug into the pigeon executable: each cmd_*.cpp defines a
// static registrar. main.cpp knows none of them by name.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pigeon::cli {

/// Declares the options of a subcommand on sub and returns the function
/// that runs it after parsing; it returns the process exit code.
using setup_fn = std::function<std::function<int()>(CLI::App& sub)>;
/// A subcommand that parses its own arguments (sendmail's historic flags).
using raw_fn = std::function<int(const std::vector<std::string>& args)>;

struct command_info {
    std::string name;
    std::string description;
    setup_fn setup;     ///< set for CLI11 subcommands
    raw_fn raw;         ///< set for commands that parse argv themselves
    /// The command connects to servers with TLS: main() starts OpenSSL's
    /// set-up on a thread while the arguments are parsed (net::warm_up_tls).
    bool tls = false;
};

std::vector<command_info>& registry();

struct registrar {
    explicit registrar(command_info info) { registry().push_back(std::move(info)); }
};

} // namespace pigeon::cli
