#include "support/cutting_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace pigeon::test {

namespace {

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

/// Writes everything (blocking); false when the peer is gone.
bool write_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= static_cast<std::size_t>(k);
    }
    return true;
}

} // namespace

struct cutting_proxy::impl {
    int listen_fd = -1;
    std::uint16_t port = 0;
    std::uint16_t target = 0;
    std::atomic<bool> stop{false};
    mutable std::mutex m;
    std::condition_variable idle_cv;
    std::optional<std::uint64_t> cut;
    std::chrono::milliseconds delay{0};
    int open = 0;
    std::uint64_t accepted = 0;
    std::uint64_t last_bytes = 0;
    bool last_cut = false;
    std::thread acceptor;
    std::list<std::thread> workers;

    void accept_loop() {
        while (!stop.load()) {
            pollfd p{listen_fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            std::optional<std::uint64_t> my_cut;
            std::chrono::milliseconds my_delay{0};
            {
                std::lock_guard<std::mutex> g(m);
                ++open;
                ++accepted;
                my_cut = cut;
                my_delay = delay;
                workers.emplace_back([this, c, my_cut, my_delay] { forward(c, my_cut, my_delay); });
            }
        }
    }

    int connect_target() const {
        int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) return -1;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(target);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(s);
            return -1;
        }
        int one = 1;
        ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return s;
    }

    void forward(int client, std::optional<std::uint64_t> cut_after, std::chrono::milliseconds wait) {
        int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int server = connect_target();
        std::uint64_t sent = 0;
        bool was_cut = false;
        bool client_in = true, server_in = server >= 0;
        char buf[16384];
        auto do_cut = [&] {
            // The bytes so far, then FIN to the client; read what it still
            // sends (so that closing does not turn into a reset that could
            // take the last bytes with it) until it closes.
            was_cut = true;
            close_fd(server);
            ::shutdown(client, SHUT_WR);
            auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (!stop.load() && std::chrono::steady_clock::now() < until) {
                pollfd p{client, POLLIN, 0};
                if (::poll(&p, 1, 50) <= 0) continue;
                if (::recv(client, buf, sizeof buf, 0) <= 0) break;
            }
            client_in = server_in = false;
        };
        if (server < 0) client_in = false;
        if (cut_after && *cut_after == 0 && server >= 0) do_cut();
        while (!stop.load() && (client_in || server_in)) {
            pollfd p[2];
            nfds_t n = 0;
            int ic = -1, is = -1;
            if (client_in) {
                p[n] = {client, POLLIN, 0};
                ic = static_cast<int>(n++);
            }
            if (server_in) {
                p[n] = {server, POLLIN, 0};
                is = static_cast<int>(n++);
            }
            if (::poll(p, n, 50) <= 0) continue;
            if (ic >= 0 && (p[ic].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t k = ::recv(client, buf, sizeof buf, 0);
                if (k <= 0) {
                    client_in = false;
                    if (server >= 0) ::shutdown(server, SHUT_WR);
                } else if (server < 0 || !write_all(server, buf, static_cast<std::size_t>(k))) {
                    client_in = false;
                }
            }
            if (is >= 0 && (p[is].revents & (POLLIN | POLLHUP | POLLERR))) {
                std::size_t want = sizeof buf;
                if (cut_after) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *cut_after - sent));
                ssize_t k = ::recv(server, buf, want, 0);
                if (k <= 0) {
                    server_in = false;
                    ::shutdown(client, SHUT_WR);
                } else {
                    if (wait.count() > 0) std::this_thread::sleep_for(wait);
                    if (!write_all(client, buf, static_cast<std::size_t>(k))) {
                        server_in = client_in = false;
                    } else {
                        sent += static_cast<std::uint64_t>(k);
                        if (cut_after && sent >= *cut_after) do_cut();
                    }
                }
            }
        }
        close_fd(server);
        ::close(client);
        {
            std::lock_guard<std::mutex> g(m);
            last_bytes = sent;
            last_cut = was_cut;
            --open;
        }
        idle_cv.notify_all();
    }
};

cutting_proxy::cutting_proxy(std::uint16_t target_port) : impl_(std::make_unique<impl>()) {
    impl_->target = target_port;
    impl_->listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (impl_->listen_fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(impl_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(impl_->listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(impl_->listen_fd, 16) != 0 ||
        ::getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        std::string why = std::strerror(errno);
        ::close(impl_->listen_fd);
        throw std::runtime_error("cutting_proxy: cannot listen: " + why);
    }
    impl_->port = ntohs(a.sin_port);
    impl_->acceptor = std::thread([p = impl_.get()] { p->accept_loop(); });
}

cutting_proxy::~cutting_proxy() {
    impl_->stop.store(true);
    if (impl_->acceptor.joinable()) impl_->acceptor.join();
    std::list<std::thread> ws;
    {
        std::lock_guard<std::mutex> g(impl_->m);
        ws.swap(impl_->workers);
    }
    for (auto& t : ws) t.join();
    ::close(impl_->listen_fd);
}

std::uint16_t cutting_proxy::port() const noexcept { return impl_->port; }

void cutting_proxy::set_cut(std::optional<std::uint64_t> n) {
    std::lock_guard<std::mutex> g(impl_->m);
    impl_->cut = n;
}

void cutting_proxy::set_delay(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> g(impl_->m);
    impl_->delay = d;
}

bool cutting_proxy::wait_idle(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> l(impl_->m);
    return impl_->idle_cv.wait_for(l, limit, [&] { return impl_->open == 0; });
}

std::uint64_t cutting_proxy::last_bytes() const {
    std::lock_guard<std::mutex> g(impl_->m);
    return impl_->last_bytes;
}

bool cutting_proxy::last_cut() const {
    std::lock_guard<std::mutex> g(impl_->m);
    return impl_->last_cut;
}

std::uint64_t cutting_proxy::connections() const {
    std::lock_guard<std::mutex> g(impl_->m);
    return impl_->accepted;
}

} // namespace pigeon::test
