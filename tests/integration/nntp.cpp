// The NNTP client against the lab's INN (tests/support/lab.hpp): STARTTLS
// (innd handing over to nnrpd) and implicit TLS (nnrpd -S) with verification
// against the lab CA, AUTHINFO USER/PASS, AUTHINFO SASL, a non-ASCII
// password, wrong passwords, and a trace free of secrets.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "pigeon/nntp/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/secrets.hpp"
#include "support/trace_capture.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
namespace lab = pigeon::test::lab;

namespace {

using lab::creds;
using lab::only;
using test::secrets::contains_any_form;

net::endpoint ep(net::tls_mode mode) { return lab::endpoint(net::protocol::nntp, mode); }

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
    CHECK((info.greeting_code == 200 || info.greeting_code == 201));
    CHECK(has(info.capabilities_before_tls, "STARTTLS"));
    CHECK(has(info.capabilities_after_tls, "VERSION 2"));
    CHECK_FALSE(has(info.capabilities_after_tls, "STARTTLS"));
    CHECK(info.tls_active);
    CHECK(info.starttls_used);
    REQUIRE(c.channel().tls() != nullptr);
    CHECK(c.channel().tls()->verified);
    CHECK(c.capabilities().version() == 2);
    CHECK(c.capabilities().reader());
    c.quit();
}

TEST_CASE("implicit TLS with verification against the lab CA") {
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK(c.info().capabilities_before_tls.empty());
    CHECK(has(c.info().capabilities_after_tls, "VERSION 2"));
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

TEST_CASE("AUTHINFO USER/PASS, after STARTTLS and over implicit TLS") {
    for (auto mode : {net::tls_mode::starttls, net::tls_mode::implicit}) {
        for (const auto* who : {&lab::alice, &lab::carol}) {
            INFO(who->name << (mode == net::tls_mode::implicit ? " nntps" : " starttls"));
            auto c = test::connected<client>(ep(mode), opts());
            c.login(std::string(who->name), std::string(who->password));
            CHECK(c.state() == state::authenticated);
            CHECK(c.capabilities().post());  // posting needs authentication in the lab
            c.quit();
        }
    }
}

TEST_CASE("AUTHINFO SASL with each mechanism") {
    for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN"}) {
        INFO(mech);
        auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
        CHECK(c.authenticate(creds(lab::alice), only(mech)).mechanism == mech);
        CHECK(c.state() == state::authenticated);
        c.quit();
    }
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    CHECK(c.authenticate(creds(lab::carol), only("SCRAM-SHA-256")).mechanism == "SCRAM-SHA-256");
    c.quit();
}

TEST_CASE("wrong password: auth_error with 481") {
    auto c = test::connected<client>(ep(net::tls_mode::starttls), opts());
    try {
        c.login(std::string(lab::alice.name), "not-alices-password");
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().code == 481);
        CHECK(std::string(e.what()).find("not-alices-password") == std::string::npos);
    }
    c.quit();
    auto d = test::connected<client>(ep(net::tls_mode::implicit), opts());
    auto bad = creds(lab::alice);
    bad.password = "not-alices-password";
    CHECK_THROWS_AS(d.authenticate(bad, only("SCRAM-SHA-256")), auth_error);
    d.quit();
}

TEST_CASE("on the clear connection no password is sent") {
    auto c = test::connected<client>(ep(net::tls_mode::none), opts());
    CHECK_FALSE(c.info().tls_active);
    try {
        c.login(std::string(lab::alice.name), std::string(lab::alice.password));
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::cleartext_refused));
    }
    c.quit();
}

TEST_CASE("a trace of AUTHINFO at the most verbose level holds no secret") {
    std::string trace;
    auto o = opts();
    o.net.trace = test::capture_trace(trace);
    auto c = test::connected<client>(ep(net::tls_mode::starttls), o);
    c.login(std::string(lab::carol.name), std::string(lab::carol.password));
    c.quit();
    auto d = test::connected<client>(ep(net::tls_mode::starttls), o);
    d.authenticate(creds(lab::carol), only("PLAIN"));
    d.quit();
    CHECK(trace.find("AUTHINFO PASS <redacted>") != std::string::npos);
    CHECK(trace.find("AUTHINFO SASL PLAIN <redacted>") != std::string::npos);
    CHECK_FALSE(contains_any_form(trace, std::string(lab::carol.password)));
}
