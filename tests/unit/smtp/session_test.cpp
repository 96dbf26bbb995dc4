#include <doctest/doctest.h>

#include <ostream>

#include "pigeon/smtp/session.hpp"

using namespace pigeon::smtp;

namespace {
capabilities caps_with(bool starttls, bool auth, bool chunking) {
    capabilities c;
    c.esmtp = true;
    c.starttls = starttls;
    c.chunking = chunking;
    if (auth) c.auth_mechanisms = {"PLAIN"};
    return c;
}
} // namespace

TEST_CASE("legal commands through a session") {
    session s;
    CHECK(s.current() == state::disconnected);
    CHECK_FALSE(s.allowed(command::quit));
    CHECK_FALSE(s.allowed(command::ehlo));
    s.on_connected(false, false);
    s.on_greeting();
    CHECK(s.allowed(command::ehlo));
    CHECK(s.allowed(command::helo));
    CHECK_FALSE(s.allowed(command::lhlo));
    CHECK_FALSE(s.allowed(command::mail));
    CHECK_FALSE(s.allowed(command::starttls));
    s.on_hello(caps_with(true, false, false));
    CHECK(s.current() == state::ready);
    CHECK(s.allowed(command::starttls));
    CHECK_FALSE(s.allowed(command::auth));  // not offered before TLS
    CHECK(s.allowed(command::mail));
    CHECK_FALSE(s.allowed(command::rcpt));
    CHECK_FALSE(s.allowed(command::data));

    s.on_tls();
    CHECK(s.tls());
    CHECK(s.current() == state::greeted);
    CHECK_FALSE(s.caps().starttls);  // capabilities discarded
    CHECK_FALSE(s.allowed(command::mail));
    s.on_hello(caps_with(true, true, true));
    CHECK_FALSE(s.allowed(command::starttls));  // once only
    CHECK(s.allowed(command::auth));
    s.on_authenticated();
    CHECK_FALSE(s.allowed(command::auth));

    s.on_mail();
    CHECK_FALSE(s.allowed(command::mail));
    CHECK(s.allowed(command::rcpt));
    CHECK_FALSE(s.allowed(command::data));
    CHECK_FALSE(s.allowed(command::ehlo));
    s.on_rcpt();
    CHECK(s.allowed(command::data));
    CHECK(s.allowed(command::bdat));
    CHECK(s.allowed(command::rset));
    s.on_data();
    CHECK_FALSE(s.allowed(command::rset));
    CHECK_FALSE(s.allowed(command::noop));
    CHECK(s.allowed(command::bdat));
    CHECK(s.allowed(command::quit));
    s.on_transaction_end();
    CHECK(s.allowed(command::mail));
    s.on_closed();
    CHECK_FALSE(s.allowed(command::quit));
    CHECK_FALSE(s.allowed(command::noop));
}

TEST_CASE("LMTP uses LHLO only - BDAT needs CHUNKING") {
    session s;
    s.on_connected(true, false);
    s.on_greeting();
    CHECK(s.lmtp());
    CHECK(s.allowed(command::lhlo));
    CHECK_FALSE(s.allowed(command::ehlo));
    CHECK_FALSE(s.allowed(command::helo));
    s.on_hello(caps_with(false, false, false));
    s.on_mail();
    s.on_rcpt();
    CHECK(s.allowed(command::data));
    CHECK_FALSE(s.allowed(command::bdat));
    CHECK(std::string(to_string(state::rcpt)) == "rcpt");
    CHECK(std::string(to_string(command::starttls)) == "STARTTLS");
}
