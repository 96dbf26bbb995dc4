// The pigeon executable: dispatches to the registered subcommands, and runs
// the sendmail personality when invoked under the name "sendmail".
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command.hpp"
#include "common.hpp"

namespace pigeon::cli {
std::vector<command_info>& registry() {
    static std::vector<command_info> r;
    return r;
}
} // namespace pigeon::cli

namespace {

const pigeon::cli::command_info* find_raw(const std::string& name) {
    for (const auto& c : pigeon::cli::registry())
        if (c.name == name && c.raw) return &c;
    return nullptr;
}

} // namespace

int main(int argc, char** argv) {
    using namespace pigeon::cli;
    std::string self = argc > 0 ? argv[0] : "pigeon";
    if (auto slash = self.rfind('/'); slash != std::string::npos) self = self.substr(slash + 1);

    try {
        // Personalities and raw subcommands parse their own arguments.
        if (auto* c = find_raw(self)) return c->raw(std::vector<std::string>(argv + 1, argv + argc));
        if (argc > 1) {
            if (auto* c = find_raw(argv[1])) return c->raw(std::vector<std::string>(argv + 2, argv + argc));
        }

        CLI::App app{"pigeon: Internet mail and news from the command line"};
        app.set_version_flag("--version", std::string("pigeon ") + PIGEON_VERSION_STRING);
        app.require_subcommand(1);
        std::function<int()> run;
        for (auto& c : registry()) {
            CLI::App* sub = app.add_subcommand(c.name, c.description);
            if (c.raw) {
                sub->allow_extras();
                continue;
            }
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
