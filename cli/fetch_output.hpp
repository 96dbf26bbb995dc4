#pragma once
// What `pigeon fetch` (and `watch`) print: a live display on a terminal, one
// summary line per account, JSON Lines with --json, or only errors (-q).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "fetch_engine.hpp"

namespace pigeon::cli {

enum class output_mode { live, summary, quiet, json };

/// The JSON Lines object of a delivered message (the contract of --json).
nlohmann::json delivered_json(const delivered_message& m);

class fetch_printer : public fetch_observer {
public:
    /// what: the things fetched, for the summaries ("messages"; `pigeon news
    /// fetch`: "articles"); command: the live display's last line.
    explicit fetch_printer(output_mode mode, std::string what = "messages", std::string command = "pigeon fetch");
    ~fetch_printer() override;

    void delivered(const fetch_job& j, const delivered_message& m) override;
    void progress(const fetch_job& j, std::uint64_t messages, std::uint64_t bytes, std::uint64_t total_messages,
                  std::uint64_t total_bytes) override;
    void note(const fetch_job& j, const std::string& text) override;

    void started(const fetch_job& j);
    void finished(const fetch_job& j, const job_result& r);
    /// Ends the live display, prints the per-account summaries, returns the
    /// exit code: the worst of the jobs (a failure other than 75 over 75).
    int summarize(const std::vector<fetch_job>& jobs, const std::vector<job_result>& results, bool stopped);

    /// Extra action per delivered message (watch --exec); called unlocked.
    std::function<void(const fetch_job&, const delivered_message&)> on_delivered;

private:
    /// "1 message", "2 messages" (what_ with its final s dropped for one).
    std::string count_of(std::uint64_t n) const;

    struct job_line {
        std::string label;
        std::uint64_t messages = 0, bytes = 0, total_messages = 0, total_bytes = 0;
        std::chrono::steady_clock::time_point start;
        bool done = false;
    };
    void draw_locked();
    void clear_locked();
    void out_line(const std::string& line);   // stdout, whole lines

    output_mode mode_;
    std::string what_;
    std::string command_;
    std::mutex m_;
    std::map<const fetch_job*, job_line> lines_;
    std::vector<const fetch_job*> order_;
    std::size_t drawn_ = 0;
    bool stop_ = false;
    std::condition_variable cv_;
    std::thread painter_;
    std::chrono::steady_clock::time_point t0_;
};

/// --json, then -q, then a live display when standard error is a terminal
/// (and not --no-progress), else a summary.
output_mode choose_output_mode(bool json, bool quiet, bool no_progress);

/// Installs the SIGTERM / SIGINT handlers of a fetch (the first asks the
/// jobs to stop cleanly, a second ends the process) and ignores SIGPIPE;
/// returns the flag the first one sets.
const std::atomic<bool>& stop_on_signals();

/// Runs the jobs with `workers` threads, at most max_connections at once to
/// one server (host:port), telling printer when each starts and ends; no
/// new job starts once stop is set. The results are in the jobs' order.
std::vector<job_result> run_job_pool(const std::vector<fetch_job>& jobs, std::size_t workers,
                                     std::size_t max_connections, fetch_printer& printer,
                                     const std::atomic<bool>& stop);

/// "1.2 MB", "340 kB", "12 B".
std::string human_bytes(std::uint64_t n);
/// Worst exit code: any failure other than 75 wins over 75.
int worst_exit(int a, int b);

} // namespace pigeon::cli
