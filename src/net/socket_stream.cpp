// TCP and TLS. Sockets are non-blocking; every operation waits with poll()
// up to the limit its io_deadline gives (a fixed instant, or the progress
// rule: moved on by every byte that moves). cancel() sets a flag and shuts
// the socket down, which wakes any poll() at once without touching the TLS
// state from the cancelling thread. TLS runs over a BIO that sends with
// MSG_NOSIGNAL, so a closed peer is an error, never a SIGPIPE.
#include "pigeon/net/socket_stream.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "detail/tls_context.hpp"
#include "detail/wait.hpp"
#include "pigeon/net/error.hpp"

namespace pigeon::net {

using detail::clock;
using detail::wait_fd;

namespace {

void set_nodelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string numeric_address(const sockaddr* sa, socklen_t len) {
    char host[NI_MAXHOST] = {};
    if (::getnameinfo(sa, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return {};
    return host;
}

// Tries one address; returns the connected fd or -1 with ec set.
int try_connect(const addrinfo* ai, const connect_options& opts, std::error_code& ec) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        ec = errc::connect_failed;
        return -1;
    }
    if (!opts.source_address.empty()) {
        addrinfo hints{};
        hints.ai_family = ai->ai_family;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
        addrinfo* src = nullptr;
        if (::getaddrinfo(opts.source_address.c_str(), nullptr, &hints, &src) != 0 || !src) {
            ::close(fd);
            ec = errc::connect_failed;
            return -1;
        }
        int rb = ::bind(fd, src->ai_addr, src->ai_addrlen);
        ::freeaddrinfo(src);
        if (rb != 0) {
            ::close(fd);
            ec = errc::connect_failed;
            return -1;
        }
    }
    auto deadline = clock::now() + opts.connect_timeout;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            ::close(fd);
            ec = errc::connect_failed;
            return -1;
        }
        std::error_code wec;
        if (!wait_fd(fd, POLLOUT, deadline, wec)) {
            ::close(fd);
            ec = wec == errc::timeout ? errc::connect_timeout : errc::connect_failed;
            return -1;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            ::close(fd);
            ec = err == ETIMEDOUT ? errc::connect_timeout : errc::connect_failed;
            return -1;
        }
    }
    ec.clear();
    return fd;
}

} // namespace

// ---- TLS state ------------------------------------------------------------

struct socket_stream::tls_state {
    detail::ssl_ptr ssl;
    tls_info info;
};

socket_stream::socket_stream(int fd, std::string host, std::string peer, const connect_options& opts, bool tcp)
    : fd_(fd), tcp_(tcp), host_(std::move(host)), peer_(std::move(peer)), opts_(opts) {
    // Used on its own (without a channel), a stream keeps the old rule: every
    // call may wait io_timeout for progress.
    deadline_ = io_deadline::progress(opts.io_timeout);
}

socket_stream::~socket_stream() { close(); }

std::unique_ptr<socket_stream> socket_stream::connect(const std::string& host, unsigned short port,
                                                      const connect_options& opts, std::error_code& ec) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string service = std::to_string(port);
    int gai = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (gai != 0 || !res) {
        ec = gai == EAI_AGAIN ? errc::connect_failed : errc::resolve_failed;
        return nullptr;
    }
    std::error_code last = errc::connect_failed;
    bool any_timeout = false;
    for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
        std::error_code one;
        int fd = try_connect(ai, opts, one);
        if (fd >= 0) {
            set_nodelay(fd);
            std::string peer = numeric_address(ai->ai_addr, ai->ai_addrlen);
            ::freeaddrinfo(res);
            ec.clear();
            return std::unique_ptr<socket_stream>(new socket_stream(fd, host, peer, opts, true));
        }
        if (one == errc::connect_timeout) any_timeout = true;
        last = one;
    }
    ::freeaddrinfo(res);
    ec = any_timeout ? std::error_code(errc::connect_timeout) : last;
    return nullptr;
}

