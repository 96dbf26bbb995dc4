// pigeon-script-server run as a separate process, as the CLI tests use it.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string server_exe = PIGEON_BINARY_DIR "/tests/pigeon-script-server";

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "pigeon-cli-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp");
        path = buf.data();
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

struct process {
    pid_t pid = -1;
    int status = -1;

    explicit process(std::vector<std::string> args, const std::string& stderr_file) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("posix_spawn failed");
    }
    /// Exit status, or -1 if it did not exit within the time (then killed).
    int wait_exit(std::chrono::milliseconds limit) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            int st = 0;
            if (::waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            }
            std::this_thread::sleep_for(10ms);
        }
        return -1;
    }
    ~process() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Polls for a file written by the server process.
std::string wait_for_file(const fs::path& p) {
    for (int i = 0; i < 500; ++i) {
        if (fs::exists(p)) return slurp(p);
        std::this_thread::sleep_for(10ms);
    }
    return {};
}

int connect_port(unsigned short port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string recv_line(int fd) {
    std::string out;
    char c;
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 3000) > 0 && ::recv(fd, &c, 1, 0) == 1) {
        out += c;
        if (c == '\n') break;
    }
    return out;
}

} // namespace

TEST_CASE("pigeon-script-server: port file, CA file, exit status") {
    REQUIRE_MESSAGE(fs::exists(server_exe), "pigeon-script-server not built");
    temp_dir dir;
    const fs::path script = dir.path / "s.txt";
    std::ofstream(script) << "S: 220 cli\nC: EHLO x\nS: 250 ok\n";
    const fs::path port_file = dir.path / "port";
    const fs::path ca_file = dir.path / "ca.pem";
    const fs::path err_file = dir.path / "stderr";

    SUBCASE("a passing script exits 0") {
        process p({server_exe, script.string(), "--port-file", port_file.string(), "--ca-file", ca_file.string()},
                  err_file.string());
        std::string port_text = wait_for_file(port_file);
        REQUIRE(!port_text.empty());
        CHECK(port_text.back() == '\n');
        // The CA file is complete before the port is published.
        CHECK(slurp(ca_file).find("-----END CERTIFICATE-----") != std::string::npos);
        int fd = connect_port(static_cast<unsigned short>(std::stoi(port_text)));
        REQUIRE(fd >= 0);
        CHECK(recv_line(fd) == "220 cli\r\n");
        ::send(fd, "EHLO x\r\n", 8, MSG_NOSIGNAL);
        CHECK(recv_line(fd) == "250 ok\r\n");
        ::close(fd);
        CHECK(p.wait_exit(5s) == 0);
        CHECK(slurp(err_file).empty());
    }
    SUBCASE("a failing script exits 1 with the error on stderr") {
        process p({server_exe, script.string(), "--port-file", port_file.string(), "--timeout", "2000"},
                  err_file.string());
        std::string port_text = wait_for_file(port_file);
        REQUIRE(!port_text.empty());
        int fd = connect_port(static_cast<unsigned short>(std::stoi(port_text)));
        REQUIRE(fd >= 0);
        recv_line(fd);
        ::send(fd, "HELO x\r\n", 8, MSG_NOSIGNAL);
        CHECK(p.wait_exit(5s) == 1);
        ::close(fd);
        CHECK(slurp(err_file).find("script line 2: expected \"EHLO x\", got \"HELO x\"") != std::string::npos);
    }
    SUBCASE("a syntax error exits 2") {
        std::ofstream(script, std::ios::trunc) << "BOGUS\n";
        process p({server_exe, script.string(), "--port-file", port_file.string()}, err_file.string());
        CHECK(p.wait_exit(5s) == 2);
        CHECK(slurp(err_file).find("script line 1: unknown directive: BOGUS") != std::string::npos);
        CHECK_FALSE(fs::exists(port_file));
    }
}
