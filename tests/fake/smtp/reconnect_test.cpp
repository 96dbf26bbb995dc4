// Reconnecting once when the server dropped an idle connection.
#include <doctest/doctest.h>

#include <ostream>

#include "harness.hpp"
#include "pigeon/net/error.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using pigeon::smtp::testing::harness;
using pigeon::smtp::testing::simple_envelope;

namespace {
test::script_options two_connections() {
    test::script_options so;
    so.connections = 2;
    return so;
}
} // namespace

TEST_CASE("421 on the next MAIL FROM: reconnect once / send on the new connection") {
    harness h("reconnect_421.txt", two_connections());
    client c;
    c.connect(h.endpoint(), h.options());
    const auto first = c.send(simple_envelope({"bob@lab.test"}), "hello\n");
    CHECK_FALSE(first.reconnected);
    const auto second = c.send(simple_envelope({"bob@lab.test"}), "hello\n");
    CHECK(second.reconnected);
    CHECK(second.all_accepted());
    CHECK(second.final_reply.text() == "Ok: queued as R1");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(h.trace_text().find("reconnecting") != std::string::npos);
}

TEST_CASE("EOF on an idle connection: reconnect once") {
    harness h("reconnect_eof.txt", two_connections());
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK_FALSE(c.send(simple_envelope({"bob@lab.test"}), "hello\n").reconnected);
    const auto second = c.send(simple_envelope({"bob@lab.test"}), "hello\n");
    CHECK(second.reconnected);
    CHECK(second.final_reply.text() == "Ok: queued as E1");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("reconnection happens only once") {
    harness h("reconnect_once.txt", two_connections());
    client c;
    c.connect(h.endpoint(), h.options());
    try {
        (void)c.send(simple_envelope({"bob@lab.test"}), "hello\n");
        FAIL("send() succeeded");
    } catch (const protocol_error& e) {
        CHECK(e.code() == errc::service_unavailable);
        CHECK(e.server_reply().code == 421);
        CHECK(e.is_transient());
    }
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    int mails = 0;
    for (const auto& l : r.client_lines) mails += l.rfind("MAIL FROM", 0) == 0 ? 1 : 0;
    CHECK(mails == 2);
}

TEST_CASE("no reconnection when disabled") {
    harness h("reconnect_eof.txt");
    client c;
    auto o = h.options();
    o.reconnect = false;
    c.connect(h.endpoint(), o);
    (void)c.send(simple_envelope({"bob@lab.test"}), "hello\n");
    CHECK_THROWS_AS((void)c.send(simple_envelope({"bob@lab.test"}), "hello\n"), net::transport_error);
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}
