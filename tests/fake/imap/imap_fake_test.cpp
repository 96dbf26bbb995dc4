// The IMAP client against scripted servers (tests/scripts/imap/): STARTTLS
// refusals, response injection, PREAUTH, capabilities after TLS, tag checks,
// argument encoding, and secrets kept out of traces. Tags are fixed ("A1",
// "A2", ...) through client_options::tag_prefix so transcripts can name them.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/client.hpp"
#include "support/connected.hpp"
#include "support/code_of.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"
#include "support/secrets.hpp"

using namespace pigeon;
using namespace pigeon::imap;
using pigeon::test::alice;
using pigeon::test::check_script;
using pigeon::test::code_of;
using pigeon::test::script_server;

namespace {

net::endpoint ep(const script_server& srv, net::tls_mode mode) {
    return test::script_endpoint(srv, net::protocol::imap, mode);
}

client_options opts(const script_server& srv) {
    client_options o;
    o.net = test::script_session_options(srv);
    o.tag_prefix = "A";
    return o;
}

void expect_refusal(const char* script, net::tls_mode mode, std::error_code code) {
    test::expect_connect_refused<client>(script, net::protocol::imap, mode, opts, code);
}

} // namespace

TEST_CASE("STARTTLS not offered: refused, nothing further sent") {
    expect_refusal("imap/starttls_not_offered.txt", net::tls_mode::starttls,
                   make_error_code(errc::starttls_not_offered));
}

TEST_CASE("CAPABILITY answered BAD while TLS is required: refused") {
    expect_refusal("imap/capability_bad.txt", net::tls_mode::starttls, make_error_code(errc::capability_failed));
}

TEST_CASE("STARTTLS answered NO: refused") {
    expect_refusal("imap/starttls_refused.txt", net::tls_mode::starttls, make_error_code(errc::starttls_refused));
}

TEST_CASE("responses injected after the STARTTLS go-ahead: refused before the handshake") {
    expect_refusal("imap/starttls_injection.txt", net::tls_mode::starttls,
                   make_error_code(net::errc::data_after_starttls));
}

TEST_CASE("PREAUTH on a connection that must use STARTTLS: refused") {
    expect_refusal("imap/preauth_on_starttls.txt", net::tls_mode::starttls,
                   make_error_code(errc::preauth_without_tls));
}

TEST_CASE("BYE greeting: protocol_error, nothing sent") {
    auto srv = script_server::from_file("imap/bye_greeting.txt");
    try {
        test::connected<client>(ep(srv, net::tls_mode::starttls), opts(srv));
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::greeting_refused));
        CHECK(e.is_transient());
    }
    check_script(srv);
}

TEST_CASE("a tagged response for a tag never sent: protocol error") {
    expect_refusal("imap/unknown_tag.txt", net::tls_mode::implicit, make_error_code(errc::unknown_tag));
}

TEST_CASE("capabilities are read again after STARTTLS and only those are used (ST-05)") {
    auto srv = script_server::from_file("imap/caps_reread_after_tls.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::starttls), opts(srv));
    const auto& info = c.info();
    CHECK(info.greeting == "* OK [CAPABILITY IMAP4rev1 STARTTLS SASL-IR AUTH=SCRAM-SHA-256] fake IMAP ready");
    CHECK(info.capabilities_before_tls ==
          std::vector<std::string>{"IMAP4rev1", "STARTTLS", "SASL-IR", "AUTH=SCRAM-SHA-256"});
    CHECK(info.capabilities_after_tls == std::vector<std::string>{"IMAP4rev1", "AUTH=PLAIN"});
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK_FALSE(c.capabilities().sasl_ir());
    auto used = c.authenticate(alice());
    CHECK(used.mechanism == "PLAIN");
    CHECK(c.state() == state::authenticated);
    CHECK(c.capabilities().has("MOVE"));  // from the tagged OK
    c.logout();
    check_script(srv);
}

TEST_CASE("AUTHENTICATE PLAIN: the trace holds neither the password nor its base64") {
    auto srv = script_server::from_file("imap/auth_plain_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    CHECK(c.info().capabilities_before_tls.empty());
    c.authenticate(alice());
    c.logout();
    check_script(srv);
    CHECK(rec.text.find("A1 AUTHENTICATE PLAIN <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
    CHECK(test::secrets::leaked(rec.text, std::string("\0alice@lab.test\0alice-pass-1", 28)).empty());
}

TEST_CASE("LOGIN: the quoted password is masked in the trace") {
    auto srv = script_server::from_file("imap/login_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options();
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    auto used = c.authenticate(alice());
    CHECK(used.password_command);
    CHECK(c.capabilities().has("IDLE"));
    c.logout();
    check_script(srv);
    CHECK(rec.text.find("A1 LOGIN alice@lab.test <redacted>") != std::string::npos);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "alice-pass-1").empty(), rec.text);
}

TEST_CASE("LOGIN: a literal password waits for + and is masked in the trace") {
    auto srv = script_server::from_file("imap/login_literal_trace.txt");
    test::secrets::recorder rec;
    auto o = opts(srv);
    o.net.trace = rec.options(true);
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), o);
    c.login("carol@lab.test", "p\xC3\xA4ssw\xC3\xB6rd-\xC4\x89");
    c.logout();
    check_script(srv);
    CHECK_MESSAGE(test::secrets::leaked(rec.text, "p\xC3\xA4ssw\xC3\xB6rd-\xC4\x89").empty(), rec.text);
}

TEST_CASE("a tagged OK before the literal was sent: protocol error, password never sent") {
    auto srv = script_server::from_file("imap/early_tagged_ok.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    auto ec = code_of([&] { c.login("carol@lab.test", "p\xC3\xA4ssw\xC3\xB6rd-\xC4\x89"); });
    CHECK(ec == make_error_code(errc::early_completion));
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
    for (const auto& line : r.client_lines) CHECK(line.find("ssw") == std::string::npos);
}

TEST_CASE("INJ-05: hostile arguments stay single arguments") {
    auto srv = script_server::from_file("imap/inj05_arguments.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    c.login("\"user", "sec\"ret{");
    std::error_code ec;
    auto select = [&](std::string_view mailbox) {
        command_builder b(c.next_tag(), "SELECT", c.literals());
        b.astring(mailbox);
        auto cmd = b.finish(ec);
        REQUIRE(cmd);
        return c.run(*cmd);
    };
    auto res = select("x\r\nA999 DELETE INBOX");
    REQUIRE(res.completion.code);
    CHECK(res.completion.code->name == "READ-WRITE");
    try {
        select("INBOX\"");
        FAIL("no command_error");
    } catch (const command_error& e) {
        CHECK(e.code() == make_error_code(errc::command_failed));
        CHECK(e.server_reply().status == "NO");
    }
    c.logout();
    check_script(srv);
}

TEST_CASE("wrong password: auth_error with the tagged NO, connection still usable") {
    auto srv = script_server::from_file("imap/auth_wrong_password.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    try {
        c.authenticate(alice("wrong"));
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().response_code == "AUTHENTICATIONFAILED");
        CHECK_FALSE(e.is_transient());
    }
    c.logout();
    check_script(srv);
}
