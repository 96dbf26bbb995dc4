// The POP3 client against scripted servers (tests/scripts/pop3/): STARTTLS
// refusals, response injection, capabilities after TLS, and secrets kept out
// of traces.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/pop3/client.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"
#include "support/secrets.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using pigeon::test::alice;
using pigeon::test::check_script;
using pigeon::test::script_server;

namespace {

net::endpoint ep(const script_server& srv, net::tls_mode mode) {
    return test::script_endpoint(srv, net::protocol::pop3, mode);
}

client_options opts(const script_server& srv) {
    client_options o;
    o.net = test::script_session_options(srv);
    return o;
}

// Connects with STARTTLS required and expects a refusal with code.
void expect_refusal(const char* script, std::error_code code) {
    test::expect_connect_refused<client>(script, net::protocol::pop3, net::tls_mode::starttls, opts, code);
}

} // namespace

TEST_CASE("STLS not offered: refused, nothing further sent") {
    expect_refusal("pop3/starttls_not_offered.txt", make_error_code(errc::starttls_not_offered));
}

TEST_CASE("CAPA refused while TLS is required: refused") {
    expect_refusal("pop3/capa_refused.txt", make_error_code(errc::starttls_not_offered));
}

TEST_CASE("STLS answered -ERR: refused") {
    expect_refusal("pop3/stls_refused.txt", make_error_code(errc::starttls_refused));
}

TEST_CASE("lines injected after the STLS go-ahead: refused before the handshake") {
    expect_refusal("pop3/stls_injection.txt", make_error_code(net::errc::data_after_starttls));
}

TEST_CASE("a greeting that is not POP3: refused") {
    expect_refusal("pop3/bad_greeting.txt", make_error_code(errc::bad_greeting));
}

TEST_CASE("capabilities are read again after STLS and only those are used (ST-05)") {
    auto srv = script_server::from_file("pop3/caps_reread_after_tls.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::starttls), opts(srv));
    const auto& info = c.info();
    CHECK(info.greeting == "+OK fake POP3 ready");
    CHECK(info.capabilities_before_tls == std::vector<std::string>{"STLS", "SASL SCRAM-SHA-256"});
    CHECK(info.capabilities_after_tls == std::vector<std::string>{"USER", "SASL PLAIN"});
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK_FALSE(c.capabilities().stls());
    auto used = c.authenticate(alice());
    CHECK(used.mechanism == "PLAIN");
    c.quit();
    check_script(srv);
}

TEST_CASE("AUTH PLAIN: the trace holds neither the password nor its base64") {
    auto srv = script_server::from_file("pop3/auth_plain_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    CHECK(c.info().capabilities_before_tls.empty());
    CHECK(c.info().capabilities_after_tls == std::vector<std::string>{"SASL PLAIN"});
    c.authenticate(alice());
    c.quit();
    check_script(srv);
    CHECK(rec.text.find("AUTH PLAIN <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
    CHECK(test::secrets::leaked(rec.text, std::string("\0alice@lab.test\0alice-pass-1", 28)).empty());
}

TEST_CASE("AUTH PLAIN without room for an initial response answers the empty challenge") {
    auto srv = script_server::from_file("pop3/auth_plain_no_initial_response.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    sasl::credentials creds;
    creds.username = std::string(250, 'u');
    creds.password = "wrong-password";
    try {
        c.authenticate(creds);
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().response_code == "AUTH");
        CHECK_FALSE(e.is_transient());
    }
    c.quit();
    check_script(srv);
    CHECK(test::secrets::leaked(rec.text, "wrong-password").empty());
}

TEST_CASE("USER/PASS: PASS is masked in the trace") {
    auto srv = script_server::from_file("pop3/user_pass_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    auto used = c.authenticate(alice());
    CHECK(used.password_command);
    CHECK(c.state() == state::transaction);
    c.quit();
    check_script(srv);
    CHECK(rec.text.find("PASS <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
}

TEST_CASE("wrong password: auth_error with the reply, connection still usable") {
    auto srv = script_server::from_file("pop3/auth_wrong_password.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    try {
        c.authenticate(alice("wrong"));
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().text() == "-ERR [AUTH] Authentication failed.");
        CHECK(std::string(e.what()).find("wrong") == std::string::npos);
    }
    c.quit();
    check_script(srv);
}
