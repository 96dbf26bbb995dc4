#include "ftp_progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "common.hpp"

namespace pigeon::cli {

std::string human_size(std::uint64_t n) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

bool progress_bar::wanted(bool quiet, int verbosity) { return !quiet && verbosity == 0 && ::isatty(2); }

void progress_bar::start(const std::string& label, std::uint64_t already) {
    if (!enabled_) return;
    finish();
    label_ = printable(label);
    if (label_.size() > 40) label_ = "..." + label_.substr(label_.size() - 37);
    start_at_ = already;
    last_ = {};
    last_.done = already;
    t0_ = drawn_ = std::chrono::steady_clock::now();
    active_ = true;
}

ftp::progress_fn progress_bar::callback() {
    if (!enabled_) return {};
    return [this](const ftp::transfer_progress& p) {
        last_ = p;
        auto now = std::chrono::steady_clock::now();
        if (now - drawn_ >= std::chrono::milliseconds(200)) {
            drawn_ = now;
            draw(p, false);
        }
        return true;
    };
}

void progress_bar::draw(const ftp::transfer_progress& p, bool final) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    double rate = secs > 0 ? static_cast<double>(p.done - std::min(p.done, start_at_)) / secs : 0;
    std::string line = "\r" + label_ + "  " + human_size(p.done);
    if (p.total && *p.total > 0) {
        int pct = static_cast<int>(static_cast<double>(p.done) * 100.0 / static_cast<double>(*p.total));
        line += " / " + human_size(*p.total) + " (" + std::to_string(std::min(pct, 100)) + "%)";
    }
    line += "  " + human_size(static_cast<std::uint64_t>(rate)) + "/s";
    line += "\x1b[K";  // clear the rest of the line
    if (final) line += "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

void progress_bar::finish() {
    if (!enabled_ || !active_) return;
    active_ = false;
    draw(last_, true);
}

} // namespace pigeon::cli