std::unique_ptr<socket_stream> socket_stream::connect_unix(const std::string& path, const connect_options& opts,
                                                           std::error_code& ec) {
    sockaddr_un sa{};
    if (path.size() >= sizeof sa.sun_path) {
        ec = errc::bad_url;
        return nullptr;
    }
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ec = errc::connect_failed;
        return nullptr;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            ::close(fd);
            ec = errc::connect_failed;
            return nullptr;
        }
        std::error_code wec;
        if (!wait_fd(fd, POLLOUT, clock::now() + opts.connect_timeout, wec)) {
            ::close(fd);
            ec = errc::connect_timeout;
            return nullptr;
        }
    }
    ec.clear();
    return std::unique_ptr<socket_stream>(new socket_stream(fd, "localhost", path, opts, false));
}

std::size_t socket_stream::read_some(char* buf, std::size_t cap, std::error_code& ec) {
    // No quick-ACK after a read that got bytes: only before each wait
    // (read_once, wait_readable), where a peer that writes in pieces with
    // Nagle's algorithm may be waiting for our ACK. A setsockopt per read
    // was a third of the system calls of a bulk transfer.
    std::size_t n = read_once(buf, cap, ec);
    if (ec && cancelled_.load(std::memory_order_acquire)) ec = errc::cancelled;
    return n;
}

std::size_t socket_stream::read_once(char* buf, std::size_t cap, std::error_code& ec) {
    ec.clear();
    if (cancelled_.load(std::memory_order_acquire)) {
        ec = errc::cancelled;
        return 0;
    }
    if (fd_ < 0) {
        ec = errc::connection_closed;
        return 0;
    }
    // Progress rule: counted from the start of the call and from every wake
    // of poll() (bytes arrived: under TLS a 16 KiB record may trickle in for
    // a long time before SSL_read has anything to return).
    auto deadline = deadline_.limit(clock::now());
    if (tls_) {
        SSL* ssl = tls_->ssl.get();
        for (;;) {
            std::size_t got = 0;
            ERR_clear_error();
            if (SSL_read_ex(ssl, buf, cap, &got) == 1) return got;
            int err = SSL_get_error(ssl, 0);
            if (err == SSL_ERROR_WANT_READ) {
                // Before waiting, acknowledge what the TLS layer read
                // (records that were not application data, such as session
                // tickets, end here without returning to read_some).
                if (tcp_) detail::quick_ack(fd_);
                if (!wait_fd(fd_, POLLIN, deadline, ec)) return 0;
                deadline = deadline_.limit(clock::now());
            } else if (err == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(fd_, POLLOUT, deadline, ec)) return 0;
                deadline = deadline_.limit(clock::now());
            } else if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL ||
                       ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                ERR_clear_error();
                ec = errc::connection_closed;
                return 0;
            } else {
                ERR_clear_error();
                ec = errc::io_error;
                return 0;
            }
        }
    }
    for (;;) {
        ssize_t r = ::recv(fd_, buf, cap, 0);
        if (r > 0) return static_cast<std::size_t>(r);
        if (r == 0) {
            ec = errc::connection_closed;
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (tcp_) detail::quick_ack(fd_);
            if (!wait_fd(fd_, POLLIN, deadline, ec)) return 0;
            continue;
        }
        ec = (errno == ECONNRESET) ? std::error_code(errc::connection_closed) : std::error_code(errc::io_error);
        return 0;
    }
}

bool socket_stream::wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) {
    ec.clear();
    if (fd_ < 0) {
        ec = errc::connection_closed;
        return false;
    }
    // SSL_has_pending, not SSL_pending: with read-ahead, whole records not
    // yet decrypted can be buffered while the socket is empty.
    if (tls_ && SSL_has_pending(tls_->ssl.get())) return true;
    if (tcp_) detail::quick_ack(fd_);
    pollfd p{fd_, POLLIN, 0};
    const auto ms = std::clamp<long long>(timeout.count(), 0, 24LL * 3600 * 1000);
    for (;;) {
        int r = ::poll(&p, 1, static_cast<int>(ms));
        if (r > 0) return true;  // data, EOF or an error: read_some says which
        if (r == 0) return false;
        if (errno != EINTR) {
            ec = errc::io_error;
            return false;
        }
    }
}

