// MDA destination: each message is piped into `/bin/sh -c COMMAND`
// (procmail, maildrop, dovecot-lda ...), with LF line ends as those
// programs expect.
//
// The command runs in its own process group with the message on standard
// input (a pipe), standard error inherited, and standard output sent to
// standard error (a caller printing JSON on stdout keeps a clean stream).
// Every other descriptor is closed; every signal is at its default and
// none is blocked. Environment: ours, plus PIGEON_FOLDER (the source
// folder), PIGEON_FLAGS (the IMAP flags, space-separated) and
// opts.mda_environment (which wins over both).
//
// The command is started with posix_spawn (signals reset to their defaults
// in the child before anything of ours could run there).
//
// Writing never raises SIGPIPE in our process: SIGPIPE is blocked around
// each write to the pipe and a SIGPIPE the write caused is consumed. When
// the command stops reading (EPIPE) the rest of the message is dropped and
// the verdict waits for commit(), which closes the pipe and waits for the
// command: exit 0 -> delivered (but errc::mda_failed if it did not take the
// whole message), exit 75 (EX_TEMPFAIL) -> errc::mda_tempfail, any other
// exit or a signal -> errc::mda_failed. abort() sends SIGTERM to the
// process group before closing the pipe (so the command cannot take a
// truncated message for a whole one), waits up to five seconds, then
// SIGKILLs and reaps.
//
// A process whose SIGCHLD is ignored loses its children's exit status
// (waitpid fails with ECHILD): then every delivery reports mda_failed.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <set>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "destination_impl.hpp"

extern char** environ;

namespace pigeon::store::detail {
namespace {

constexpr int exit_tempfail = 75;

struct mda_core {
    std::string command;
    destination_options opts;
    bool delivery_open = false;
};

/// Writes to the pipe with SIGPIPE blocked; EPIPE sets `broken`.
std::error_code pipe_write(int fd, std::string_view data, bool& broken) {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    if (::pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0) return make_error_code(errc::io_error);
    sigemptyset(&pending);
    ::sigpending(&pending);
    const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    std::error_code ec;
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) {
                broken = true;
                if (!was_pending) {
                    const struct timespec zero {};
                    while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
                    }
                }
            } else {
                ec = errno_code(errno);
            }
            break;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ec;
}

/// waitpid without EINTR; false when the status is lost.
bool reap(pid_t pid, int& status) {
    while (true) {
        const pid_t r = ::waitpid(pid, &status, 0);
        if (r == pid) return true;
        if (r < 0 && errno == EINTR) continue;
        return false;
    }
}

class mda_delivery final : public stream_delivery {
public:
    mda_delivery(std::shared_ptr<mda_core> core, pid_t pid, int fd) : core_(std::move(core)), pid_(pid), fd_(fd) {}
    ~mda_delivery() override { abort(); }
    mda_delivery(const mda_delivery&) = delete;
    mda_delivery& operator=(const mda_delivery&) = delete;

