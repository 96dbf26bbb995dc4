// The POP3 client over an in-memory stream: the STLS sequence with a pretend
// TLS upgrade, the AUTH binding (RFC 2195 CRAM-MD5 example), limits, and
// refusals.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "support/connected.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using pigeon::test::code_of;

namespace {

test::duplex_fixture<client> start(std::vector<std::string> chunks, net::tls_mode mode, bool pretend_tls = false) {
    test::duplex_options d;
    d.pretend_tls = pretend_tls;
    return test::start_on_duplex<client>(std::move(chunks), mode, d);
}

} // namespace

TEST_CASE("STLS: CAPA, STLS alone, CAPA again under TLS") {
    auto f = start({"+OK ready\r\n", "+OK\r\nSTLS\r\nSASL PLAIN\r\n.\r\n", "+OK go\r\n", "+OK\r\nUSER\r\n.\r\n"},
                   net::tls_mode::starttls, true);
    CHECK(f.peer.written_before_tls() == "CAPA\r\nSTLS\r\n");
    CHECK(f.peer.written_after_tls() == "CAPA\r\n");
    CHECK(f.peer.writes().size() == 3);  // STLS went out in a write of its own
    CHECK(f.c->info().capabilities_before_tls == std::vector<std::string>{"STLS", "SASL PLAIN"});
    CHECK(f.c->info().capabilities_after_tls == std::vector<std::string>{"USER"});
    CHECK(f.c->info().tls_active);
    CHECK(f.c->capabilities().sasl_mechanisms().empty());
}

TEST_CASE("STLS refusals and failures") {
    test::duplex_options d;
    d.pretend_tls = true;
    d.tls_failure = make_error_code(net::tls_errc::untrusted_issuer);
    auto s = std::make_unique<test::duplex_stream>(
        std::vector<std::string>{"+OK ready\r\n", "+OK\r\nSTLS\r\n.\r\n", "+OK go\r\n"}, d);
    auto peer = s->peer();
    try {
        test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls);
        FAIL("no exception");
    } catch (const net::tls_error& e) {
        CHECK(e.code() == make_error_code(net::tls_errc::untrusted_issuer));
    }
    CHECK(peer.written() == "CAPA\r\nSTLS\r\n");
    CHECK(peer.closed());

    // Anything but +OK to STLS, including a line that is no status at all.
    CHECK(code_of([] { start({"+OK ready\r\n", "+OK\r\nSTLS\r\n.\r\n", "+ go\r\n"}, net::tls_mode::starttls, true); }) ==
          make_error_code(errc::starttls_refused));
    CHECK(code_of([] { start({"+OK ready\r\n", "+OK\r\nSTLS\r\n.\r\n"}, net::tls_mode::starttls, true); }) ==
          make_error_code(net::errc::connection_closed));
}

TEST_CASE("AUTH CRAM-MD5 through the binding (RFC 2195 example)") {
    auto f = start({"+OK ready\r\n", "+OK\r\nSASL CRAM-MD5\r\n.\r\n",
                    "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n", "+OK Maildrop locked\r\n", "+OK\r\nPIPELINING\r\n.\r\n"},
                   net::tls_mode::none);
    sasl::credentials creds;
    creds.username = "tim";
    creds.password = "tanstaaftanstaaf";
    CHECK(f.c->authenticate(creds).mechanism == "CRAM-MD5");
    CHECK(f.peer.written() == "CAPA\r\nAUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\nCAPA\r\n");
    CHECK(f.c->capabilities().pipelining());  // CAPA again after AUTH (RFC 2449 5)
    CHECK(f.c->state() == state::transaction);
}

TEST_CASE("a malformed line inside AUTH is a protocol error") {
    auto f = start({"+OK ready\r\n", "+OK\r\nSASL CRAM-MD5\r\n.\r\n", "* what\r\n"}, net::tls_mode::none);
    sasl::credentials creds;
    creds.username = "tim";
    creds.password = "x";
    CHECK(code_of([&] { f.c->authenticate(creds); }) == make_error_code(errc::malformed_reply));
    CHECK(f.peer.closed());
}

TEST_CASE("greeting refusals") {
    try {
        start({"-ERR [SYS/TEMP] overloaded\r\n"}, net::tls_mode::none);
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::greeting_refused));
        CHECK(e.is_transient());
    }
    CHECK(code_of([] { start({"220 smtp\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
    CHECK(code_of([] { start({std::string(10000, 'x') + "\r\n"}, net::tls_mode::none); }) ==
          make_error_code(errc::line_too_long));
}

TEST_CASE("a CAPA response without end is bounded (LOAD-05)") {
    std::vector<std::string> chunks{"+OK ready\r\n", "+OK\r\n"};
    for (int i = 0; i < 10000; ++i) chunks.push_back("X-CAPABILITY-" + std::to_string(i) + "\r\n");
    CHECK(code_of([&] { start(chunks, net::tls_mode::none); }) == make_error_code(errc::response_too_large));
}

TEST_CASE("QUIT") {
    auto f = start({"+OK ready\r\n", "-ERR no\r\n", "+OK bye\r\n"}, net::tls_mode::none);
    CHECK(f.c->info().capabilities_before_tls.empty());
    f.c->quit();
    CHECK(f.peer.written() == "CAPA\r\nQUIT\r\n");
    CHECK(f.peer.closed());
    auto g = start({"+OK ready\r\n", "-ERR no\r\n", "-ERR some deleted messages not removed\r\n"}, net::tls_mode::none);
    CHECK_THROWS_AS(g.c->quit(), command_error);
    CHECK(g.peer.closed());
}
