#include "pigeon/net/connect.hpp"

#include "pigeon/net/error.hpp"

namespace pigeon::net {

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
        s = socket_stream::connect(ep.host, ep.port, opts.connect, ec);
    }
    if (!s) throw_error(ec, "cannot connect to " + where);
    std::string peer = s->peer_address();
    channel ch(std::move(s), opts.limits);
    ch.set_timeouts({opts.connect.io_timeout, opts.connect.io_timeout});
    ch.set_trace(opts.trace);
    ch.trace_info("connected to " + where + (peer.empty() || peer == ep.host ? "" : " (" + peer + ")"));
    if (ep.tls == tls_mode::implicit) {
        tls_options t = opts.tls;
        if (t.server_name.empty()) t.server_name = ep.host;
        ch.start_tls(t);
    }
    return ch;
}

} // namespace pigeon::net
