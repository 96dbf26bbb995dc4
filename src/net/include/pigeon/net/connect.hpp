#pragma once
// Opening a channel to an endpoint: TCP (or unix socket), through a proxy
// when one is set, then the TLS handshake right away for implicit-TLS
// endpoints. STARTTLS is the protocol client's business (it must read the
// greeting first).
#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/proxy_options.hpp"
#include "pigeon/net/socket_stream.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::net {

struct session_options {
    connect_options connect;
    tls_options tls;
    trace_options trace;
    channel_limits limits;
    /// A SOCKS5 or HTTP CONNECT proxy to go through (none by default). Not
    /// used for unix-socket endpoints.
    proxy_options proxy;
};

/// Connects to ep and, when ep.tls == tls_mode::implicit, completes the TLS
/// handshake (verification per opts.tls). Throws transport_error / tls_error.
/// With opts.proxy: connects to the proxy (connect_timeout), opens the
/// tunnel to ep.host:ep.port (the whole handshake within io_timeout), and
/// from there on works as without one; TLS, STARTTLS included, verifies
/// ep.host (or tls.server_name), never the proxy. A proxy failure's message
/// names it: "proxy 127.0.0.1:1080: SOCKS5 connection not allowed by
/// ruleset (reply 2): the proxy refused the connection".
channel open_channel(const endpoint& ep, const session_options& opts);

} // namespace pigeon::net
