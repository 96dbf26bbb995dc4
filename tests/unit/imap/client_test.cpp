// The IMAP client over an in-memory stream: command flow, literals both
// ways, tag checks, and the STARTTLS sequence with a pretend TLS upgrade.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "support/connected.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using namespace pigeon::imap;
using pigeon::test::code_of;

namespace {

client_options fixed_tags() {
    client_options o;
    o.tag_prefix = "A";
    return o;
}

test::duplex_fixture<client> start(std::vector<std::string> chunks, net::tls_mode mode,
                                   test::duplex_options dopts = {}, client_options opts = fixed_tags()) {
    return test::start_on_duplex<client>(std::move(chunks), mode, dopts, opts);
}

} // namespace

TEST_CASE("greeting capabilities are used without a CAPABILITY command") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"}, net::tls_mode::none);
    CHECK(f.peer.written().empty());
    CHECK(f.c->info().greeting == "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi");
    CHECK(f.c->info().capabilities_before_tls == std::vector<std::string>{"IMAP4rev1", "AUTH=PLAIN"});
    CHECK(f.c->info().capabilities_after_tls.empty());
    CHECK_FALSE(f.c->info().tls_active);
}

TEST_CASE("CAPABILITY is asked when the greeting has none, literals in responses are read") {
    auto f = start({"* OK hi\r\n", "* ID (\"name\" {7}\r\n", "Dovecot)\r\n* CAPABILITY IMAP4rev1 IDLE\r\n",
                    "A1 OK done\r\n"},
                   net::tls_mode::none);
    CHECK(f.peer.written() == "A1 CAPABILITY\r\n");
    CHECK(f.c->capabilities().has("IDLE"));
}

TEST_CASE("LOGIN with a synchronizing literal waits for the continuation") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n", "+ go ahead\r\n",
                    "A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"},
                   net::tls_mode::none);
    f.c->login("carol@lab.test", "p\xc3\xa4ss", true);
    CHECK(f.peer.writes() == std::vector<std::string>{"A1 LOGIN carol@lab.test {5}\r\n", "p\xc3\xa4ss", "\r\n"});
    CHECK(f.c->state() == state::authenticated);
    CHECK(f.c->capabilities().has("IDLE"));  // from the tagged OK's code
}

TEST_CASE("a tagged OK before the command was sent completely is fatal") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n", "A1 OK LOGIN done\r\n"}, net::tls_mode::none);
    auto ec = code_of([&] { f.c->login("carol", "p\xc3\xa4ss", true); });
    CHECK(ec == make_error_code(errc::early_completion));
    CHECK(f.peer.written() == "A1 LOGIN carol {5}\r\n");  // the literal was never sent
    CHECK(f.peer.closed());
}

TEST_CASE("a NO instead of the continuation ends the command") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n", "A1 NO too long\r\n"}, net::tls_mode::none);
    CHECK_THROWS_AS(f.c->login("carol", "p\xc3\xa4ss", true), auth_error);
    CHECK(f.peer.written() == "A1 LOGIN carol {5}\r\n");
    CHECK_FALSE(f.peer.closed());
}

TEST_CASE("a tagged response for an unknown tag is fatal") {
    auto ec = code_of([&] { start({"* OK hi\r\n", "A7 OK CAPABILITY completed\r\n"}, net::tls_mode::none); });
    CHECK(ec == make_error_code(errc::unknown_tag));
}

TEST_CASE("an unexpected continuation is fatal") {
    auto ec = code_of([&] { start({"* OK hi\r\n", "+ what\r\n"}, net::tls_mode::none); });
    CHECK(ec == make_error_code(errc::unexpected_continuation));
}

