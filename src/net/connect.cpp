#include "pigeon/net/connect.hpp"

#include "pigeon/net/error.hpp"
#include "pigeon/net/proxy_tunnel.hpp"

namespace pigeon::net {
namespace {

// The channel's set-up after the connection (and tunnel) is there.
channel finish(std::unique_ptr<socket_stream> s, const endpoint& ep, const session_options& opts,
               const std::string& note) {
    channel ch(std::move(s), opts.limits);
    ch.set_timeouts({opts.connect.io_timeout, opts.connect.io_timeout});
    ch.set_trace(opts.trace);
    if (!note.empty()) ch.trace_info(note);
    if (ep.tls == tls_mode::implicit) {
        tls_options t = opts.tls;
        if (t.server_name.empty()) t.server_name = ep.host;
        ch.start_tls(t);
    }
    return ch;
}

// One attempt: connect to the proxy, ask it for host:port. Returns the
// stream, or nullptr with ec and what (the message) set.
std::unique_ptr<socket_stream> try_proxy(const endpoint& ep, const std::string& host, const std::string& where,
                                         const session_options& opts, std::error_code& ec, std::string& what) {
    const proxy_options& p = opts.proxy;
    const std::string proxy_where = "proxy " + p.where();
    auto s = socket_stream::connect(p.host, p.port, opts.connect, ec);
    if (!s) {
        what = "cannot connect to " + proxy_where;
        return nullptr;
    }
    if (opts.trace.hook) {
        std::string peer = s->peer_address();
        opts.trace.hook(trace_direction::info, "connected to " + proxy_where +
                                                   (peer.empty() || peer == p.host ? "" : " (" + peer + ")") +
                                                   " (" + to_string(p.kind) + ") for " + where);
    }
    // One bound for the whole handshake, however the proxy drips its answer.
    s->set_deadline(io_deadline::after(opts.connect.io_timeout));
    std::string detail;
    ec = open_proxy_tunnel(*s, p, host, ep.port, opts.trace, detail);
    if (ec) {
        s->close();
        what = proxy_where + ": " + detail;
        return nullptr;
    }
    s->set_host(ep.host);  // TLS checks the server's name, never the proxy's
    return s;
}

channel open_proxied(const endpoint& ep, const std::string& where, const session_options& opts) {
    // socks5:// resolves here: like a direct connection, each address in
    // turn while the proxy says it cannot reach the last one.
    std::vector<std::string> hosts{ep.host};
    if (opts.proxy.kind == proxy_kind::socks5) {
        std::error_code rec;
        hosts = resolve_addresses(ep.host, rec);
        if (rec)
            throw_error(rec, "proxy " + opts.proxy.where() + ": cannot resolve " + ep.host +
                                 " (socks5:// resolves names here; socks5h:// lets the proxy)");
    }
    std::error_code ec;
    std::string what;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (auto s = try_proxy(ep, hosts[i], where, opts, ec, what)) return finish(std::move(s), ep, opts, {});
        if (ec != errc::proxy_unreachable || i + 1 == hosts.size()) break;
        if (opts.trace.hook) opts.trace.hook(trace_direction::info, what + "; trying the next address");
    }
    throw_error(ec, what);
}

} // namespace

channel open_channel(const endpoint& ep, const session_options& opts) {
    std::error_code ec;
    std::unique_ptr<socket_stream> s;
    std::string where;
    if (!ep.unix_path.empty()) {
        where = ep.unix_path;
        s = socket_stream::connect_unix(ep.unix_path, opts.connect, ec);
    } else {
        where = (ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host) + ":" +
                std::to_string(ep.port);
        if (opts.proxy.enabled()) return open_proxied(ep, where, opts);
        s = socket_stream::connect(ep.host, ep.port, opts.connect, ec);
    }
    if (!s) throw_error(ec, "cannot connect to " + where);
    std::string peer = s->peer_address();
    return finish(std::move(s), ep, opts,
                  "connected to " + where + (peer.empty() || peer == ep.host ? "" : " (" + peer + ")"));
}

} // namespace pigeon::net
