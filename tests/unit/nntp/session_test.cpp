#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/nntp/error.hpp"
#include "pigeon/nntp/session.hpp"

using namespace pigeon::nntp;

namespace {

session greeted(std::vector<std::string> caps, bool tls) {
    session s;
    s.on_greeting(200);
    if (tls) s.on_tls_established();
    s.on_capabilities(capabilities::parse(caps));
    return s;
}

pigeon::sasl::credentials alice() {
    pigeon::sasl::credentials c;
    c.username = "alice@lab.test";
    c.password = "alice-pass-1";
    return c;
}

} // namespace

TEST_CASE("STARTTLS only when offered, once, before authentication") {
    session s;
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));
    s.on_greeting(201);
    CHECK_FALSE(s.posting_allowed());
    CHECK(s.check_starttls() == make_error_code(errc::starttls_not_offered));
    s.on_capabilities(capabilities::parse({"VERSION 2", "READER", "STARTTLS"}));
    CHECK_FALSE(s.check_starttls());
    s.on_tls_established();
    CHECK(s.caps().empty());
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));
}

TEST_CASE("authentication plan") {
    auto creds = alice();
    pigeon::sasl::selection_options none, clear;
    clear.allow_cleartext_secrets = true;

    auto p = greeted({"AUTHINFO USER SASL", "SASL PLAIN SCRAM-SHA-256"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::sasl);
    CHECK(p.mechanism == "SCRAM-SHA-256");
    // SASL line without AUTHINFO SASL: not usable.
    p = greeted({"AUTHINFO USER", "SASL PLAIN SCRAM-SHA-256"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::user_pass);
    p = greeted({"AUTHINFO USER"}, false).plan_auth(creds, none);
    CHECK(p.refusal == make_error_code(errc::cleartext_refused));
    p = greeted({"AUTHINFO USER"}, false).plan_auth(creds, clear);
    CHECK(p.how == auth_plan::method::user_pass);
    p = greeted({"READER"}, true).plan_auth(creds, none);
    CHECK(p.refusal == make_error_code(errc::no_mechanism));
    auto s = greeted({"AUTHINFO USER"}, true);
    s.on_authenticated();
    CHECK(s.caps().empty());  // to be re-read (RFC 4643 section 2.2)
    CHECK(s.plan_auth(creds, none).refusal == make_error_code(errc::invalid_state));
}
