#pragma once
// A protocol client started on an in-memory duplex_stream (unit tests): the
// stream plays the server's chunks, the peer shows what the client wrote.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"
#include "support/connected.hpp"
#include "support/duplex_stream.hpp"

namespace pigeon::test {

template <class Client>
struct duplex_fixture {
    duplex_peer peer;
    std::unique_ptr<Client> c;
};

/// test::connected<Client>(channel, mode, opts...) on a duplex_stream playing chunks.
template <class Client, class... Options>
duplex_fixture<Client> start_on_duplex(std::vector<std::string> chunks, net::tls_mode mode,
                                       duplex_options dopts, const Options&... opts) {
    auto s = std::make_unique<duplex_stream>(std::move(chunks), dopts);
    auto peer = s->peer();
    auto c = std::make_unique<Client>(connected<Client>(net::channel(std::move(s)), mode, opts...));
    return {peer, std::move(c)};
}

} // namespace pigeon::test
