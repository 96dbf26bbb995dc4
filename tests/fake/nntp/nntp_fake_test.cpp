// The NNTP client against scripted servers (tests/scripts/nntp/): the
// STARTTLS cases of EAST ported to NNTP (RFC 4642), capabilities after TLS
// and after authentication, and secrets kept out of traces.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/nntp/client.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"
#include "support/secrets.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
using pigeon::test::alice;
using pigeon::test::check_script;
using pigeon::test::script_server;

namespace {

net::endpoint ep(const script_server& srv, net::tls_mode mode) {
    return test::script_endpoint(srv, net::protocol::nntp, mode);
}

client_options opts(const script_server& srv) {
    client_options o;
    o.net = test::script_session_options(srv);
    return o;
}

void expect_refusal(const char* script, std::error_code code) {
    test::expect_connect_refused<client>(script, net::protocol::nntp, net::tls_mode::starttls, opts, code);
}

} // namespace

TEST_CASE("STARTTLS not offered: refused, nothing further sent") {
    expect_refusal("nntp/starttls_not_offered.txt", make_error_code(errc::starttls_not_offered));
}

TEST_CASE("CAPABILITIES answered 480 while TLS is required: refused") {
    expect_refusal("nntp/capabilities_480.txt", make_error_code(errc::starttls_not_offered));
}

TEST_CASE("STARTTLS answered 580: refused") {
    expect_refusal("nntp/starttls_refused.txt", make_error_code(errc::starttls_refused));
}

TEST_CASE("a reply injected after the 382 go-ahead: refused before the handshake") {
    expect_refusal("nntp/starttls_injection.txt", make_error_code(net::errc::data_after_starttls));
}

TEST_CASE("a greeting that is not NNTP: refused") {
    expect_refusal("nntp/bad_greeting.txt", make_error_code(errc::bad_greeting));
}

TEST_CASE("capabilities are read again after STARTTLS and after AUTHINFO (ST-05)") {
    auto srv = script_server::from_file("nntp/caps_reread_after_tls.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::starttls), o);
    const auto& info = c.info();
    CHECK(info.greeting_code == 201);
    CHECK_FALSE(c.info().greeting_code == 200);
    CHECK(info.capabilities_before_tls ==
          std::vector<std::string>{"VERSION 2", "READER", "STARTTLS", "AUTHINFO SASL", "SASL SCRAM-SHA-256"});
    CHECK(info.capabilities_after_tls == std::vector<std::string>{"VERSION 2", "READER", "AUTHINFO USER"});
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK_FALSE(c.capabilities().authinfo_sasl());
    auto used = c.authenticate(alice());
    CHECK(used.password_command);
    CHECK(c.capabilities().post());  // the list read after authentication
    c.quit();
    check_script(srv);
    CHECK(rec.text.find("AUTHINFO PASS <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
}

TEST_CASE("AUTHINFO SASL PLAIN: the trace holds neither the password nor its base64") {
    auto srv = script_server::from_file("nntp/auth_plain_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    CHECK(c.info().capabilities_before_tls.empty());
    auto used = c.authenticate(alice());
    CHECK(used.mechanism == "PLAIN");
    c.quit();
    check_script(srv);
    CHECK(rec.text.find("AUTHINFO SASL PLAIN <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
    CHECK(test::secrets::leaked(rec.text, std::string("\0alice@lab.test\0alice-pass-1", 28)).empty());
}

TEST_CASE("wrong password: auth_error with the 481 reply, connection still usable") {
    auto srv = script_server::from_file("nntp/auth_wrong_password.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    try {
        c.authenticate(alice("wrong"));
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().code == 481);
        CHECK_FALSE(e.is_transient());
    }
    c.quit();
    check_script(srv);
}
