#pragma once
// A one-line progress display on standard error for `pigeon ftp get/put`,
// only when standard error is a terminal (and not with -q or -v).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pigeon/ftp/client.hpp"

namespace pigeon::cli {

class progress_bar {
public:
    /// enabled: false makes every call a no-op.
    explicit progress_bar(bool enabled) : enabled_(enabled) {}
    ~progress_bar() { finish(); }
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;

    /// Starts a file: label is shown before the figures (escaped).
    void start(const std::string& label, std::uint64_t already = 0);
    /// The library's callback; always returns true.
    ftp::progress_fn callback();
    /// Ends the line (prints the final state).
    void finish();

    /// Whether standard error is a terminal and the user did not ask for quiet.
    static bool wanted(bool quiet, int verbosity);

private:
    void draw(const ftp::transfer_progress& p, bool final);
    bool enabled_;
    bool active_ = false;
    std::string label_;
    std::uint64_t start_at_ = 0;
    ftp::transfer_progress last_;
    std::chrono::steady_clock::time_point t0_, drawn_;
};

/// "1.5 GiB", "340 KiB", "12 B".
std::string human_size(std::uint64_t n);

} // namespace pigeon::cli
