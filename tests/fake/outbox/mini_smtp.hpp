#pragma once
// A small in-test SMTP server on 127.0.0.1 for the alert mailer's tests:
// clear text, any number of connections one after another, and two moods:
// `answer` takes every message (kept in messages()), `stall` accepts
// connections and never says a word. Every wait has a deadline; the
// destructor stops the thread and closes every socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pigeon::test {

class mini_smtp {
public:
    enum class mood { answer, stall };

    /// Listens on `port` (0: any free one).
    explicit mini_smtp(mood m, unsigned short port = 0) : mood_(m) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        socklen_t len = sizeof a;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("bind/listen");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    mini_smtp(const mini_smtp&) = delete;
    mini_smtp& operator=(const mini_smtp&) = delete;
    ~mini_smtp() {
        stop_ = true;
        thread_.join();
        for (int fd : held_) ::close(fd);
        ::close(listen_fd_);
    }

    unsigned short port() const { return port_; }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> messages() const {
        std::lock_guard lk(mu_);
        return messages_;
    }
    int connections() const { return connections_; }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static unsigned short closed_port() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(fd);
        return ntohs(a.sin_port);
    }

private:
    bool readable(int fd) const {
        while (!stop_) {
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, 50);
            if (r > 0) return true;
            if (r < 0) return false;
        }
        return false;
    }

    void run() {
        while (!stop_) {
            if (!readable(listen_fd_)) return;
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++connections_;
            if (mood_ == mood::stall) {
                held_.push_back(fd);  // never answered, closed by the destructor
                continue;
            }
            serve(fd);
            ::close(fd);
        }
    }

    bool say(int fd, const std::string& s) { return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()); }

    // One line without CRLF; false on EOF, error or stop.
    bool line(int fd, std::string& buf, std::string& out) {
        for (;;) {
            if (const auto p = buf.find("\r\n"); p != std::string::npos) {
                out = buf.substr(0, p);
                buf.erase(0, p + 2);
                return true;
            }
            if (buf.size() > 1'000'000 || !readable(fd)) return false;
            char tmp[4096];
            const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
            if (n <= 0) return false;
            buf.append(tmp, size_t(n));
        }
    }

    void serve(int fd) {
        std::string buf, l;
        if (!say(fd, "220 mini ESMTP\r\n")) return;
        while (line(fd, buf, l)) {
            const std::string verb = l.substr(0, 4);
            if (verb == "EHLO" || verb == "HELO") say(fd, "250 mini\r\n");
            else if (verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP") say(fd, "250 ok\r\n");
            else if (verb == "QUIT") {
                say(fd, "221 bye\r\n");
                return;
            } else if (verb == "DATA") {
                say(fd, "354 go\r\n");
                std::string msg;
                while (line(fd, buf, l) && l != ".") msg += (l.rfind("..", 0) == 0 ? l.substr(1) : l) + "\n";
                {
                    std::lock_guard lk(mu_);
                    messages_.push_back(msg);
                }
                say(fd, "250 queued\r\n");
            } else say(fd, "502 no\r\n");
        }
    }

    mood mood_;
    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::vector<int> held_;
    mutable std::mutex mu_;
    std::vector<std::string> messages_;
    std::thread thread_;
};

} // namespace pigeon::test
