#pragma once
// Driving a proxy handshake (socks5_handshake, http_connect_handshake) on a
// stream connected to the proxy. open_channel() does this when
// session_options::proxy is set; this is the step alone, for a caller with
// its own stream.
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/net/proxy_options.hpp"
#include "pigeon/net/stream.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::net {

/// Asks the proxy on s for a tunnel to host:port; afterwards s carries the
/// server's bytes (nothing of them has been read). Bounded by s's deadline,
/// which the caller sets (open_channel(): connect_options::io_timeout for
/// the whole handshake). proxy_kind::socks5 resolves a host name here
/// (getaddrinfo) and sends the first address; socks5h and http send the
/// name. The dialogue goes to trace.hook as notes and lines, the proxy
/// password masked unless trace.show_secrets. On failure returns the code
/// (errc::proxy_*, or timeout / connection_closed / resolve_failed...) and
/// sets detail to what happened in words, without the proxy's address.
std::error_code open_proxy_tunnel(stream& s, const proxy_options& proxy, const std::string& host,
                                  unsigned short port, const trace_options& trace, std::string& detail);

/// The addresses of host as text ("192.0.2.1", "2001:db8::1"), in
/// getaddrinfo's order, without repeats: what socks5:// sends. An address
/// gives itself. errc::resolve_failed when there is none.
std::vector<std::string> resolve_addresses(const std::string& host, std::error_code& ec);

} // namespace pigeon::net