TEST_CASE("malformed responses and bad greetings are protocol errors") {
    CHECK(code_of([&] { start({"A1 OK hi\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
    CHECK(code_of([&] { start({"* NO go away\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
    CHECK(code_of([&] { start({"* 1 EXISTS\r\n"}, net::tls_mode::none); }) == make_error_code(errc::bad_greeting));
    CHECK(code_of([&] { start({"* OK hi\r\n", "* LIST (\r\n"}, net::tls_mode::none); }) ==
          make_error_code(errc::malformed_reply));
    try {
        start({"* BYE [UNAVAILABLE] overloaded\r\n"}, net::tls_mode::none);
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::greeting_refused));
        CHECK(e.is_transient());
        CHECK(e.server_reply().response_code == "UNAVAILABLE");
        CHECK(e.server_reply().text() == "* BYE [UNAVAILABLE] overloaded");
    }
}

TEST_CASE("BYE and then the connection closing") {
    auto ec = code_of([&] { start({"* OK hi\r\n", "* BYE shutting down\r\n"}, net::tls_mode::none); });
    CHECK(ec == make_error_code(errc::server_bye));
}

TEST_CASE("STARTTLS: upgrade, forget, re-read") {
    test::duplex_options d;
    d.pretend_tls = true;
    auto f = start({"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED] hi\r\n",
                    "* 99 EXISTS\r\nA1 OK Begin TLS\r\n",
                    "* CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256\r\nA2 OK done\r\n"},
                   net::tls_mode::starttls, d);
    CHECK(f.peer.written_before_tls() == "A1 STARTTLS\r\n");
    CHECK(f.peer.written_after_tls() == "A2 CAPABILITY\r\n");
    const auto& info = f.c->info();
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    CHECK(info.capabilities_before_tls ==
          std::vector<std::string>{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "LOGINDISABLED"});
    CHECK(info.capabilities_after_tls == std::vector<std::string>{"IMAP4rev1", "AUTH=SCRAM-SHA-256"});
    CHECK_FALSE(f.c->capabilities().login_disabled());
    CHECK(f.c->capabilities().auth_mechanisms() == std::vector<std::string>{"SCRAM-SHA-256"});
}

TEST_CASE("STARTTLS required: refusals send nothing further") {
    test::duplex_options d;
    d.pretend_tls = true;
    SUBCASE("not offered") {
        auto s = std::make_unique<test::duplex_stream>(
            std::vector<std::string>{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"}, d);
        auto peer = s->peer();
        auto ec = code_of([&] { test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls, fixed_tags()); });
        CHECK(ec == make_error_code(errc::starttls_not_offered));
        CHECK(peer.written().empty());
        CHECK(peer.closed());
    }
    SUBCASE("CAPABILITY answered BAD (curl test 984)") {
        auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{"* OK hi\r\n", "A1 BAD no\r\n"}, d);
        auto peer = s->peer();
        auto ec = code_of([&] { test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls, fixed_tags()); });
        CHECK(ec == make_error_code(errc::capability_failed));
        CHECK(peer.written() == "A1 CAPABILITY\r\n");
    }
    SUBCASE("PREAUTH") {
        auto s = std::make_unique<test::duplex_stream>(
            std::vector<std::string>{"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"}, d);
        auto peer = s->peer();
        auto ec = code_of([&] { test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls, fixed_tags()); });
        CHECK(ec == make_error_code(errc::preauth_without_tls));
        CHECK(peer.written().empty());
        CHECK(peer.tls_attempts() == 0);
    }
    SUBCASE("STARTTLS answered NO") {
        auto s = std::make_unique<test::duplex_stream>(
            std::vector<std::string>{"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n", "A1 NO not now\r\n"}, d);
        auto peer = s->peer();
        auto ec = code_of([&] { test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls, fixed_tags()); });
        CHECK(ec == make_error_code(errc::starttls_refused));
        CHECK(peer.written() == "A1 STARTTLS\r\n");
        CHECK(peer.tls_attempts() == 0);
    }
    SUBCASE("response injection after the go-ahead") {
        auto s = std::make_unique<test::duplex_stream>(
            std::vector<std::string>{"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n",
                                     "A1 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"},
            d);
        auto peer = s->peer();
        auto ec = code_of([&] { test::connected<client>(net::channel(std::move(s)), net::tls_mode::starttls, fixed_tags()); });
        CHECK(ec == make_error_code(net::errc::data_after_starttls));
        CHECK(peer.written() == "A1 STARTTLS\r\n");
        CHECK_FALSE(peer.tls_active());
    }
}

TEST_CASE("PREAUTH is fine with implicit TLS or by explicit choice of no TLS") {
    auto f = start({"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n"}, net::tls_mode::none);
    CHECK(f.c->info().preauth);
    CHECK(f.c->state() == state::authenticated);
}

TEST_CASE("LOGIN refusals happen before anything is sent") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n"}, net::tls_mode::none);
    CHECK(code_of([&] { f.c->login("a", "b", true); }) == make_error_code(errc::login_disabled));
    auto g = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n"}, net::tls_mode::none);
    CHECK(code_of([&] { g.c->login("a", "b"); }) == make_error_code(errc::cleartext_refused));
    sasl::credentials creds;
    creds.username = "a";
    creds.password = "b";
    CHECK(code_of([&] { g.c->authenticate(creds); }) == make_error_code(errc::cleartext_refused));
    CHECK(f.peer.written().empty());
    CHECK(g.peer.written().empty());
}

TEST_CASE("LOGOUT tolerates a server that closes after BYE") {
    auto f = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n", "* BYE bye\r\n"}, net::tls_mode::none);
    f.c->logout();
    CHECK(f.peer.written() == "A1 LOGOUT\r\n");
    CHECK(f.peer.closed());
    auto g = start({"* OK [CAPABILITY IMAP4rev1] hi\r\n", "* BYE bye\r\nA1 OK done\r\n"}, net::tls_mode::none);
    g.c->logout();
    CHECK(g.peer.closed());
}
