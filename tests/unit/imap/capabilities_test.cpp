#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "parse_helpers.hpp"
#include "pigeon/imap/capabilities.hpp"

using namespace pigeon::imap;

TEST_CASE("capabilities from an untagged CAPABILITY response") {
    auto o = test::parse_pieces({"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
                                 "STARTTLS LOGINDISABLED AUTH=PLAIN auth=scram-sha-256 AUTH=CRAM-MD5\r\n"});
    REQUIRE(o.responses.size() == 1);
    auto c = capabilities::from_tokens(o.responses[0].data);
    CHECK(c.imap4rev1());
    CHECK_FALSE(c.imap4rev2());
    CHECK(c.starttls());
    CHECK(c.login_disabled());
    CHECK(c.sasl_ir());
    CHECK(c.literal_plus());
    CHECK_FALSE(c.literal_minus());
    CHECK(c.has("idle"));
    CHECK_FALSE(c.has("IDL"));
    CHECK(c.auth_mechanisms() == std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "CRAM-MD5"});
    CHECK(c.atoms().size() == 12);
    CHECK(c.atoms()[10] == "auth=scram-sha-256");  // as sent, for display
}

TEST_CASE("capabilities from a [CAPABILITY ...] response code") {
    auto o = test::parse_pieces({"* OK [CAPABILITY IMAP4rev2 LITERAL- AUTH=SCRAM-SHA-1] ready\r\n"});
    REQUIRE(o.responses.size() == 1);
    REQUIRE(o.responses[0].code);
    auto c = capabilities::from_code(*o.responses[0].code);
    CHECK(c.imap4rev2());
    CHECK(c.literal_minus());
    CHECK_FALSE(c.starttls());
    CHECK(c.auth_mechanisms() == std::vector<std::string>{"SCRAM-SHA-1"});
}

TEST_CASE("odd capability lists") {
    CHECK(capabilities::parse({}).empty());
    CHECK(capabilities::parse({"", ""}).empty());
    // "AUTH=" without a name is no mechanism; lists and strings are ignored.
    auto o = test::parse_pieces({"* CAPABILITY AUTH= (X) \"Y\" AUTH=X-1\r\n"});
    REQUIRE(o.responses.size() == 1);
    auto c = capabilities::from_tokens(o.responses[0].data);
    CHECK(c.auth_mechanisms() == std::vector<std::string>{"X-1"});
    CHECK(c.atoms() == std::vector<std::string>{"AUTH=", "AUTH=X-1"});
}
