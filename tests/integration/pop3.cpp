// The POP3 client against the lab's Dovecot (tests/support/lab.hpp): STLS
// and implicit TLS with verification against the lab CA, every SASL
// mechanism, USER/PASS, a non-ASCII password, wrong passwords, and a trace
// free of secrets.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "pigeon/pop3/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/secrets.hpp"
#include "support/trace_capture.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
namespace lab = pigeon::test::lab;

namespace {

using lab::creds;
using lab::only;
using test::secrets::contains_any_form;

net::endpoint ep(net::tls_mode mode) { return lab::endpoint(net::protocol::pop3, mode); }

client_options opts() {
    client_options o;
    o.net = lab::session_options();
    return o;
}

bool has(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

} // namespace

TEST_CASE("STLS with verification against the lab CA") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    const auto& info = c.info();
    CHECK(info.greeting.rfind("+OK", 0) == 0);
    CHECK(has(info.capabilities_before_tls, "STLS"));
    CHECK_FALSE(has(info.capabilities_before_tls, "USER"));  // plaintext auth only after TLS
    CHECK(has(info.capabilities_after_tls, "USER"));
    CHECK_FALSE(has(info.capabilities_after_tls, "STLS"));
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK(c.capabilities().sasl_mechanisms().size() >= 5);
    c.quit();
}

TEST_CASE("implicit TLS with verification against the lab CA") {
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK(c.info().capabilities_before_tls.empty());
    CHECK(has(c.info().capabilities_after_tls, "UIDL"));
    CHECK(c.info().tls_active);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    c.quit();
}

TEST_CASE("verification is on: without the lab CA the certificate is refused") {
    auto o = opts();
    o.net.tls.ca_file.clear();
    CHECK_THROWS_AS(test::connected<client>(ep(net::tls_mode::implicit), o), net::tls_error);
    CHECK_THROWS_AS(test::connected<client>(ep(net::tls_mode::starttls), o), net::tls_error);
}

TEST_CASE("authenticate alice with each mechanism, after STLS and over implicit TLS") {
    for (auto mode : {net::tls_mode::starttls, net::tls_mode::implicit}) {
        for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"}) {
            INFO(mech << (mode == net::tls_mode::implicit ? " pop3s" : " stls"));
            auto c = test::connected<client>(ep(mode), opts());
            auto used = c.authenticate(creds(lab::alice), only(mech));
            CHECK(used.mechanism == mech);
            CHECK(c.state() == state::transaction);
            c.quit();
        }
    }
}

TEST_CASE("the default choice is the strongest: SCRAM-SHA-256") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    CHECK(c.authenticate(creds(lab::alice)).mechanism == "SCRAM-SHA-256");
    c.quit();
}

TEST_CASE("carol's non-ASCII password") {
    for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}) {
        INFO(mech);
        auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
        CHECK(c.authenticate(creds(lab::carol), only(mech)).mechanism == mech);
        c.quit();
    }
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    c.login(std::string(lab::carol.name), std::string(lab::carol.password));
    CHECK(c.state() == state::transaction);
    c.quit();
}

TEST_CASE("USER/PASS fallback") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    c.login(std::string(lab::bob.name), std::string(lab::bob.password));
    CHECK(c.state() == state::transaction);
    c.quit();
}

TEST_CASE("on the clear connection nothing secret is sent, SCRAM works") {
    auto c = test::connected<client>(ep(net::tls_mode::none), opts());
    CHECK_FALSE(c.info().tls_active);
    try {
        c.login(std::string(lab::alice.name), std::string(lab::alice.password));
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::cleartext_refused));
    }
    CHECK(c.authenticate(creds(lab::alice)).mechanism == "SCRAM-SHA-256");
    c.quit();
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
            CHECK(e.server_reply().has_code("AUTH"));
            CHECK(std::string(e.what()).find("not-alices-password") == std::string::npos);
        }
        CHECK(c.authenticate(creds(lab::alice), only(mech)).mechanism == mech);
        c.quit();
    }
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK_THROWS_AS(c.login(std::string(lab::alice.name), "wrong"), auth_error);
    c.quit();
}

TEST_CASE("a trace of SCRAM, PLAIN and USER/PASS at the most verbose level holds no secret") {
    auto traced = [](std::string& trace) {
        auto o = opts();
        o.net.trace = test::capture_trace(trace);
        return o;
    };
    for (const char* mech : {"SCRAM-SHA-256", "PLAIN"}) {
        INFO(mech);
        std::string trace;
        auto c = test::connected<client>(ep(net::tls_mode::starttls), traced(trace));
        c.authenticate(creds(lab::carol), only(mech));
        c.quit();
        CHECK(trace.find("<redacted>") != std::string::npos);
        CHECK_FALSE(contains_any_form(trace, std::string(lab::carol.password)));
    }
    std::string trace;
    auto c = test::connected<client>(ep(net::tls_mode::starttls), traced(trace));
    c.login(std::string(lab::alice.name), std::string(lab::alice.password));
    c.quit();
    CHECK(trace.find("PASS <redacted>") != std::string::npos);
    CHECK_FALSE(contains_any_form(trace, std::string(lab::alice.password)));
}
