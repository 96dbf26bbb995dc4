#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/pop3/error.hpp"
#include "pigeon/pop3/session.hpp"

using namespace pigeon::pop3;

namespace {

session greeted(std::vector<std::string> caps, bool tls) {
    session s;
    s.on_greeting();
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

TEST_CASE("STLS only when offered, once, before authentication") {
    session s;
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));
    s.on_greeting();
    CHECK(s.check_starttls() == make_error_code(errc::starttls_not_offered));  // no CAPA answer
    s.on_capabilities(capabilities::parse({"USER", "SASL PLAIN"}));
    CHECK(s.check_starttls() == make_error_code(errc::starttls_not_offered));
    s.on_capabilities(capabilities::parse({"USER", "STLS"}));
    CHECK_FALSE(s.check_starttls());
    s.on_tls_established();
    CHECK(s.caps().empty());
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));
}

TEST_CASE("authentication plan") {
    auto creds = alice();
    pigeon::sasl::selection_options none, clear;
    clear.allow_cleartext_secrets = true;

    auto p = greeted({"SASL PLAIN SCRAM-SHA-256", "USER"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::sasl);
    CHECK(p.mechanism == "SCRAM-SHA-256");

    p = greeted({"SASL PLAIN", "USER"}, false).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::none);
    CHECK(p.refusal == make_error_code(errc::cleartext_refused));

    p = greeted({"SASL PLAIN", "USER"}, false).plan_auth(creds, clear);
    CHECK(p.mechanism == "PLAIN");

    p = greeted({"USER"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::user_pass);

    p = greeted({"TOP"}, true).plan_auth(creds, none);
    CHECK(p.refusal == make_error_code(errc::no_mechanism));

    // A server without CAPA: USER/PASS is worth a try, under TLS.
    session old;
    old.on_greeting();
    old.on_tls_established();
    old.on_capabilities_unavailable();
    CHECK(old.plan_auth(creds, none).how == auth_plan::method::user_pass);

    pigeon::sasl::selection_options only;
    only.allowed = {"CRAM-MD5"};
    p = greeted({"USER", "SASL PLAIN"}, true).plan_auth(creds, only);
    CHECK(p.refusal == make_error_code(errc::no_mechanism));

    auto s = greeted({"USER"}, true);
    s.on_authenticated();
    CHECK(s.plan_auth(creds, none).refusal == make_error_code(errc::invalid_state));
}
