#pragma once
// A scripted proxy on 127.0.0.1 for the proxy fake tests: for each
// connection it plays a list of steps — expect these exact bytes, send
// these, sleep, close, stall until the client goes, or relay to a port (the
// tunnel, to a script_server). Every wait is bounded (5 s per read, 10 s of
// relaying) and the destructor interrupts the thread.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace pigeon::test {

struct proxy_step {
    enum class kind { expect, take, send, sleep, close, stall, relay };
    kind what;
    std::string bytes;   // expect / send
    int value = 0;       // sleep: ms; relay: port

    static proxy_step expect(std::string b) { return {kind::expect, std::move(b), 0}; }
    /// Reads n bytes whatever they are (kept in received()).
    static proxy_step take(int n) { return {kind::take, std::string(static_cast<std::size_t>(n), '?'), n}; }
    static proxy_step send(std::string b) { return {kind::send, std::move(b), 0}; }
    static proxy_step sleep(int ms) { return {kind::sleep, {}, ms}; }
    static proxy_step close() { return {kind::close, {}, 0}; }
    static proxy_step stall() { return {kind::stall, {}, 0}; }
    static proxy_step relay(unsigned short port) { return {kind::relay, {}, port}; }
};

/// Bytes from a list of numbers (SOCKS5 messages).
inline std::string octets(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

class fake_proxy {
public:
    explicit fake_proxy(std::vector<proxy_step> steps) : steps_(std::move(steps)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 4) != 0) {
            error_ = "cannot listen";
            return;
        }
        socklen_t len = sizeof sa;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~fake_proxy() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    fake_proxy(const fake_proxy&) = delete;
    fake_proxy& operator=(const fake_proxy&) = delete;

    unsigned short port() const { return port_; }
    /// Waits for the script to end; "" when every step passed.
    std::string wait() {
        if (thread_.joinable()) thread_.join();
        return error_;
    }
    /// Every byte the client sent before any relay.
    std::string received() {
        wait();
        return received_;
    }
    /// Whether a client connected at all.
    bool accepted() {
        wait();
        return accepted_;
    }

private:
    using clock = std::chrono::steady_clock;

    // Waits for fd to be ready (events) up to deadline, giving up when stopped.
    bool ready(int fd, short events, clock::time_point deadline) {
        while (!stop_ && clock::now() < deadline) {
            pollfd p{fd, events, 0};
            int r = ::poll(&p, 1, 20);
            if (r > 0) return true;
        }
        return false;
    }

    void run() {
        const auto accept_deadline = clock::now() + std::chrono::seconds(10);
        if (!ready(fd_, POLLIN, accept_deadline)) {
            error_ = "no client connected";
            return;
        }
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
            error_ = "accept failed";
            return;
        }
        accepted_ = true;
        play(c);
        ::close(c);
    }

    void play(int c) {
        for (std::size_t i = 0; i < steps_.size(); ++i) {
            const auto& s = steps_[i];
            const std::string where = "proxy step " + std::to_string(i + 1) + ": ";
            switch (s.what) {
            case proxy_step::kind::take:
            case proxy_step::kind::expect: {
                std::string got;
                const auto deadline = clock::now() + std::chrono::seconds(5);
                while (got.size() < s.bytes.size()) {
                    if (!ready(c, POLLIN, deadline)) {
                        error_ = where + "timed out waiting for the client";
                        return;
                    }
                    char buf[512];
                    ssize_t n = ::recv(c, buf, std::min(sizeof buf, s.bytes.size() - got.size()), 0);
                    if (n <= 0) {
                        error_ = where + "client closed after " + std::to_string(got.size()) + " bytes";
                        return;
                    }
                    got.append(buf, static_cast<std::size_t>(n));
                }
                received_ += got;
                if (s.what == proxy_step::kind::expect && got != s.bytes) {
                    error_ = where + "unexpected bytes from the client";
                    return;
                }
                break;
            }
            case proxy_step::kind::send:
                if (::send(c, s.bytes.data(), s.bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(s.bytes.size())) {
                    error_ = where + "send failed";
                    return;
                }
                break;
            case proxy_step::kind::sleep: {
                const auto until = clock::now() + std::chrono::milliseconds(s.value);
                while (!stop_ && clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                break;
            }
            case proxy_step::kind::close: return;
            case proxy_step::kind::stall: {
                // Until the client gives up and closes (bounded).
                const auto deadline = clock::now() + std::chrono::seconds(10);
                while (ready(c, POLLIN, deadline)) {
                    char buf[256];
                    if (::recv(c, buf, sizeof buf, 0) <= 0) return;
                }
                error_ = where + "the client never gave up";
                return;
            }
            case proxy_step::kind::relay: relay(c, static_cast<unsigned short>(s.value), where); return;
            }
        }
    }

    void relay(int c, unsigned short port, const std::string& where) {
        int t = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons(port);
        if (::connect(t, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
            error_ = where + "cannot reach the server";
            ::close(t);
            return;
        }
        const auto deadline = clock::now() + std::chrono::seconds(10);
        while (!stop_ && clock::now() < deadline) {
            pollfd p[2] = {{c, POLLIN, 0}, {t, POLLIN, 0}};
            if (::poll(p, 2, 20) <= 0) continue;
            for (int k = 0; k < 2; ++k) {
                if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                char buf[16384];
                ssize_t n = ::recv(p[k].fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    ::close(t);
                    return;
                }
                ::send(p[1 - k].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
            }
        }
        ::close(t);
    }

    std::vector<proxy_step> steps_;
    int fd_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::string error_;
    std::string received_;
    bool accepted_ = false;
};

} // namespace pigeon::test
