#pragma once
// A connected protocol client in one expression: every client (SMTP, POP3,
// IMAP, NNTP) is default-constructed and then connect()ed.
#include <utility>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"

namespace pigeon::test {

template <class Client, class... Options>
Client connected(const net::endpoint& ep, const Options&... opts) {
    Client c;
    c.connect(ep, opts...);
    return c;
}

/// Over a channel the test opened; mode says how TLS is used.
template <class Client, class... Options>
Client connected(net::channel ch, net::tls_mode mode, const Options&... opts) {
    net::endpoint ep;
    ep.host = "test.invalid";
    ep.tls = mode;
    Client c;
    c.connect(std::move(ch), ep, opts...);
    return c;
}

} // namespace pigeon::test
