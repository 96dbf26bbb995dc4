// The client over an in-memory stream: exactly what goes into each write,
// STARTTLS over a pretend-TLS stream, and server replies delivered one byte
// per read (LOAD-13).
#include <doctest/doctest.h>

#include <memory>
#include <ostream>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/duplex_stream.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::smtp;

namespace {

net::endpoint ep(net::tls_mode m = net::tls_mode::none, net::protocol p = net::protocol::smtp) {
    net::endpoint e;
    e.proto = p;
    e.host = "mail.example.org";
    e.port = 25;
    e.tls = m;
    return e;
}

envelope env3() {
    envelope env;
    env.from = "alice@example.org";
    for (const char* a : {"bob@example.org", "carol@example.org", "dave@example.org"}) {
        recipient r;
        r.address = a;
        env.recipients.push_back(r);
    }
    return env;
}

const std::string server_side =
    "220 mail.example.org ESMTP\r\n"
    "250-mail.example.org\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n"
    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no\r\n250 2.1.5 Ok\r\n"
    "354 go on\r\n"
    "250 2.0.0 Ok: queued as Q1\r\n"
    "221 2.0.0 Bye\r\n";

struct run_result {
    send_result res;
    std::vector<std::string> writes;
};

run_result run_session(std::vector<std::string> chunks) {
    auto s = std::make_unique<test::duplex_stream>(std::move(chunks));
    auto peer = s->peer();
    client c;
    c.connect(net::channel(std::move(s)), ep(), client_options{});
    run_result out;
    out.res = c.send(env3(), "Subject: x\r\n\r\nbody\r\n");
    c.quit();
    out.writes = peer.writes();
    CHECK(peer.closed());
    return out;
}

} // namespace

TEST_CASE("pipelined MAIL FROM and RCPT TOs go out in one write") {
    const auto r = run_session({server_side});
    REQUIRE(r.writes.size() >= 4);
    CHECK(r.writes[0] == "EHLO localhost\r\n");
    CHECK(r.writes[1] ==
          "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\n"
          "RCPT TO:<dave@example.org>\r\n");
    CHECK(r.writes[2] == "DATA\r\n");
    std::string data;
    for (std::size_t i = 3; i + 1 < r.writes.size(); ++i) data += r.writes[i];
    CHECK(data == "Subject: x\r\n\r\nbody\r\n.\r\n");
    CHECK(r.writes.back() == "QUIT\r\n");
    CHECK(r.res.accepted_count() == 2);
    CHECK(r.res.final_reply.text() == "Ok: queued as Q1");
}

TEST_CASE("replies in every split and one byte per read give the same result (LOAD-13)") {
    const auto expected = run_session({server_side});
    std::size_t runs = 0;
    // Cutting the server's bytes at every offset (and byte by byte).
    pigeon::test::for_each_split(server_side, [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const auto got = run_session(pigeon::test::to_chunks(pieces));
        CHECK(got.writes == expected.writes);
        REQUIRE(got.res.recipients.size() == 3);
        CHECK(got.res.recipients[1].rcpt_reply.code == 550);
        CHECK(got.res.final_reply.text() == "Ok: queued as Q1");
        ++runs;
    });
    CHECK(runs == server_side.size() + 1);
}

TEST_CASE("BDAT: command and chunk / last chunk flagged") {
    auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{
        "220 x ESMTP\r\n", "250-x\r\n250-PIPELINING\r\n250 CHUNKING\r\n", "250 Ok\r\n250 Ok\r\n",
        "250 2.0.0 Ok: queued\r\n"});
    auto peer = s->peer();
    client c;
    c.connect(net::channel(std::move(s)), ep(), client_options{});
    envelope env;
    env.from = "";
    env.recipients.push_back({"bob@example.org", notify::none, ""});
    const auto res = c.send(env, "a\nb");
    CHECK(res.chunked);
    const auto& w = peer.writes();
    REQUIRE(w.size() == 4);
    CHECK(w[1] == "MAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\n");
    CHECK(w[2] == "BDAT 6 LAST\r\n");
    CHECK(w[3] == "a\r\nb\r\n");
}

TEST_CASE("STARTTLS on a pretend-TLS stream: nothing pipelined with it / EHLO again after") {
    test::duplex_options o;
    o.pretend_tls = true;
    auto s = std::make_unique<test::duplex_stream>(
        std::vector<std::string>{"220 x ESMTP\r\n", "250-x\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", "220 go ahead\r\n",
                                 "250-x\r\n250-PIPELINING\r\n250 AUTH PLAIN SCRAM-SHA-256\r\n"},
        o);
    auto peer = s->peer();
    client c;
    c.connect(net::channel(std::move(s)), ep(net::tls_mode::starttls), client_options{});
    CHECK(peer.tls_attempts() == 1);
    CHECK(peer.written_before_tls() == "EHLO localhost\r\nSTARTTLS\r\n");
    CHECK(peer.written_after_tls() == "EHLO localhost\r\n");
    CHECK(c.info().tls_active);
    CHECK(c.capabilities().pipelining);
    CHECK(c.capabilities().auth_mechanisms == std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"});
}

TEST_CASE("STARTTLS go-ahead with injected bytes in the same read: no handshake attempted") {
    test::duplex_options o;
    o.pretend_tls = true;
    auto s = std::make_unique<test::duplex_stream>(
        std::vector<std::string>{"220 x ESMTP\r\n", "250-x\r\n250 STARTTLS\r\n",
                                 "220 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n235 ok\r\n"},
        o);
    auto peer = s->peer();
    client c;
    CHECK_THROWS_AS(c.connect(net::channel(std::move(s)), ep(net::tls_mode::starttls), client_options{}),
                    net::transport_error);
    CHECK(peer.tls_attempts() == 0);
    CHECK(peer.written() == "EHLO localhost\r\nSTARTTLS\r\n");
    CHECK(peer.closed());
}

TEST_CASE("a broken connection in the middle of the data closes the client") {
    // Operations: read greeting, write EHLO, read EHLO reply, write MAIL+RCPT,
    // read replies, write DATA, read 354, then the data write fails.
    test::duplex_options o;
    o.fail_count = 7;
    auto s = std::make_unique<test::duplex_stream>(
        std::vector<std::string>{"220 x\r\n", "250-x\r\n250 PIPELINING\r\n", "250 ok\r\n250 ok\r\n", "354 go\r\n"}, o);
    client c;
    c.connect(net::channel(std::move(s)), ep(), client_options{});
    envelope env;
    env.from = "a@example.org";
    env.recipients.push_back({"b@example.org", notify::none, ""});
    CHECK_THROWS_AS((void)c.send(env, "data\n"), net::transport_error);
    CHECK_FALSE(c.is_connected());
}
