#include "pigeon/net/proxy_tunnel.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "pigeon/net/error.hpp"
#include "pigeon/net/http_connect_handshake.hpp"
#include "pigeon/net/socks5_handshake.hpp"

namespace pigeon::net {
namespace {

void note(const trace_options& t, const std::string& text) {
    if (t.hook) t.hook(trace_direction::info, "proxy: " + text);
}

// Words for an I/O failure in the middle of a handshake.
std::string io_detail(const std::error_code& ec, const char* what) {
    if (ec == errc::connection_closed) return std::string("closed the connection during the ") + what + " handshake";
    if (ec == errc::timeout) return std::string("no complete answer to the ") + what + " handshake in time";
    return std::string(what) + " handshake failed";
}

// Sends out (when not empty) and clears it.
bool flush(stream& s, std::string& out, std::error_code& ec) {
    if (out.empty()) return true;
    s.write_all(out.data(), out.size(), ec);
    out.clear();
    return !ec;
}

std::error_code run_socks5(stream& s, const proxy_options& proxy, const std::string& host, unsigned short port,
                           const trace_options& trace, std::string& detail) {
    socks5_request req;
    req.host = host;
    req.port = port;
    req.user = proxy.user;
    req.password = proxy.password;
    req.remote_dns = proxy.kind == proxy_kind::socks5h;
    if (!req.remote_dns) {
        std::error_code ec;
        auto addrs = resolve_addresses(host, ec);
        if (ec) {
            detail = "cannot resolve " + host + " (socks5:// resolves names here; socks5h:// lets the proxy)";
            return ec;
        }
        const std::string& addr = addrs.front();
        if (addr != host) note(trace, "SOCKS5: " + host + " resolved here to " + addr);
        req.host = addr;
    }
    socks5_handshake hs(req);
    std::string out;
    if (auto ec = hs.start(out)) {
        detail = "SOCKS5 cannot carry this request (host name or credentials longer than 255 bytes?)";
        return ec;
    }
    note(trace, std::string("SOCKS5 greeting, methods offered: ") +
                    (proxy.user.empty() ? "none" : "none, username/password"));
    std::error_code ec;
    if (!flush(s, out, ec)) {
        detail = io_detail(ec, "SOCKS5");
        return ec;
    }
    auto stage = hs.current();
    char buf[512];
    for (;;) {
        std::size_t want = hs.max_read();
        std::size_t n = s.read_some(buf, std::min(want, sizeof buf), ec);
        if (ec) {
            detail = io_detail(ec, "SOCKS5");
            return ec;
        }
        std::size_t used = 0;
        auto st = hs.feed(std::string_view(buf, n), used, out, ec);
        if (hs.current() != stage) {
            // Report each step once: the method chosen, the login, CONNECT.
            if (stage == socks5_handshake::stage::greeting && hs.method() >= 0)
                note(trace, std::string("SOCKS5 method chosen: ") +
                                (hs.method() == socks5_user_password ? "username/password" : "none"));
            if (hs.current() == socks5_handshake::stage::auth)
                note(trace, "SOCKS5 login as " + proxy.user + ", password " +
                                (trace.show_secrets ? proxy.password : std::string(redacted)));
            if (hs.current() == socks5_handshake::stage::connect)
                note(trace, "SOCKS5 CONNECT " + hs.destination() + " port " + std::to_string(port));
            stage = hs.current();
        }
        if (st == socks5_handshake::status::failed) {
            detail = hs.detail();
            return ec;
        }
        if (!flush(s, out, ec)) {
            detail = io_detail(ec, "SOCKS5");
            return ec;
        }
        if (st == socks5_handshake::status::done) {
            note(trace, "SOCKS5 tunnel open (proxy bound " + hs.bound() + ")");
            return {};
        }
    }
}

std::error_code run_http(stream& s, const proxy_options& proxy, const std::string& host, unsigned short port,
                         const trace_options& trace, std::string& detail) {
    http_connect_request req;
    req.host = host;
    req.port = port;
    req.user = proxy.user;
    req.password = proxy.password;
    http_connect_handshake hs(req);
    std::string out;
    if (auto ec = hs.start(out)) {
        detail = "HTTP CONNECT cannot carry this request (a ':' in the proxy user name?)";
        return ec;
    }
    if (trace.hook)
        for (const auto& l : hs.request_lines(trace.show_secrets)) trace.hook(trace_direction::sent, l);
    std::error_code ec;
    if (!flush(s, out, ec)) {
        detail = io_detail(ec, "HTTP CONNECT");
        return ec;
    }
    std::size_t traced = 0;
    char buf[2];
    for (;;) {
        std::size_t n = s.read_some(buf, std::min(hs.max_read(), sizeof buf), ec);
        if (ec) {
            detail = io_detail(ec, "HTTP CONNECT");
            return ec;
        }
        std::size_t used = 0;
        auto st = hs.feed(std::string_view(buf, n), used, ec);
        if (trace.hook)
            for (; traced < hs.reply_lines().size(); ++traced)
                trace.hook(trace_direction::received, hs.reply_lines()[traced]);
        if (st == http_connect_handshake::status::failed) {
            detail = hs.detail();
            return ec;
        }
        if (st == http_connect_handshake::status::done) {
            note(trace, "HTTP CONNECT tunnel open");
            return {};
        }
    }
}

} // namespace

std::vector<std::string> resolve_addresses(const std::string& host, std::error_code& ec) {
    std::vector<std::string> out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int gai = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (gai != 0 || !res) {
        ec = gai == EAI_AGAIN ? errc::connect_failed : errc::resolve_failed;
        return out;
    }
    for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
        char text[NI_MAXHOST] = {};
        if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) continue;
        if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
    }
    ::freeaddrinfo(res);
    if (out.empty()) ec = errc::resolve_failed;
    else ec.clear();
    return out;
}

std::error_code open_proxy_tunnel(stream& s, const proxy_options& proxy, const std::string& host,
                                  unsigned short port, const trace_options& trace, std::string& detail) {
    detail.clear();
    switch (proxy.kind) {
    case proxy_kind::socks5:
    case proxy_kind::socks5h: return run_socks5(s, proxy, host, port, trace, detail);
    case proxy_kind::http: return run_http(s, proxy, host, port, trace, detail);
    case proxy_kind::none: break;
    }
    return {};
}

} // namespace pigeon::net
