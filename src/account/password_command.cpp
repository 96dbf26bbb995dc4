#include "pigeon/account/password_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "pigeon/account/error.hpp"

namespace pigeon::account {
namespace {

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
    throw error(errc::config, origin + " " + what);
}

/// Waits for the child until the deadline; kills its process group first
/// when asked or when the deadline passes (timed_out is set then).
int reap(pid_t pid, bool kill_first, std::chrono::steady_clock::time_point deadline, bool& timed_out) {
    if (kill_first) ::kill(-pid, SIGKILL);
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, kill_first ? 0 : WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return status;
        if (r == 0) {
            if (std::chrono::steady_clock::now() >= deadline) {
                timed_out = true;
                kill_first = true;
                ::kill(-pid, SIGKILL);
                continue;
            }
            ::usleep(5000);
        }
    }
}

} // namespace

std::string run_password_command(const std::string& cmd, const std::string& origin,
                                 const password_command_options& opts) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) fail(origin, std::string("cannot run: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        ::close(out[0]);
        ::close(out[1]);
        fail(origin, std::string("cannot run: ") + std::strerror(err));
    }
    if (pid == 0) {
        // Child: its own process group (so a timeout kills what it started),
        // stdin /dev/null, stdout the pipe, stderr inherited.
        ::setpgid(0, 0);
        ::signal(SIGPIPE, SIG_DFL);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out[1], 1) < 0) ::_exit(127);
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid); // also here: no race with the child's own call
    ::close(out[1]);

    std::string result;
    const auto deadline = std::chrono::steady_clock::now() + opts.timeout;
    bool timed_out = false, too_long = false;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{out[0], POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000 * 1000)));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;
        if (r == 0) continue;
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        result.append(buf, static_cast<std::size_t>(n));
        if (result.size() > opts.max_output) {
            too_long = true;
            break;
        }
    }
    ::close(out[0]);
    int status = reap(pid, timed_out || too_long, deadline, timed_out);
    // Closing stdout early does not mean the command is done: it may still
    // run (and then fail); its status decides.
    auto wipe = [&result] {
        std::fill(result.begin(), result.end(), '\0');
        result.clear();
    };
    if (timed_out) {
        wipe();
        fail(origin, "timed out after " + std::to_string(opts.timeout.count() / 1000) + " s");
    }
    if (too_long) {
        wipe();
        fail(origin, "printed more than " + std::to_string(opts.max_output) + " bytes");
    }
    if (WIFSIGNALED(status)) {
        wipe();
        fail(origin, "killed by signal " + std::to_string(WTERMSIG(status)) + "");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        wipe();
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        fail(origin, "failed (exit status " + std::to_string(code) + ")");
    }
    while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) result.pop_back();
    if (result.empty()) fail(origin, "printed nothing");
    return result;
}

} // namespace pigeon::account
