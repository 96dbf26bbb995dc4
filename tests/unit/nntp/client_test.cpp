// The NNTP client over an in-memory stream: the STARTTLS sequence with a
// pretend TLS upgrade, INN's replies before authentication, the AUTHINFO
// SASL binding (RFC 2195 CRAM-MD5 example), limits, and refusals.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "pigeon/nntp/client.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
using pigeon::test::code_of;

namespace {

test::duplex_fixture<client> start(std::vector<std::string> chunks, net::tls_mode mode, bool pretend_tls = false) {
    test::duplex_options d;
    d.pretend_tls = pretend_tls;
    return test::start_on_duplex<client>(std::move(chunks), mode, d);
}

} // namespace

TEST_CASE("STARTTLS: CAPABILITIES, STARTTLS alone, CAPABILITIES again under TLS") {
    auto f = start({"200 ready\r\n", "101 list\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n", "382 go\r\n",
                    "101 list\r\nVERSION 2\r\nAUTHINFO USER\r\n.\r\n"},
                   net::tls_mode::starttls, true);
    CHECK(f.peer.written_before_tls() == "CAPABILITIES\r\nSTARTTLS\r\n");
    CHECK(f.peer.written_after_tls() == "CAPABILITIES\r\n");
    CHECK(f.c->info().capabilities_after_tls == std::vector<std::string>{"VERSION 2", "AUTHINFO USER"});
    CHECK(f.c->capabilities().authinfo_user());
    CHECK_FALSE(f.c->capabilities().starttls());
    CHECK(f.c->info().greeting_code == 200);
}

TEST_CASE("STARTTLS answered with anything but 382 is refused") {
    for (const char* reply : {"580 no\r\n", "502 denied\r\n", "483 hmm\r\n", "281 ok\r\n", "garbage\r\n"}) {
        INFO(reply);
        CHECK(code_of([&] {
                  start({"200 ready\r\n", "101 list\r\nSTARTTLS\r\n.\r\n", reply}, net::tls_mode::starttls, true);
              }) == make_error_code(errc::starttls_refused));
    }
}

TEST_CASE("CAPABILITIES refused before authentication (INN 480) without TLS required") {
    auto f = start({"201 ready\r\n", "480 Authentication required\r\n", "381 more\r\n", "281 ok\r\n",
                    "101 list\r\nVERSION 2\r\nREADER\r\n.\r\n"},
                   net::tls_mode::none);
    CHECK(f.c->info().capabilities_before_tls.empty());
    CHECK(f.c->capabilities().empty());
    CHECK(code_of([&] { f.c->login("u", "p"); }) == make_error_code(errc::cleartext_refused));
    f.c->login("u", "p w", true);
    CHECK(f.peer.written() == "CAPABILITIES\r\nAUTHINFO USER u\r\nAUTHINFO PASS p w\r\nCAPABILITIES\r\n");
    CHECK(f.c->capabilities().reader());
    // A positive reply other than 101 makes no sense for CAPABILITIES.
    CHECK(code_of([] { start({"200 ready\r\n", "211 what\r\n"}, net::tls_mode::none); }) ==
          make_error_code(errc::unexpected_reply));
}

TEST_CASE("AUTHINFO SASL CRAM-MD5 through the binding (RFC 2195 example)") {
    auto f = start({"200 ready\r\n", "101 list\r\nAUTHINFO SASL\r\nSASL CRAM-MD5\r\n.\r\n",
                    "383 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n", "281 ok\r\n",
                    "101 list\r\nPOST\r\n.\r\n"},
                   net::tls_mode::none);
    sasl::credentials creds;
    creds.username = "tim";
    creds.password = "tanstaaftanstaaf";
    CHECK(f.c->authenticate(creds).mechanism == "CRAM-MD5");
    CHECK(f.peer.written() ==
          "CAPABILITIES\r\nAUTHINFO SASL CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
          "CAPABILITIES\r\n");
    CHECK(f.c->capabilities().post());
}

TEST_CASE("AUTHINFO USER accepted without a password (281 at once)") {
    auto f = start({"200 ready\r\n", "101 list\r\nAUTHINFO USER\r\n.\r\n", "281 ok\r\n", "500 what\r\n"},
                   net::tls_mode::none);
    f.c->login("u", "p", true);
    CHECK(f.peer.written() == "CAPABILITIES\r\nAUTHINFO USER u\r\nCAPABILITIES\r\n");
    CHECK(f.c->state() == state::authenticated);
}

TEST_CASE("greeting refusals") {
    try {
        start({"400 Service temporarily unavailable\r\n"}, net::tls_mode::none);
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::greeting_refused));
        CHECK(e.is_transient());
    }
    try {
        start({"502 Permission denied\r\n"}, net::tls_mode::none);
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK_FALSE(e.is_transient());
    }
    CHECK(code_of([] { start({"205 bye\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
    CHECK(code_of([] { start({"+OK pop\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
}

TEST_CASE("a CAPABILITIES response without end is bounded (LOAD-05)") {
    std::vector<std::string> chunks{"200 ready\r\n", "101 list\r\n"};
    for (int i = 0; i < 10000; ++i) chunks.push_back("X-CAPABILITY-" + std::to_string(i) + "\r\n");
    CHECK(code_of([&] { start(chunks, net::tls_mode::none); }) == make_error_code(errc::response_too_large));
}

TEST_CASE("QUIT") {
    auto f = start({"200 ready\r\n", "500 what\r\n", "205 bye\r\n"}, net::tls_mode::none);
    f.c->quit();
    CHECK(f.peer.written() == "CAPABILITIES\r\nQUIT\r\n");
    CHECK(f.peer.closed());
}
