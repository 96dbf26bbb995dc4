#pragma once
// Opening a channel to an endpoint: TCP (or unix socket), then the TLS
// handshake right away for implicit-TLS endpoints. STARTTLS is the
// protocol client's business (it must read the greeting first).
#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/socket_stream.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::net {

struct session_options {
    connect_options connect;
    tls_options tls;
    trace_options trace;
    channel_limits limits;
};

/// Connects to ep and, when ep.tls == tls_mode::implicit, completes the TLS
/// handshake (verification per opts.tls). Throws transport_error / tls_error.
channel open_channel(const endpoint& ep, const session_options& opts);

} // namespace pigeon::net
