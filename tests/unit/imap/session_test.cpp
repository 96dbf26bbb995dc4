#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/session.hpp"

using namespace pigeon::imap;

namespace {

session greeted(std::vector<std::string> caps, bool tls) {
    session s;
    s.on_greeting(condition::ok);
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
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));  // not greeted
    s.on_greeting(condition::ok);
    CHECK(s.check_starttls() == make_error_code(errc::starttls_not_offered));  // caps unknown
    s.on_capabilities(capabilities::parse({"IMAP4rev1", "AUTH=PLAIN"}));
    CHECK(s.check_starttls() == make_error_code(errc::starttls_not_offered));
    s.on_capabilities(capabilities::parse({"IMAP4rev1", "STARTTLS"}));
    CHECK_FALSE(s.check_starttls());
    s.on_tls_established();
    CHECK(s.caps().empty());          // pre-TLS knowledge is gone
    CHECK_FALSE(s.caps_known());
    CHECK(s.check_starttls() == make_error_code(errc::invalid_state));
    session p;
    p.on_greeting(condition::preauth);
    CHECK(p.current() == state::authenticated);
    p.on_capabilities(capabilities::parse({"STARTTLS"}));
    CHECK(p.check_starttls() == make_error_code(errc::invalid_state));
}

TEST_CASE("authentication plan") {
    auto creds = alice();
    pigeon::sasl::selection_options none;
    pigeon::sasl::selection_options clear;
    clear.allow_cleartext_secrets = true;

    auto p = greeted({"IMAP4rev1", "AUTH=PLAIN", "AUTH=SCRAM-SHA-256", "AUTH=CRAM-MD5"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::sasl);
    CHECK(p.mechanism == "SCRAM-SHA-256");

    // Without TLS, PLAIN is not chosen and LOGIN is refused...
    p = greeted({"IMAP4rev1", "AUTH=PLAIN"}, false).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::none);
    CHECK(p.refusal == make_error_code(errc::cleartext_refused));
    // ... unless explicitly allowed.
    p = greeted({"IMAP4rev1", "AUTH=PLAIN"}, false).plan_auth(creds, clear);
    CHECK(p.how == auth_plan::method::sasl);
    CHECK(p.mechanism == "PLAIN");

    // CRAM-MD5 needs no TLS.
    p = greeted({"IMAP4rev1", "AUTH=PLAIN", "AUTH=CRAM-MD5"}, false).plan_auth(creds, none);
    CHECK(p.mechanism == "CRAM-MD5");

    // No AUTH=: LOGIN under TLS, never with LOGINDISABLED.
    p = greeted({"IMAP4rev1"}, true).plan_auth(creds, none);
    CHECK(p.how == auth_plan::method::login);
    p = greeted({"IMAP4rev1", "LOGINDISABLED"}, true).plan_auth(creds, none);
    CHECK(p.refusal == make_error_code(errc::login_disabled));
    p = greeted({"IMAP4rev1", "LOGINDISABLED", "STARTTLS"}, false).plan_auth(creds, clear);
    CHECK(p.refusal == make_error_code(errc::login_disabled));

    // A caller restricting mechanisms gets no LOGIN fallback.
    pigeon::sasl::selection_options only;
    only.allowed = {"SCRAM-SHA-1"};
    p = greeted({"IMAP4rev1", "AUTH=PLAIN"}, true).plan_auth(creds, only);
    CHECK(p.refusal == make_error_code(errc::no_mechanism));

    // Not in the not-authenticated state.
    session s;
    s.on_greeting(condition::preauth);
    CHECK(s.plan_auth(creds, none).refusal == make_error_code(errc::invalid_state));
}

TEST_CASE("literal options follow LITERAL+ and LITERAL-") {
    CHECK_FALSE(greeted({"IMAP4rev1"}, true).literals().non_synchronizing);
    auto plus = greeted({"LITERAL+"}, true).literals();
    CHECK(plus.non_synchronizing);
    CHECK(plus.non_sync_max > 1u << 30);
    auto minus = greeted({"LITERAL-"}, true).literals();
    CHECK(minus.non_synchronizing);
    CHECK(minus.non_sync_max == 4096);
}
