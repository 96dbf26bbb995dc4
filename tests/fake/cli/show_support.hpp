#pragma once
// Helpers of the `pigeon show` CLI tests: a temporary directory, running
// pigeon show (on a pipe, on a pseudo-terminal, or measured with wait4 for
// its peak memory), generated messages, hashes and base64.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/run_process.hpp"

extern char** environ;

namespace pigeon::test::show {

namespace fs = std::filesystem;

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "pigeon-show-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    std::string write(const std::string& name, const std::string& content) const {
        std::string p = file(name);
        fs::create_directories(fs::path(p).parent_path());
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        f.write(content.data(), static_cast<std::streamsize>(content.size()));
        return p;
    }

private:
    std::string path_;
};

inline std::string corpus(const std::string& name) { return std::string(PIGEON_SOURCE_DIR) + "/tests/corpus/" + name; }

inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// Runs `pigeon show ARGS` with standard output on a pipe.
inline process_result run_show(const std::vector<std::string>& args, const std::string& input = {}) {
    ::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> a{"show"};
    a.insert(a.end(), args.begin(), args.end());
    process_options o;
    o.timeout = std::chrono::seconds(60);
    o.input = input;
    return run_process(pigeon_cli(), a, o);
}

/// Runs `pigeon show ARGS` with standard output and error on a
/// pseudo-terminal; returns what the terminal received.
inline process_result show_on_terminal(const std::vector<std::string>& args) {
    int master = -1, slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
    termios t{};
    ::tcgetattr(slave, &t);
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST); // no "\n" -> "\r\n" translation
    ::tcsetattr(slave, TCSANOW, &t);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, slave, 1);
    posix_spawn_file_actions_adddup2(&fa, slave, 2);
    posix_spawn_file_actions_addclose(&fa, master);
    std::vector<std::string> argv_s{pigeon_cli(), "show"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv_s[0].c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(slave);
    process_result r;
    if (rc != 0) {
        ::close(master);
        throw std::runtime_error("spawn failed");
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    char buf[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        int pr = ::poll(&p, 1, 200);
        if (pr > 0) {
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n > 0) {
                r.out.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            break; // EIO: every slave descriptor is closed
        }
        if (std::chrono::steady_clock::now() > deadline) {
            r.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = r.timed_out ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

struct measured_result {
    int exit_code = -1;
    bool timed_out = false;
    /// The child's ru_maxrss from wait4: an upper bound of its peak, since
    /// Linux counts the memory it shared with this process before exec.
    long max_rss_kib = 0;
    /// The program's own peak (VmHWM of /proc/PID/status, polled every few
    /// milliseconds after its exec): exact unless the peak comes in the last
    /// milliseconds before exit; 0 if it ended before the first look.
    long own_peak_kib = 0;
};

/// VmHWM of pid when it runs program (after its exec), else 0.
inline long polled_peak_kib(pid_t pid, const std::string& program) {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (ec || !fs::equivalent(exe, program, ec)) return 0;
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

/// Runs program with stdin/stdout/stderr redirected to files and returns its
/// exit code and peak resident memory (for a shell: the peak of the
/// processes it waited for, too).
/// With pipe_input, in_path's bytes reach the program through a pipe.
inline measured_result run_measured_program(const std::string& program, const std::vector<std::string>& args,
                                            const std::string& in_path, const std::string& out_path,
                                            const std::string& err_path, bool pipe_input = false,
                                            std::chrono::seconds timeout = std::chrono::seconds(100)) {
    // fork + exec rather than posix_spawn: glibc's posix_spawn shares this
    // process's memory until exec (CLONE_VM), and Linux then counts this
    // process's peak into the child's ru_maxrss. Everything the child
    // needs is prepared before fork; it calls only async-signal-safe functions.
    std::vector<std::string> argv_s{program};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    int feed[2] = {-1, -1};
    if (pipe_input) {
        ::signal(SIGPIPE, SIG_IGN); // a reader that dies early must not kill the test
        if (::pipe2(feed, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    }
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int in = pipe_input ? feed[0] : ::open(in_path.c_str(), O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
        ::execve(program.c_str(), argv.data(), environ);
        ::_exit(127);
    }
    std::thread feeder;
    if (pipe_input) {
        ::close(feed[0]);
        feeder = std::thread([fd = feed[1], in_path] {
            std::ifstream f(in_path, std::ios::binary);
            std::vector<char> buf(1 << 16);
            while (f) {
                f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
                const char* p = buf.data();
                auto left = static_cast<std::size_t>(f.gcount());
                while (left > 0) {
                    ssize_t w = ::write(fd, p, left);
                    if (w <= 0) {
                        if (w < 0 && errno == EINTR) continue;
                        ::close(fd);
                        return; // the reader went away
                    }
                    p += w;
                    left -= static_cast<std::size_t>(w);
                }
            }
            ::close(fd);
        });
    }
    struct joiner {
        std::thread& t;
        ~joiner() {
            if (t.joinable()) t.join();
        }
    } join_feeder{feeder};
    measured_result r;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    rusage ru{};
    for (;;) {
        r.own_peak_kib = std::max(r.own_peak_kib, polled_peak_kib(pid, program));
        pid_t w = ::wait4(pid, &status, WNOHANG, &ru);
        if (w == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            r.timed_out = true;
            ::kill(pid, SIGKILL);
            ::wait4(pid, &status, 0, &ru);
            return r;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.max_rss_kib = ru.ru_maxrss;
    return r;
}

/// run_measured_program for pigeon itself.
inline measured_result run_measured(const std::vector<std::string>& args, const std::string& in_path,
                                    const std::string& out_path, const std::string& err_path,
                                    bool pipe_input = false) {
    return run_measured_program(pigeon_cli(), args, in_path, out_path, err_path, pipe_input);
}

inline std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
                          static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 |
                          static_cast<unsigned char>(in[i + 2]);
        out += t[v >> 18];
        out += t[(v >> 12) & 63];
        out += t[(v >> 6) & 63];
        out += t[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        out += t[v >> 18];
        out += t[(v >> 12) & 63];
        out += i + 1 < in.size() ? t[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

/// base64 folded into 76-character CRLF lines.
inline std::string base64_lines(std::string_view in) {
    std::string b = base64(in), out;
    for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
    return out;
}

/// Deterministic pseudo-random bytes (xorshift64*).
inline std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::string out(n, '\0');
    std::uint64_t x = seed | 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out[i] = static_cast<char>((x * 2685821657736338717ull) >> 56);
    }
    return out;
}

/// FNV-1a, 64 bits.
inline std::uint64_t fnv(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

inline std::uint64_t fnv_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> buf(1 << 20);
    std::uint64_t h = 1469598103934665603ull;
    while (f) {
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h = fnv(std::string_view(buf.data(), static_cast<std::size_t>(f.gcount())), h);
    }
    return h;
}

/// A multipart/mixed message: a text part, then one attachment per
/// (filename parameter value as written, content) pair, base64-encoded; a
/// value starting with '*' is an RFC 2231 one ("*=utf-8''...").
inline std::string message_with_attachments(const std::string& subject,
                                            const std::vector<std::pair<std::string, std::string>>& files) {
    std::string m = "From: Sender <sender@example.org>\r\nTo: rcpt@example.net\r\nSubject: " + subject +
                    "\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"b-o-u-n-d\"\r\n\r\n"
                    "--b-o-u-n-d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n";
    for (const auto& [name, content] : files) {
        m += "--b-o-u-n-d\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename" +
             (name.rfind('*', 0) == 0 ? name : "=" + name) + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
             base64_lines(content);
    }
    return m + "--b-o-u-n-d--\r\n";
}

} // namespace pigeon::test::show
