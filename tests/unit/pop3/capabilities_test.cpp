#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/pop3/capabilities.hpp"

using namespace pigeon::pop3;

TEST_CASE("Dovecot's CAPA list") {
    auto c = capabilities::parse({"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER",
                                  "SASL PLAIN LOGIN CRAM-MD5 scram-sha-1 SCRAM-SHA-256", "IMPLEMENTATION Dovecot 2.3"});
    CHECK(c.stls());
    CHECK(c.user());
    CHECK(c.top());
    CHECK(c.uidl());
    CHECK(c.pipelining());
    CHECK(c.resp_codes());
    CHECK(c.has("auth-resp-code"));
    CHECK_FALSE(c.has("EXPIRE"));
    CHECK(c.sasl_mechanisms() ==
          std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"});
    CHECK(c.implementation() == "Dovecot 2.3");
    CHECK(c.lines().size() == 10);
    CHECK(c.entries()[8].keyword == "SASL");
    CHECK(c.entries()[8].arguments.size() == 5);
}

TEST_CASE("odd CAPA lists") {
    CHECK(capabilities::parse({}).empty());
    auto c = capabilities::parse({"", "   ", "\tEXPIRE  30\tUSER", "sasl"});
    CHECK(c.lines().size() == 2);  // blank lines skipped
    CHECK(c.arguments("EXPIRE") == std::vector<std::string>{"30", "USER"});
    CHECK_FALSE(c.user());  // USER as an argument is not the USER capability
    CHECK(c.sasl_mechanisms().empty());
    CHECK(c.arguments("NOPE").empty());
}
