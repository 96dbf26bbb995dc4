// pigeon watch [ACCOUNT|URL ...] --into DEST: fetches new mail as it
// arrives. Each IMAP folder has a connection in IDLE (re-IDLE every 28
// minutes); when the server announces a change, the folder is fetched with
// the same engine as `pigeon fetch` (exactly once). POP3 maildrops are
// polled. A dropped connection is opened again after a backoff with jitter.
// SIGTERM / SIGINT: the message in flight is finished and recorded, then
// exit 0.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "command.hpp"
#include "common.hpp"
#include "fetch_output.hpp"
#include "fetch_setup.hpp"
#include "oauth2_login.hpp"
#include "pigeon/imap/client.hpp"

extern char** environ;

namespace pigeon::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_watch_signal(int sig) {
    g_stop.store(true);
    std::signal(sig, SIG_DFL);
}

/// Channels blocked in IDLE, cancelled when a stop is asked for.
class idle_registry {
public:
    void add(net::channel* ch) {
        std::lock_guard<std::mutex> g(m_);
        set_.insert(ch);
        if (g_stop.load()) ch->cancel();
    }
    void remove(net::channel* ch) {
        std::lock_guard<std::mutex> g(m_);
        set_.erase(ch);
    }
    void cancel_all() {
        std::lock_guard<std::mutex> g(m_);
        for (auto* ch : set_) ch->cancel();
    }

private:
    std::mutex m_;
    std::set<net::channel*> set_;
};

/// Sleeps up to d, waking early on a stop.
void nap(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (!g_stop.load() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100), d));
}

std::chrono::milliseconds backoff(int failures) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    double base = std::min(300.0, static_cast<double>(1 << std::min(failures, 9)));
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    return std::chrono::milliseconds(static_cast<long long>(base * jitter(rng) * 1000));
}

std::string clean_env(std::string v) {
    for (auto& c : v)
        if (c == '\0') c = ' ';
    return v;
}

/// Runs --exec for a delivered message, its facts in the environment.
int run_exec(const std::string& cmd, const delivered_message& m) {
    std::vector<std::string> vars;
    for (char** e = environ; *e; ++e) vars.emplace_back(*e);
    std::string path;
    if (m.destination.rfind("maildir:", 0) == 0) path = m.destination.substr(8) + "/" + m.location;
    else if (m.destination.rfind("mbox:", 0) == 0) path = m.destination.substr(5);
    vars.push_back("PIGEON_MESSAGE_PATH=" + clean_env(path));
    vars.push_back("PIGEON_LOCATION=" + clean_env(m.location));
    vars.push_back("PIGEON_ACCOUNT=" + clean_env(m.account));
    vars.push_back("PIGEON_FOLDER=" + clean_env(m.folder));
    vars.push_back("PIGEON_FROM=" + clean_env(m.from));
    vars.push_back("PIGEON_SUBJECT=" + clean_env(m.subject));
    vars.push_back("PIGEON_MESSAGE_ID=" + clean_env(m.message_id));
    vars.push_back("PIGEON_SIZE=" + std::to_string(m.size));
    if (m.uidl.empty()) {
        vars.push_back("PIGEON_UID=" + std::to_string(m.uid));
        vars.push_back("PIGEON_UIDVALIDITY=" + std::to_string(m.uidvalidity));
    } else {
        vars.push_back("PIGEON_UIDL=" + clean_env(m.uidl));
    }
    std::vector<char*> envp;
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        std::signal(SIGTERM, SIG_DFL);
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGPIPE, SIG_DFL);
        const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
        ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct watch_cmd {
    fetch_flags flags;
    std::string exec;
    double interval = 0;
    double reidle_minutes = 28;
    bool json = false;
    bool quiet = false;
};

/// A connection that has the job's folder EXAMINEd, for IDLE. It is opened
/// before each fetch, so that whatever arrives after it was opened (during
/// the fetch too) is announced when IDLE starts: nothing slips between the
/// fetch and the wait.
class idle_watch {
public:
    idle_watch(const fetch_job& job, idle_registry& reg) : reg_(reg) {
        imap::client_options o;
        o.net = job.source.net;
        c_.connect(job.source.ep, o);
        if (!job.source.user.empty() && c_.state() == imap::state::not_authenticated)
            oauth2::authenticate_with_token(c_, credentials_of(job.source), selection_of(job.source), job.source.oauth2.get());
        c_.examine(job.folder);
        // The channel object lives as long as the client (a failed call
        // closes it but does not destroy it), so the pointer stays valid
        // until the destructor takes it out of the registry; channel()
        // itself refuses once the connection is closed, so it is taken now.
        ch_ = &c_.channel();
        reg_.add(ch_);
    }
    ~idle_watch() {
        reg_.remove(ch_);
        if (c_.is_connected()) {
            try {
                c_.logout();
            } catch (...) {
            }
        }
    }
    idle_watch(const idle_watch&) = delete;
    idle_watch& operator=(const idle_watch&) = delete;

