// The pigeon executable: dispatches to the registered subcommands, and runs
// the sendmail personality when invoked under the name "sendmail".
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command.hpp"
#include "common.hpp"
#include "pigeon/net/tls_warm_up.hpp"

namespace pigeon::cli {
std::vector<command_info>& registry() {
    static std::vector<command_info> r;
    return r;
}
} // namespace pigeon::cli

namespace {

const pigeon::cli::command_info* find_command(const std::string& name) {
    for (const auto& c : pigeon::cli::registry())
        if (c.name == name) return &c;
    return nullptr;
}

const pigeon::cli::command_info* find_raw(const std::string& name) {
    const auto* c = find_command(name);
    return c && c->raw ? c : nullptr;
}

} // namespace

int main(int argc, char** argv) {
    using namespace pigeon::cli;
    std::string self = argc > 0 ? argv[0] : "pigeon";
    if (auto slash = self.rfind('/'); slash != std::string::npos) self = self.substr(slash + 1);

    try {
        // Personalities and raw subcommands parse their own arguments.
        if (auto* c = find_raw(self)) {
            if (c->tls) pigeon::net::warm_up_tls();
            return c->raw(std::vector<std::string>(argv + 1, argv + argc));
        }
        if (argc > 1) {
            if (auto* c = find_raw(argv[1])) {
                if (c->tls) pigeon::net::warm_up_tls();
                return c->raw(std::vector<std::string>(argv + 2, argv + argc));
            }
        }

        CLI::App app{"pigeon: Internet mail and news from the command line"};
        app.set_version_flag("--version", std::string("pigeon ") + PIGEON_VERSION_STRING);
        app.require_subcommand(1);
        std::function<int()> run;
        // Declaring every command's options costs more than a millisecond
        // of CPU at each start: when argv[1] names a command, only that one
        // is declared in full (the others keep their name and description
        // for the help text, and cannot be reached from this argv).
        const command_info* named_cmd = argc > 1 ? find_command(argv[1]) : nullptr;
        const bool named = named_cmd != nullptr;
        if (named && named_cmd->tls) pigeon::net::warm_up_tls();
        for (auto& c : registry()) {
            CLI::App* sub = app.add_subcommand(c.name, c.description);
            if (c.raw) {
                sub->allow_extras();
                continue;
            }
            if (named && c.name != argv[1]) continue;
            auto runner = c.setup(*sub);
            sub->callback([&run, runner] { run = runner; });
        }
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            int rc = app.exit(e);
            return rc == 0 ? 0 : exit_usage;
        }
        return run ? run() : exit_usage;
    } catch (const std::exception& e) {
        return report_exception(e);
    }
}
