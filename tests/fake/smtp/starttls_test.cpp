// STARTTLS is required with tls_mode::starttls: stripped, refused or
// injected go-aheads end the session with nothing sent but QUIT; after TLS
// the capabilities are read again. Implicit TLS too.
#include <doctest/doctest.h>

#include <ostream>

#include "harness.hpp"
#include "pigeon/net/error.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using pigeon::smtp::testing::harness;
using pigeon::smtp::testing::simple_envelope;

TEST_CASE("STARTTLS not offered: refused / nothing sent after EHLO but QUIT") {
    harness h("starttls_not_offered.txt");
    client c;
    try {
        c.connect(h.endpoint(net::tls_mode::starttls), h.options());
        FAIL("connect() succeeded without TLS");
    } catch (const protocol_error& e) {
        CHECK(e.code() == errc::starttls_not_offered);
    }
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "QUIT"});
}

TEST_CASE("STARTTLS answered 454 or 502: refused / no plain-text fallback") {
    for (const char* script : {"starttls_454.txt", "starttls_502.txt"}) {
        CAPTURE(script);
        harness h(script);
        client c;
        try {
            c.connect(h.endpoint(net::tls_mode::starttls), h.options());
            FAIL("connect() succeeded without TLS");
        } catch (const protocol_error& e) {
            CHECK(e.code() == errc::starttls_refused);
            CHECK((e.server_reply().code == 454 || e.server_reply().code == 502));
            CHECK(e.is_transient() == (e.server_reply().code == 454));
        }
        auto r = h.finish();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "STARTTLS", "QUIT"});
    }
}

TEST_CASE("response injection after the STARTTLS go-ahead: refused before the handshake") {
    harness h("starttls_injection.txt");
    client c;
    try {
        c.connect(h.endpoint(net::tls_mode::starttls), h.options());
        FAIL("connect() accepted an injected response");
    } catch (const net::transport_error& e) {
        CHECK(e.code() == net::errc::data_after_starttls);
    }
    CHECK_FALSE(c.is_connected());
    CHECK(c.info().capabilities_after_tls.empty());  // no injected line was parsed
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "STARTTLS"});
}

TEST_CASE("after STARTTLS the capabilities are read again and only they count") {
    harness h("starttls_capabilities.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::starttls), h.options());
    const auto& info = c.info();
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    CHECK(info.greeting == "fake.example ESMTP");
    CHECK(info.capabilities_before_tls == std::vector<std::string>{"fake.example", "SIZE 10", "STARTTLS"});
    CHECK(info.capabilities_after_tls ==
          std::vector<std::string>{"fake.example", "SIZE 10000000", "ENHANCEDSTATUSCODES", "AUTH PLAIN"});
    CHECK(c.capabilities().size_limit == 10000000u);
    CHECK_FALSE(c.capabilities().starttls);
    CHECK(c.capabilities().auth_mechanisms == std::vector<std::string>{"PLAIN"});
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);

    auto env = simple_envelope({"bob@lab.test"});
    env.size_hint = 1000;
    const auto res = c.send(env, "Subject: t\r\n\r\nhello\r\n");
    CHECK(res.all_accepted());
    CHECK(res.final_reply.code == 250);
    REQUIRE(res.final_reply.status.has_value());
    CHECK(res.final_reply.text() == "Ok: queued as TLS1");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("STARTTLS against an untrusted certificate fails the handshake - nothing sent after") {
    harness h("starttls_untrusted.txt");
    client c;
    auto o = h.options();
    o.net.tls.ca_file.clear();  // trust the system store only
    o.net.tls.ca_file_only = false;
    try {
        c.connect(h.endpoint(net::tls_mode::starttls), o);
        FAIL("connect() trusted a self-signed certificate");
    } catch (const net::tls_error& e) {
        CHECK(e.code().category() == net::tls_category());
    }
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "STARTTLS"});
}

TEST_CASE("implicit TLS") {
    harness h("implicit_tls.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::implicit), h.options());
    CHECK(c.info().tls_active);
    CHECK_FALSE(c.info().starttls_used);
    CHECK(c.info().capabilities_before_tls.empty());
    CHECK(c.info().capabilities_after_tls == std::vector<std::string>{"fake.example", "8BITMIME"});
    const auto res = c.send(simple_envelope({"bob@lab.test"}), "hello");
    CHECK(res.final_reply.text() == "Ok: queued as IMPL1");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("a greeting refusing service: error / then QUIT only") {
    harness h("greeting_554.txt");
    client c;
    try {
        c.connect(h.endpoint(), h.options());
        FAIL("connect() accepted a 554 greeting");
    } catch (const protocol_error& e) {
        CHECK(e.code() == errc::greeting_refused);
        CHECK(e.server_reply().code == 554);
        CHECK_FALSE(e.is_transient());
    }
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("a malformed reply is a protocol error and closes the connection") {
    harness h("bad_reply.txt");
    client c;
    try {
        c.connect(h.endpoint(), h.options());
        FAIL("connect() accepted a malformed reply");
    } catch (const protocol_error& e) {
        CHECK(e.code() == errc::malformed_reply);
    }
    CHECK_FALSE(c.is_connected());
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("endless 250- continuation lines stop at the reply limit (LOAD-05)") {
    std::string script = "S: 220 fake.example ESMTP\nC: EHLO localhost\n";
    for (int i = 0; i < 300; ++i) script += "S: 250-X" + std::to_string(i) + "\n";
    script += "S: 250 END\nEXPECT-CLOSE QUIT\n";
    test::script_server srv(script);
    client c;
    client_options o;
    o.net.connect.io_timeout = std::chrono::seconds(5);
    net::endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = srv.port();
    ep.tls = net::tls_mode::none;
    try {
        c.connect(ep, o);
        FAIL("connect() accepted 301 reply lines");
    } catch (const protocol_error& e) {
        CHECK(e.code() == errc::response_too_large);
    }
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("HELO fallback when EHLO is not recognised") {
    harness h("helo_fallback.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    CHECK_FALSE(c.info().esmtp);
    CHECK_FALSE(c.capabilities().esmtp);
    CHECK(c.info().capabilities_before_tls == std::vector<std::string>{"old.example"});
    const auto res = c.send(simple_envelope({"bob@lab.test"}), "hello\n");
    CHECK(res.all_accepted());
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}