    /// Waits until the server reports new messages or the re-IDLE period
    /// ends (either way: fetch). Without IDLE: a minute's pause.
    void wait(std::chrono::minutes reidle) {
        if (!c_.capabilities().has("IDLE")) {
            nap(std::chrono::seconds(60));
            c_.noop();
            return;
        }
        c_.idle(
            [](const imap::mailbox_event& e) {
                return e.type != imap::mailbox_event::kind::exists && e.type != imap::mailbox_event::kind::recent;
            },
            std::chrono::duration_cast<std::chrono::milliseconds>(reidle));
    }

private:
    idle_registry& reg_;
    imap::client c_;
    net::channel* ch_ = nullptr;
};

int run_watch(const watch_cmd& cmd) {
    std::size_t max_conn = 4;
    std::vector<double> intervals;
    std::vector<fetch_job> jobs = make_fetch_jobs(cmd.flags, max_conn, &intervals);
    for (const auto& j : jobs)
        if (j.folder.find_first_of("*%") != std::string::npos)
            throw exit_error(exit_usage, "pigeon watch needs folder names, not patterns (" + printable(j.folder) + ")");

    fetch_printer printer(cmd.json ? output_mode::json : cmd.quiet ? output_mode::quiet : output_mode::summary);
    std::mutex exec_mutex;
    if (!cmd.exec.empty()) {
        printer.on_delivered = [&](const fetch_job& j, const delivered_message& m) {
            std::lock_guard<std::mutex> g(exec_mutex);
            int rc = run_exec(cmd.exec, m);
            if (rc != 0 && !cmd.quiet)
                error_line(printable(j.label) + ": --exec exited " + std::to_string(rc) + " for " +
                           (m.uidl.empty() ? "UID " + std::to_string(m.uid) : "message " + printable(m.uidl)));
        };
    }
    std::signal(SIGTERM, on_watch_signal);
    std::signal(SIGINT, on_watch_signal);
    std::signal(SIGPIPE, SIG_IGN);

    idle_registry reg;
    std::mutex res_m;
    int worst = 0;
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        threads.emplace_back([&, i] {
            const fetch_job& job = jobs[i];
            int failures = 0;
            const bool imap = job.source.ep.proto == net::protocol::imap;
            while (!g_stop.load()) {
                try {
                    std::unique_ptr<idle_watch> idle;
                    if (imap) idle = std::make_unique<idle_watch>(job, reg);
                    for (;;) {
                        job_result r = run_fetch_job(job, printer, g_stop);
                        if (r.exit_code != 0) {
                            if (!cmd.quiet) error_line(printable(job.label) + ": " + printable(r.error));
                            // Configuration, authentication and store failures do not heal by waiting.
                            if (r.exit_code == exit_noperm || r.exit_code == exit_config ||
                                r.exit_code == exit_cantcreat || r.exit_code == exit_ioerr ||
                                r.exit_code == exit_usage || r.exit_code == exit_unavailable) {
                                std::lock_guard<std::mutex> g(res_m);
                                worst = worst_exit(worst, r.exit_code);
                                return;
                            }
                            nap(backoff(failures++));
                            break;   // reconnect the IDLE connection too
                        }
                        failures = 0;
                        if (r.delivered && !cmd.json && !cmd.quiet)
                            printer.note(job, std::to_string(r.delivered) + " new message(s)");
                        if (g_stop.load()) return;
                        if (!imap) {
                            double secs = cmd.interval > 0 ? cmd.interval : intervals.empty() ? 60 : intervals[0];
                            nap(std::chrono::milliseconds(static_cast<long long>(secs * 1000)));
                            if (g_stop.load()) return;
                            continue;
                        }
                        idle->wait(std::chrono::minutes(static_cast<long long>(cmd.reidle_minutes)));
                    }
                } catch (const std::exception& e) {
                    if (g_stop.load()) return;
                    if (!cmd.quiet) error_line(printable(job.label) + ": " + printable(e.what()) + "; reconnecting");
                    nap(backoff(failures++));
                }
            }
        });
    }
    // Cancels the IDLE connections once a stop is asked for.
    std::thread watcher([&] {
        while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reg.cancel_all();
    });
    for (auto& t : threads) t.join();
    g_stop.store(true);
    watcher.join();
    return worst;
}

const registrar reg{{"watch", "Wait for new mail (IMAP IDLE, POP3 polling) and fetch it as it arrives",
                     [](CLI::App& sub) -> std::function<int()> {
                         auto c = std::make_shared<watch_cmd>();
                         c->flags.add_to(sub, true);
                         sub.add_option("--exec", c->exec,
                                        "Run CMD (/bin/sh -c) for each delivered message; PIGEON_MESSAGE_PATH, "
                                        "PIGEON_FOLDER, PIGEON_FROM, PIGEON_SUBJECT... in its environment")
                             ->type_name("CMD");
                         sub.add_option("--interval", c->interval,
                                        "POP3: seconds between polls (default: the account's poll_interval, else 60)")
                             ->check(CLI::PositiveNumber);
                         sub.add_option("--reidle", c->reidle_minutes, "IMAP: minutes before IDLE is renewed (28)")
                             ->check(CLI::Range(1.0, 29.0));
                         sub.add_flag("--json", c->json, "JSON Lines on standard output, one per delivered message");
                         sub.add_flag("-q,--quiet", c->quiet, "Print nothing but errors");
                         return [c] {
                             try {
                                 return run_watch(*c);
                             } catch (const std::exception& e) {
                                 return report_exception(e);
                             }
                         };
                     },
                     {},
                     true}};

} // namespace
} // namespace pigeon::cli
