#include "pigeon/oauth2/redirect_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "pigeon/net/error.hpp"
#include "pigeon/oauth2/error.hpp"
#include "pigeon/text/percent.hpp"

namespace pigeon::oauth2 {
namespace {

constexpr std::size_t max_request = 16 * 1024;

/// A query-string name or value: '+' is a blank; any byte may be encoded.
bool decode(std::string_view in, std::string& out) {
    return text::percent_decode(in, out, {.plus_is_space = true, .refuse_line_breaks = false});
}

void send_page(int fd, std::string_view status, std::string_view text) {
    std::string page = "HTTP/1.1 " + std::string(status) +
                       "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(text.size()) + "\r\n\r\n" + std::string(text);
    std::string_view rest = page;
    while (!rest.empty()) {
        ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return d.count() < 0 ? std::chrono::milliseconds(0) : d;
}

/// Reads a request head (up to the blank line) within the deadline.
bool read_head(int fd, std::string& head, std::chrono::steady_clock::time_point deadline) {
    char buf[2048];
    while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left(deadline).count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return !head.empty();
        head.append(buf, static_cast<std::size_t>(n));
        if (head.size() > max_request) return false;
    }
    return true;
}

} // namespace

std::error_code parse_redirect_request(std::string_view line, std::string_view expected_path, redirect_result& out) {
    out = {};
    if (auto cr = line.find_first_of("\r\n"); cr != std::string_view::npos) line = line.substr(0, cr);
    if (line.rfind("GET ", 0) != 0) return errc::bad_redirect;
    line.remove_prefix(4);
    auto sp = line.find(' ');
    if (sp == std::string_view::npos || line.substr(sp + 1).rfind("HTTP/1.", 0) != 0) return errc::bad_redirect;
    std::string_view target = line.substr(0, sp);
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    if (path != expected_path) return std::make_error_code(std::errc::no_such_file_or_directory);
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
        auto eq = pair.find('=');
        std::string name, value;
        if (!decode(pair.substr(0, eq), name)) return errc::bad_redirect;
        if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), value)) return errc::bad_redirect;
        if (name == "code") out.code = value;
        else if (name == "state") out.state = value;
        else if (name == "error") out.error = value;
        else if (name == "error_description") out.error_description = value;
    }
    if (out.code.empty() && out.error.empty()) return errc::bad_redirect;
    return {};
}

redirect_listener::redirect_listener(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw net::transport_error(net::errc::io_error, std::string("socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw net::transport_error(net::errc::connect_failed,
                                   std::string("cannot listen on 127.0.0.1 for the redirect: ") + std::strerror(err));
    }
    port_ = ntohs(a.sin_port);
}

redirect_listener::~redirect_listener() {
    if (fd_ >= 0) ::close(fd_);
}

std::string redirect_listener::redirect_uri() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

redirect_result redirect_listener::wait(std::chrono::milliseconds timeout, std::error_code& ec) {
    ec.clear();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left(deadline).count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            ec = errc::timeout;
            return {};
        }
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        std::string head;
        // One client gets at most 10 s to send its request.
        auto client_deadline = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(10));
        redirect_result res;
        std::error_code pec = read_head(c, head, client_deadline) ? parse_redirect_request(head, "/", res)
                                                                   : make_error_code(errc::bad_redirect);
        if (pec == std::errc::no_such_file_or_directory) {
            send_page(c, "404 Not Found", "not found\n");
            ::close(c);
            continue;
        }
        if (pec) {
            send_page(c, "400 Bad Request", "pigeon: this is not an authorization response.\n");
            ::close(c);
            ec = pec;
            return {};
        }
        send_page(c, "200 OK",
                  res.error.empty() ? "pigeon: authorization received. You may close this window.\n"
                                    : "pigeon: the authorization was not given. You may close this window.\n");
        ::close(c);
        return res;
    }
}

} // namespace pigeon::oauth2