    void commit(std::error_code& ec) override {
        if (!end_stream(ec)) {
            abort();
            return;
        }
        ::close(fd_);
        fd_ = -1;
        int status = 0;
        const bool known = reap(pid_, status);
        pid_ = -1;
        if (!known)
            ec = make_error_code(errc::mda_failed);
        else if (WIFEXITED(status) && WEXITSTATUS(status) == exit_tempfail)
            ec = make_error_code(errc::mda_tempfail);
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || broken_)
            ec = make_error_code(errc::mda_failed);
        state_ = ec ? state::aborted : state::committed;
        core_->delivery_open = false;
    }

    void abort() noexcept override {
        if (state_ != state::open) return;
        if (pid_ > 0) {
            ::kill(-pid_, SIGTERM);
            ::kill(pid_, SIGTERM);
        }
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        if (pid_ > 0) {
            int status = 0;
            bool gone = false;
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (std::chrono::steady_clock::now() < until) {
                const pid_t r = ::waitpid(pid_, &status, WNOHANG);
                if (r == pid_ || (r < 0 && errno != EINTR)) {
                    gone = true;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            if (!gone) {
                ::kill(-pid_, SIGKILL);
                ::kill(pid_, SIGKILL);
                (void)reap(pid_, status);
            }
            pid_ = -1;
        }
        state_ = state::aborted;
        core_->delivery_open = false;
    }

    std::string location() const override { return state_ == state::committed ? "mda" : std::string(); }

private:
    void transform(std::string_view raw, std::string& out) override { lf_.feed(raw, out); }
    void transform_end(std::string& out) override { lf_.finish(out); }
    std::error_code drain(std::string_view data) override {
        if (broken_) return {};
        return pipe_write(fd_, data, broken_);
    }

    std::shared_ptr<mda_core> core_;
    pid_t pid_;
    int fd_;
    bool broken_ = false;
    crlf_to_lf lf_;
};

class mda_destination final : public destination {
public:
    explicit mda_destination(std::shared_ptr<mda_core> core) : core_(std::move(core)) {}

    std::unique_ptr<delivery> begin(const message_meta& meta, std::error_code& ec) override {
        ec.clear();
        if (core_->delivery_open) {
            ec = make_error_code(errc::bad_state);
            return nullptr;
        }
        // The environment: ours, less what we set.
        std::set<std::string, std::less<>> overridden = {"PIGEON_FOLDER", "PIGEON_FLAGS"};
        for (const auto& [k, v] : core_->opts.mda_environment) overridden.insert(k);
        std::vector<std::string> env;
        for (char** e = environ; e && *e; ++e) {
            const std::string_view kv(*e);
            if (!overridden.count(kv.substr(0, kv.find('=')))) env.emplace_back(kv);
        }
        std::string flags;
        for (const auto& f : meta.flags) flags += (flags.empty() ? "" : " ") + f;
        env.push_back("PIGEON_FOLDER=" + meta.folder);
        env.push_back("PIGEON_FLAGS=" + flags);
        for (const auto& [k, v] : core_->opts.mda_environment)
            if (!k.empty() && k.find('=') == std::string::npos) env.push_back(k + "=" + v);
        std::vector<char*> envp;
        for (auto& s : env) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::string sh = "sh", dash_c = "-c", command = core_->command;
        char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};

        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) {
            ec = errno_code(errno);
            return nullptr;
        }
        // posix_spawn, not fork: no handler of ours can run in the child
        // before its signals are back at their defaults.
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        sigset_t all, none;
        sigfillset(&all);
        sigemptyset(&none);
        pid_t pid = -1;
        int rc = posix_spawn_file_actions_init(&actions);
        if (rc == 0) {
            rc = posix_spawnattr_init(&attr);
            if (rc == 0) {
                if ((rc = posix_spawn_file_actions_adddup2(&actions, p[0], 0)) == 0 &&
                    (rc = posix_spawn_file_actions_adddup2(&actions, 2, 1)) == 0 &&
                    (rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) == 0 &&
                    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                              POSIX_SPAWN_SETSIGMASK)) == 0 &&
                    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
                    (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
                    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0)
                    rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
                posix_spawnattr_destroy(&attr);
            }
            posix_spawn_file_actions_destroy(&actions);
        }
        ::close(p[0]);
        if (rc != 0) {
            ::close(p[1]);
            ec = errno_code(rc);
            return nullptr;
        }
        core_->delivery_open = true;
        return std::make_unique<mda_delivery>(core_, pid, p[1]);
    }

    void sync(std::error_code& ec) override { ec.clear(); }
    bool contains(std::string_view, std::uint64_t, std::string_view) const override { return false; }
    std::string describe() const override { return "mda:" + core_->command; }

private:
    std::shared_ptr<mda_core> core_;
};

} // namespace

std::unique_ptr<destination> open_mda(std::string command, const destination_options& opts, std::error_code& ec) {
    ec.clear();
    auto core = std::make_shared<mda_core>();
    core->command = std::move(command);
    core->opts = opts;
    return std::make_unique<mda_destination>(std::move(core));
}

} // namespace pigeon::store::detail
