// Mail transactions against scripted servers: pipelining, per-recipient
// results, local refusals (SIZE, 8BITMIME, SMTPUTF8), BDAT, LMTP, DSN,
// dot-stuffing, failures in the data, transient vs permanent.
#include <doctest/doctest.h>

#include <ostream>
#include <stdexcept>

#include "harness.hpp"
#include "pigeon/net/error.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using pigeon::smtp::testing::harness;
using pigeon::smtp::testing::simple_envelope;

TEST_CASE("PIPELINING: MAIL FROM and every RCPT TO before any reply") {
    harness h("pipelining.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    const auto res = c.send(simple_envelope({"bob@lab.test", "carol@lab.test", "dave@lab.test"}), "hello\r\n");
    CHECK(res.accepted_count() == 3);
    CHECK_FALSE(res.chunked);
    CHECK(res.message_bytes == 7);
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("one of three recipients refused: a result per recipient / the data sent to the others") {
    harness h("rcpt_one_refused.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    const auto res = c.send(simple_envelope({"bob@lab.test", "nobody@lab.test", "carol@lab.test"}), "hello\n");
    REQUIRE(res.recipients.size() == 3);
    CHECK(res.accepted_count() == 2);
    CHECK_FALSE(res.all_accepted());
    CHECK(res.recipients[0].accepted());
    CHECK(res.recipients[2].accepted());
    const auto& refused = res.recipients[1];
    CHECK(refused.address == "nobody@lab.test");
    CHECK_FALSE(refused.accepted());
    REQUIRE(refused.refusal() != nullptr);
    CHECK(refused.rcpt_reply.code == 550);
    CHECK(refused.rcpt_reply.permanent());
    REQUIRE(refused.rcpt_reply.status.has_value());
    CHECK(refused.rcpt_reply.status->to_string() == "5.1.1");
    CHECK(refused.rcpt_reply.lines.size() == 2);  // the full multi-line reply
    CHECK(refused.rcpt_reply.text() ==
          "<nobody@lab.test>: Recipient address rejected:\nUser unknown in virtual mailbox table");
    CHECK_FALSE(refused.data_reply.has_value());
    REQUIRE(res.recipients[0].data_reply.has_value());
    CHECK(res.recipients[0].data_reply->code == 250);
    CHECK(res.final_reply.text() == "Ok: queued as 4XyZ12");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("every recipient refused: send_error with each reply - no DATA") {
    harness h("rcpt_all_refused.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    try {
        (void)c.send(simple_envelope({"nobody@lab.test", "later@lab.test"}), "hello\n");
        FAIL("send() succeeded with every recipient refused");
    } catch (const send_error& e) {
        CHECK(e.code() == errc::recipients_refused);
        REQUIRE(e.results().size() == 2);
        CHECK(e.results()[0].rcpt_reply.code == 550);
        CHECK(e.results()[1].rcpt_reply.code == 450);
        CHECK(e.results()[1].rcpt_reply.transient());
        // The deciding reply is the permanent one: not worth retrying as is.
        CHECK(e.server_reply().code == 550);
        CHECK(e.is_permanent());
        CHECK_FALSE(e.is_transient());
        CHECK(std::string(e.what()).find("nobody@lab.test") != std::string::npos);
    }
    CHECK(c.is_connected());
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("the transaction after a failed one starts with RSET") {
    harness h("rset_after_failure.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK_THROWS_AS((void)c.send(simple_envelope({"nobody@lab.test"}), "first\n"), send_error);
    const auto res = c.send(simple_envelope({"bob@lab.test"}), "second\n");
    CHECK(res.final_reply.text() == "Ok: queued as SECOND");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("many messages over one connection") {
    harness h("many_messages.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    for (int i = 1; i <= 3; ++i) {
        const std::string msg = "message " + std::to_string(i) + "\n";
        const auto res = c.send(simple_envelope({"bob@lab.test"}), msg);
        CHECK(res.final_reply.text() == "Ok: queued as M" + std::to_string(i));
        CHECK(c.state() == state::ready);
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("SIZE: a message over the server's limit is refused locally") {
    harness h("size_exceeded.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK(c.capabilities().size_limit == 1000);
    auto env = simple_envelope({"bob@lab.test"});
    env.size_hint = 5000;
    bool source_read = false;
    net::source_fn src = [&](char*, std::size_t) -> std::size_t {
        source_read = true;
        return 0;
    };
    try {
        (void)c.send(env, src);
        FAIL("send() accepted a message over SIZE");
    } catch (const request_error& e) {
        CHECK(e.code() == errc::message_too_big);
        CHECK(std::string(e.what()).find("5000") != std::string::npos);
    }
    CHECK_FALSE(source_read);
    CHECK(c.is_connected());
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("8BITMIME needed but not offered: a clear local error") {
    harness h("eightbitmime_absent.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    auto env = simple_envelope({"bob@lab.test"});
    env.needs_8bitmime = true;
    try {
        (void)c.send(env, "caf\xc3\xa9\n");
        FAIL("send() sent 8-bit data without 8BITMIME");
    } catch (const request_error& e) {
        CHECK(e.code() == errc::need_8bitmime);
    }
    // BINARYMIME and DSN likewise.
    env.needs_8bitmime = false;
    env.body = body_type::binary;
    CHECK_THROWS_AS((void)c.send(env, "x"), request_error);
    env.body = body_type::unspecified;
    env.ret = dsn_ret::full;
    try {
        (void)c.send(env, "x");
        FAIL("DSN without DSN");
    } catch (const request_error& e) {
        CHECK(e.code() == errc::need_dsn);
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("invalid envelopes are refused before anything is sent") {
    harness h("eightbitmime_absent.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK_THROWS_AS((void)c.send(simple_envelope({}), "x"), request_error);
    CHECK_THROWS_AS((void)c.send(simple_envelope({"bob@lab.test>\r\nDATA"}), "x"), request_error);
    CHECK_THROWS_AS((void)c.send(simple_envelope({"bob@lab.test"}, "a@b\r\nRSET"), "x"), request_error);
    auto env = simple_envelope({"bob@lab.test"});
    env.recipients[0].notify_on = notify::never | notify::delay;
    CHECK_THROWS_AS((void)c.send(env, "x"), request_error);
    try {
        (void)c.send(simple_envelope({"bob@lab.test\r\nRCPT TO:<evil@x>"}), "x");
    } catch (const request_error& e) {
        CHECK(e.code() == errc::invalid_address);
        const std::string what = e.what();
        CHECK(what.find('\r') == std::string::npos);  // escaped in the message
        CHECK(what.find('\n') == std::string::npos);
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "QUIT"});
}

TEST_CASE("BDAT chunks when CHUNKING is offered") {
    harness h("bdat.txt");
    client c;
    auto o = h.options();
    o.chunk_size = 16;
    c.connect(h.endpoint(), o);
    const auto res = c.send(simple_envelope({"bob@lab.test"}), ".first line...\r\nsecond line 2.\r\nthird\nfourth");
    CHECK(res.chunked);
    CHECK(res.message_bytes == 44);
    CHECK(res.final_reply.text() == "2.0.0 Ok: queued as BDAT1");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("prefer_data: DATA even when CHUNKING is offered") {
    const char* script = R"(
        S: 220 fake.example ESMTP
        C: EHLO localhost
        S: 250-fake.example
        S: 250 CHUNKING
        C: MAIL FROM:<alice@lab.test>
        S: 250 Ok
        C: RCPT TO:<bob@lab.test>
        S: 250 Ok
        C: DATA
        S: 354 go on
        C: hello
        C: .
        S: 250 Ok
        C: QUIT
        S: 221 Bye
    )";
    test::script_server srv(script);
    client c;
    client_options o;
    o.prefer_data = true;
    net::endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = srv.port();
    ep.tls = net::tls_mode::none;
    c.connect(ep, o);
    CHECK_FALSE(c.send(simple_envelope({"bob@lab.test"}), "hello").chunked);
    c.quit();
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("LMTP: one reply per accepted recipient after the data") {
    harness h("lmtp.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::none, net::protocol::lmtp), h.options());
    CHECK(c.info().lmtp);
    const auto res = c.send(simple_envelope({"bob@lab.test", "nobody@lab.test", "carol@lab.test"}), "hello\n");
    REQUIRE(res.recipients.size() == 3);
    CHECK(res.recipients[0].accepted());
    REQUIRE(res.recipients[0].data_reply.has_value());
    CHECK(res.recipients[0].data_reply->text() == "<bob@lab.test> Saved as abc");
    CHECK_FALSE(res.recipients[1].accepted());
    CHECK(res.recipients[1].rcpt_reply.code == 550);
    CHECK_FALSE(res.recipients[1].data_reply.has_value());
    CHECK_FALSE(res.recipients[2].accepted());
    CHECK(res.recipients[2].rcpt_reply.code == 250);
    REQUIRE(res.recipients[2].data_reply.has_value());
    CHECK(res.recipients[2].data_reply->code == 452);
    CHECK(res.recipients[2].refusal()->transient());
    CHECK(res.accepted_count() == 1);
    CHECK(res.final_reply.code == 250);
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("SMTPUTF8 for an internationalised address / and its absence") {
    {
        harness h("smtputf8.txt");
        client c;
        c.connect(h.endpoint(), h.options());
        (void)c.send(simple_envelope({"bob@lab.test"}, "j\xc3\xb8rgen@lab.test"), "hello\n");
        c.quit();
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
    }
    {
        harness h("smtputf8_absent.txt");
        client c;
        c.connect(h.endpoint(), h.options());
        try {
            (void)c.send(simple_envelope({"bob@lab.test"}, "j\xc3\xb8rgen@lab.test"), "hello\n");
            FAIL("UTF-8 address sent without SMTPUTF8");
        } catch (const request_error& e) {
            CHECK(e.code() == errc::need_smtputf8);
        }
        auto env = simple_envelope({"bob@lab.test"});
        env.needs_smtputf8 = true;
        CHECK_THROWS_AS((void)c.send(env, "x"), request_error);
        c.quit();
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
    }
}

TEST_CASE("DSN parameters") {
    harness h("dsn.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK(c.capabilities().size);
    CHECK(c.capabilities().size_limit == 0);
    auto env = simple_envelope({"bob@lab.test", "carol@lab.test"});
    env.ret = dsn_ret::headers;
    env.envid = "env+id=1";
    env.size_hint = 6;
    env.recipients[0].notify_on = notify::success | notify::failure;
    env.recipients[0].orcpt = "bob+dsn@lab.test";
    env.recipients[1].notify_on = notify::never;
    (void)c.send(env, "hello\n");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("the body reaches the wire with CRLF line ends / stuffed dots and one end of data") {
    harness h("dot_stuffing.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    const std::string body =
        ".leading dot\nA\n.\nMAIL FROM:<x@evil>\r\nRCPT TO:<y@victim>\r\nDATA\r\n\r\nsmuggled\r\n.\r\nB\rbare\rcr\n.\rend";
    const auto res = c.send(simple_envelope({"bob@lab.test"}), body);
    CHECK(res.message_bytes == body.size());
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    int dots = 0;
    for (const auto& l : r.client_lines) dots += l == "." ? 1 : 0;
    CHECK(dots == 1);
}

TEST_CASE("a failing source closes the connection without ending the data") {
    harness h("source_fails.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    int calls = 0;
    net::source_fn src = [&](char* buf, std::size_t cap) -> std::size_t {
        if (++calls == 1) {
            const std::string part = "first part\n";
            REQUIRE(cap >= part.size());
            part.copy(buf, part.size());
            return part.size();
        }
        throw std::runtime_error("disk read failed");
    };
    CHECK_THROWS_WITH_AS((void)c.send(simple_envelope({"bob@lab.test"}), src), "disk read failed", std::runtime_error);
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    for (const auto& l : r.client_lines) CHECK(l != ".");
}

TEST_CASE("transient and permanent refusals are told apart") {
    {
        harness h("mail_transient.txt");
        client c;
        c.connect(h.endpoint(), h.options());
        try {
            (void)c.send(simple_envelope({"bob@lab.test"}), "x");
            FAIL("send() succeeded");
        } catch (const send_error& e) {
            CHECK(e.code() == errc::sender_refused);
            CHECK(e.is_transient());
            CHECK_FALSE(e.is_permanent());
            CHECK(e.server_reply().response_code == "4.3.0");
            REQUIRE(e.results().size() == 1);
            CHECK(e.results()[0].rcpt_reply.code == 503);
        }
        c.quit();
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
    }
    {
        harness h("mail_permanent.txt");
        client c;
        c.connect(h.endpoint(), h.options());
        try {
            (void)c.send(simple_envelope({"bob@lab.test"}), "x");
            FAIL("send() succeeded");
        } catch (const send_error& e) {
            CHECK(e.code() == errc::sender_refused);
            CHECK(e.is_permanent());
            CHECK(e.server_reply().code == 553);
            REQUIRE(e.results().size() == 1);
            CHECK(e.results()[0].rcpt_reply.empty());  // never sent
        }
        c.quit();
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
    }
    {
        harness h("data_refused.txt");
        client c;
        c.connect(h.endpoint(), h.options());
        try {
            (void)c.send(simple_envelope({"bob@lab.test"}), "spam spam spam");
            FAIL("send() succeeded");
        } catch (const send_error& e) {
            CHECK(e.code() == errc::data_refused);
            CHECK(e.is_permanent());
            REQUIRE(e.results().size() == 1);
            CHECK_FALSE(e.results()[0].accepted());
            REQUIRE(e.results()[0].data_reply.has_value());
            CHECK(e.results()[0].data_reply->code == 554);
        }
        CHECK(c.state() == state::ready);
        c.noop();  // still usable
        c.quit();
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
    }
}

TEST_CASE("calls in the wrong state are refused locally") {
    client c;
    CHECK_THROWS_AS((void)c.send(simple_envelope({"bob@lab.test"}), "x"), request_error);
    CHECK_THROWS_AS(c.noop(), request_error);
    CHECK_THROWS_AS(c.channel(), request_error);
    CHECK_NOTHROW(c.quit());
    CHECK_FALSE(c.is_connected());
    client moved = std::move(c);
    CHECK_FALSE(moved.is_connected());
    CHECK_FALSE(c.is_connected());  // NOLINT(bugprone-use-after-move): defined as "not connected"
    CHECK_THROWS_AS(c.noop(), request_error);
}
