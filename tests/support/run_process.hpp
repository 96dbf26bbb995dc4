#pragma once
// Runs a program (the pigeon CLI, a peer tool) with arguments, optional
// standard input and a timeout; captures standard output, standard error
// and the exit code. For CLI tests.
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pigeon::test {

struct process_result {
    int exit_code = -1;       ///< exit status, or 128+signal, or -1 on timeout
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct process_options {
    std::string input;                                   ///< written to stdin, then closed
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    std::map<std::string, std::string> env;              ///< added to (or replacing in) the environment
    std::string argv0;                                   ///< argv[0] if not the program path
};

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& opts = {});

/// The pigeon executable under test.
inline std::string pigeon_cli() { return PIGEON_CLI; }

} // namespace pigeon::test
