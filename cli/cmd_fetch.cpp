// pigeon fetch [ACCOUNT|URL ...] --into DEST: copies new messages from IMAP
// folders and POP3 maildrops into a Maildir, an mbox or an MDA, exactly
// once (fetch_engine.hpp), with a pool of --jobs workers, at most
// --max-connections per server.
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "fetch_output.hpp"
#include "fetch_setup.hpp"

namespace pigeon::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
    g_stop.store(true);
    // A second signal ends the process at once.
    std::signal(sig, SIG_DFL);
}

/// Counting semaphore per server (host:port).
class connection_limiter {
public:
    explicit connection_limiter(std::size_t max) : max_(max) {}
    void acquire(const std::string& server) {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return used_[server] < max_; });
        ++used_[server];
    }
    void release(const std::string& server) {
        {
            std::lock_guard<std::mutex> g(m_);
            --used_[server];
        }
        cv_.notify_all();
    }

private:
    std::size_t max_;
    std::mutex m_;
    std::condition_variable cv_;
    std::map<std::string, std::size_t> used_;
};

struct fetch_cmd {
    fetch_flags flags;
    std::size_t jobs = 1;
    bool json = false;
    bool quiet = false;
    bool no_progress = false;
};

int run_fetch(const fetch_cmd& cmd) {
    std::size_t max_conn = 4;
    std::vector<fetch_job> jobs = make_fetch_jobs(cmd.flags, max_conn);

    output_mode mode = cmd.json ? output_mode::json
                       : cmd.quiet ? output_mode::quiet
                       : (!cmd.no_progress && ::isatty(2)) ? output_mode::live
                                                           : output_mode::summary;
    fetch_printer printer(mode);

    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);

    connection_limiter limiter(max_conn);
    std::mutex qm;
    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < jobs.size(); ++i) queue.push_back(i);
    std::vector<job_result> results(jobs.size());

    auto worker = [&] {
        for (;;) {
            std::size_t i;
            {
                std::lock_guard<std::mutex> g(qm);
                if (queue.empty() || g_stop.load()) return;
                i = queue.front();
                queue.pop_front();
            }
            const fetch_job& j = jobs[i];
            std::string server = j.source.ep.host + ":" + std::to_string(j.source.ep.port);
            limiter.acquire(server);
            printer.started(j);
            results[i] = run_fetch_job(j, printer, g_stop);
            limiter.release(server);
            printer.finished(j, results[i]);
        }
    };
    std::size_t n = std::max<std::size_t>(1, std::min(cmd.jobs, jobs.size()));
    if (n == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (std::size_t k = 0; k < n; ++k) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    return printer.summarize(jobs, results, g_stop.load());
}

const registrar reg{{"fetch", "Copy new mail from IMAP folders and POP3 maildrops into a Maildir, an mbox or an MDA",
                     [](CLI::App& sub) -> std::function<int()> {
                         auto c = std::make_shared<fetch_cmd>();
                         c->flags.add_to(sub, false);
                         sub.add_option("-j,--jobs", c->jobs, "Fetch N accounts or folders at once (default 1)")
                             ->check(CLI::Range(1, 64));
                         sub.add_flag("--json", c->json,
                                      "JSON Lines on standard output: one per delivered message, then a summary");
                         sub.add_flag("-q,--quiet", c->quiet, "Print nothing but errors");
                         sub.add_flag("--no-progress", c->no_progress, "No live progress display on a terminal");
                         return [c] {
                             try {
                                 return run_fetch(*c);
                             } catch (const std::exception& e) {
                                 return report_exception(e);
                             }
                         };
                     },
                     {}}};

} // namespace
} // namespace pigeon::cli
