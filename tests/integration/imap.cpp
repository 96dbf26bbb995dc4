// The IMAP client against the lab's Dovecot (tests/support/lab.hpp): STARTTLS
// and implicit TLS with verification against the lab CA, every SASL
// mechanism Dovecot offers, LOGIN, a non-ASCII password, wrong passwords, and
// a trace free of secrets.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "pigeon/imap/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/secrets.hpp"
#include "support/trace_capture.hpp"

using namespace pigeon;
using namespace pigeon::imap;
namespace lab = pigeon::test::lab;

namespace {

using lab::creds;
using lab::only;
using test::secrets::contains_any_form;

net::endpoint ep(net::tls_mode mode) { return lab::endpoint(net::protocol::imap, mode); }

client_options opts() {
    client_options o;
    o.net = lab::session_options();
    return o;
}

bool has(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

} // namespace

TEST_CASE("STARTTLS with verification against the lab CA") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    const auto& info = c.info();
    CHECK(info.greeting.rfind("* OK ", 0) == 0);
    CHECK(has(info.capabilities_before_tls, "STARTTLS"));
    CHECK(has(info.capabilities_before_tls, "LOGINDISABLED"));
    CHECK_FALSE(has(info.capabilities_before_tls, "AUTH=PLAIN"));
    CHECK(has(info.capabilities_after_tls, "AUTH=PLAIN"));
    CHECK_FALSE(has(info.capabilities_after_tls, "STARTTLS"));
    CHECK_FALSE(has(info.capabilities_after_tls, "LOGINDISABLED"));
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK_FALSE(c.channel().tls()->version.empty());
    c.logout();
}

TEST_CASE("implicit TLS with verification against the lab CA") {
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK(c.info().capabilities_before_tls.empty());
    CHECK(has(c.info().capabilities_after_tls, "IMAP4rev1"));
    CHECK(c.info().tls_active);
    CHECK_FALSE(c.info().starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    c.logout();
}

TEST_CASE("verification is on: a CA that did not sign the certificate is refused") {
    auto o = opts();
    o.net.tls.ca_file.clear();  // the system store does not know the lab CA
    CHECK_THROWS_AS(test::connected<client>(ep(net::tls_mode::implicit), o), net::tls_error);
    CHECK_THROWS_AS(test::connected<client>(ep(net::tls_mode::starttls), o), net::tls_error);
}

TEST_CASE("authenticate alice with each mechanism, after STARTTLS and over implicit TLS") {
    for (auto mode : {net::tls_mode::starttls, net::tls_mode::implicit}) {
        for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"}) {
            INFO(mech << (mode == net::tls_mode::implicit ? " imaps" : " starttls"));
            auto c = test::connected<client>(ep(mode), opts());
            auto used = c.authenticate(creds(lab::alice), only(mech));
            CHECK(used.mechanism == mech);
            CHECK(c.state() == state::authenticated);
            CHECK(c.capabilities().has("IDLE"));  // post-login capabilities
            c.logout();
        }
    }
}

TEST_CASE("the default choice is the strongest: SCRAM-SHA-256") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    CHECK(c.authenticate(creds(lab::alice)).mechanism == "SCRAM-SHA-256");
    c.logout();
}

TEST_CASE("carol's non-ASCII password with SCRAM and with LOGIN (a literal)") {
    for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}) {
        INFO(mech);
        auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
        CHECK(c.authenticate(creds(lab::carol), only(mech)).mechanism == mech);
        c.logout();
    }
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    c.login(std::string(lab::carol.name), std::string(lab::carol.password));
    CHECK(c.state() == state::authenticated);
    c.logout();
}

TEST_CASE("LOGIN fallback") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    c.login(std::string(lab::bob.name), std::string(lab::bob.password));
    CHECK(c.state() == state::authenticated);
    c.logout();
}

TEST_CASE("on the clear connection nothing secret is sent") {
    auto o = opts();
    auto c = test::connected<client>([] {
        auto e = ep(net::tls_mode::none);
        return e;
    }(), o);
    CHECK_FALSE(c.info().tls_active);
    // LOGINDISABLED and no PLAIN before TLS: LOGIN is refused locally.
    try {
        c.login(std::string(lab::alice.name), std::string(lab::alice.password), true);
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::login_disabled));
    }
    // SCRAM needs no TLS and works.
    CHECK(c.authenticate(creds(lab::alice)).mechanism == "SCRAM-SHA-256");
    c.logout();
}

TEST_CASE("wrong password: auth_error, and the connection stays usable") {
    for (const char* mech : {"SCRAM-SHA-256", "CRAM-MD5", "PLAIN"}) {
        INFO(mech);
        auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
        auto bad = creds(lab::alice);
        bad.password = "not-alices-password";
        try {
            c.authenticate(bad, only(mech));
            FAIL("no auth_error");
        } catch (const auth_error& e) {
            CHECK(e.code() == make_error_code(errc::auth_failed));
            CHECK(std::string(e.what()).find("not-alices-password") == std::string::npos);
        }
        CHECK(c.authenticate(creds(lab::alice), only(mech)).mechanism == mech);
        c.logout();
    }
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK_THROWS_AS(c.login(std::string(lab::alice.name), "wrong"), auth_error);
    c.logout();
}

TEST_CASE("a trace of SCRAM, PLAIN and LOGIN at the most verbose level holds no secret") {
    for (const char* mech : {"SCRAM-SHA-256", "PLAIN", "LOGIN"}) {
        INFO(mech);
        std::string trace;
        auto o = opts();
        o.net.trace = test::capture_trace(trace);
        auto c = test::connected<client>(ep(net::tls_mode::starttls), o);
        c.authenticate(creds(lab::carol), only(mech));
        c.logout();
        CHECK(trace.find("<redacted>") != std::string::npos);
        CHECK_FALSE(contains_any_form(trace, std::string(lab::carol.password)));
    }
    // The LOGIN command: alice's password quoted, carol's as a literal.
    for (const auto* who : {&lab::alice, &lab::carol}) {
        std::string trace;
        auto o = opts();
        o.net.trace = test::capture_trace(trace);
        auto c = test::connected<client>(ep(net::tls_mode::implicit), o);
        c.login(std::string(who->name), std::string(who->password));
        c.logout();
        CHECK(trace.find(" LOGIN ") != std::string::npos);
        CHECK_FALSE(contains_any_form(trace, std::string(who->password)));
    }
}