void socket_stream::write_all(const char* data, std::size_t n, std::error_code& ec) {
    write_once(data, n, ec);
    if (ec && cancelled_.load(std::memory_order_acquire)) ec = errc::cancelled;
}

void socket_stream::write_once(const char* data, std::size_t n, std::error_code& ec) {
    ec.clear();
    if (cancelled_.load(std::memory_order_acquire)) {
        ec = errc::cancelled;
        return;
    }
    if (fd_ < 0) {
        ec = errc::connection_closed;
        return;
    }
    // Progress rule: every byte the kernel takes moves the limit on, and so
    // does a full socket becoming writable again (its bytes left; under TLS
    // SSL_write reports nothing until the whole buffer is written).
    auto deadline = deadline_.limit(clock::now());
    auto moved = [&](std::size_t k) {
        data += k;
        n -= k;
        if (k > 0) deadline = deadline_.limit(clock::now());
    };
    while (n > 0) {
        if (tls_) {
            SSL* ssl = tls_->ssl.get();
            std::size_t put = 0;
            ERR_clear_error();
            if (SSL_write_ex(ssl, data, n, &put) == 1) {
                moved(put);
                continue;
            }
            int err = SSL_get_error(ssl, 0);
            if (err == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(fd_, POLLOUT, deadline, ec)) return;
                deadline = deadline_.limit(clock::now());
            } else if (err == SSL_ERROR_WANT_READ) {
                if (!wait_fd(fd_, POLLIN, deadline, ec)) return;
                deadline = deadline_.limit(clock::now());
            } else {
                ERR_clear_error();
                ec = errc::connection_closed;
                return;
            }
            continue;
        }
        ssize_t r = ::send(fd_, data, n, MSG_NOSIGNAL);
        if (r >= 0) {
            moved(static_cast<std::size_t>(r));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_fd(fd_, POLLOUT, deadline, ec)) return;
            continue;
        }
        ec = (errno == EPIPE || errno == ECONNRESET) ? std::error_code(errc::connection_closed)
                                                      : std::error_code(errc::io_error);
        return;
    }
}

void socket_stream::start_tls(const tls_options& opts, std::error_code& ec) {
    ec.clear();
    tls_detail_.clear();
    if (fd_ < 0) {
        ec = errc::connection_closed;
        return;
    }
    if (tls_) {
        ec = errc::tls_already_active;
        return;
    }
    if (cancelled_.load(std::memory_order_acquire)) {
        ec = errc::cancelled;
        return;
    }
    std::string name = opts.server_name.empty() ? host_ : opts.server_name;
    detail::handshake_result hr = detail::client_handshake(fd_, name, opts, deadline_.limit(clock::now()));
    if (hr.ec) {
        ec = hr.ec;
        tls_detail_ = hr.detail;
        if (cancelled_.load(std::memory_order_acquire)) {
            ec = errc::cancelled;
            tls_detail_.clear();
        }
        return;
    }
    tls_ = std::make_unique<tls_state>();
    tls_->ssl = std::move(hr.ssl);
    tls_->info = std::move(hr.info);
}

const tls_info* socket_stream::tls() const noexcept { return tls_ ? &tls_->info : nullptr; }

void socket_stream::cancel() noexcept {
    cancelled_.store(true, std::memory_order_release);
    // Wakes a poll() in another thread (POLLIN and POLLOUT both report the
    // shut-down socket); the call then sees the flag. Nothing of the TLS
    // state is touched here.
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void socket_stream::close() noexcept {
    if (tls_) {
        ERR_clear_error();
        SSL_shutdown(tls_->ssl.get()); // best effort close_notify, never waits
        ERR_clear_error();
        tls_.reset();
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

} // namespace pigeon::net
