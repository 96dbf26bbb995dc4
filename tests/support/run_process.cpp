#include "support/run_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace pigeon::test {

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& opts) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);

    std::vector<std::string> argv_s;
    argv_s.push_back(opts.argv0.empty() ? program : opts.argv0);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos && opts.env.count(kv.substr(0, eq))) continue;
        env_s.push_back(kv);
    }
    for (const auto& [k, v] : opts.env) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    int rc = posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    process_result r;
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        r.err = std::string("spawn failed: ") + std::strerror(rc);
        return r;
    }
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    int in_fd = in[1];
    if (opts.input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    auto deadline = std::chrono::steady_clock::now() + opts.timeout;
    int open_fds = 2;
    bool out_open = true, err_open = true;
    char buf[65536];
    while (open_fds > 0 || in_fd >= 0) {
        pollfd p[3];
        int n = 0;
        int idx_out = -1, idx_err = -1, idx_in = -1;
        if (out_open) { p[n] = {out[0], POLLIN, 0}; idx_out = n++; }
        if (err_open) { p[n] = {err[0], POLLIN, 0}; idx_err = n++; }
        if (in_fd >= 0) { p[n] = {in_fd, POLLOUT, 0}; idx_in = n++; }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            break;
        }
        int pr = ::poll(p, static_cast<nfds_t>(n), static_cast<int>(left.count()));
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        auto drain = [&](int idx, int fd, std::string& dst, bool& open) {
            if (idx < 0 || !(p[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t k = ::read(fd, buf, sizeof buf);
            if (k > 0) dst.append(buf, static_cast<std::size_t>(k));
            else { open = false; --open_fds; }
        };
        drain(idx_out, out[0], r.out, out_open);
        drain(idx_err, err[0], r.err, err_open);
        if (idx_in >= 0 && (p[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t k = ::write(in_fd, opts.input.data() + written, opts.input.size() - written);
            if (k > 0) written += static_cast<std::size_t>(k);
            if (k < 0 && errno != EAGAIN) written = opts.input.size();
            if (written >= opts.input.size()) { ::close(in_fd); in_fd = -1; }
        }
    }
    if (in_fd >= 0) ::close(in_fd);
    ::close(out[0]);
    ::close(err[0]);
    if (r.timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (r.timed_out) r.exit_code = -1;
    else if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
    return r;
}

} // namespace pigeon::test
