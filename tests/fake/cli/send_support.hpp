#pragma once
// Helpers of the `pigeon send` / `pigeon sendmail` fake tests: a temporary
// directory, files in it, and running the CLI with an environment that
// ignores the user's own configuration.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/run_process.hpp"

namespace pigeon::test::cli_send {

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pigeon-send-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::string& path() const { return path_; }
    /// Writes a file (parents created) with the given mode; returns its path.
    std::string write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
        std::filesystem::path p = std::filesystem::path(path_) / name;
        std::filesystem::create_directories(p.parent_path());
        {
            std::ofstream f(p, std::ios::binary | std::ios::trunc);
            f.write(content.data(), static_cast<std::streamsize>(content.size()));
        }
        ::chmod(p.c_str(), mode);
        return p.string();
    }

private:
    std::string path_;
};

/// Runs pigeon with HOME and XDG_CONFIG_HOME in dir (so no real
/// configuration is read) and every PIGEON_* variable cleared, then env.
inline process_result run_pigeon(const temp_dir& dir, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env = {}, const std::string& input = {},
                                 const std::string& argv0 = {}) {
    ::signal(SIGPIPE, SIG_IGN);
    process_options o;
    o.timeout = std::chrono::seconds(30);
    o.input = input;
    o.argv0 = argv0;
    o.env = {{"HOME", dir.path()},
             {"XDG_CONFIG_HOME", dir.path() + "/xdg"},
             {"PIGEON_CONFIG", ""},
             {"PIGEON_ACCOUNT", ""},
             {"PIGEON_SERVER", ""},
             {"PIGEON_USER", ""},
             {"PIGEON_PASSWORD", ""},
             {"PIGEON_PASSWORD_COMMAND", ""},
             {"PIGEON_FROM", ""},
             {"PIGEON_TLS", ""},
             {"PIGEON_TLS_CA", ""}};
    for (const auto& [k, v] : env) o.env[k] = v;
    return run_process(pigeon_cli(), args, o);
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// The lines a script server recorded, joined by '\n'.
inline std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

} // namespace pigeon::test::cli_send
