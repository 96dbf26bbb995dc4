#include <ostream> // before doctest: it prints std::error_code
#include <doctest/doctest.h>
#include <pigeon/mime/compose_address.hpp>
#include <pigeon/mime/compose_error.hpp>

using namespace pigeon::mime;

TEST_CASE("addresses: the forms people type")
{
    compose_address a;
    REQUIRE_FALSE(parse_compose_address("ann@example.org", a));
    CHECK(a.display_name.empty());
    CHECK(a.address == "ann@example.org");
    REQUIRE_FALSE(parse_compose_address("  Ann Smith <ann@example.org> ", a));
    CHECK(a.display_name == "Ann Smith");
    CHECK(a.address == "ann@example.org");
    REQUIRE_FALSE(parse_compose_address("\"Smith, Ann \\\"A\\\"\" <ann@example.org>", a));
    CHECK(a.display_name == "Smith, Ann \"A\"");
    REQUIRE_FALSE(parse_compose_address("<ann@example.org>", a));
    CHECK(a.display_name.empty());
    REQUIRE_FALSE(parse_compose_address("\"a b\"@example.org", a));
    CHECK(a.address == "\"a b\"@example.org");
    REQUIRE_FALSE(parse_compose_address("root@localhost", a));
    REQUIRE_FALSE(parse_compose_address("x@[192.0.2.1]", a));
}

TEST_CASE("addresses: lists split at commas outside quotes and brackets")
{
    std::vector<compose_address> l;
    REQUIRE_FALSE(parse_compose_address_list("a@x.org, \"Doe, J\" <j@y.org>,, <k@z.org>,", l));
    REQUIRE(l.size() == 3);
    CHECK(l[1].display_name == "Doe, J");
    CHECK(l[2].address == "k@z.org");
    std::vector<compose_address> none;
    CHECK(parse_compose_address_list("a@x.org, bad", none) == compose_errc::invalid_address);
    CHECK(none.empty());
}

TEST_CASE("addresses: invalid ones refused")
{
    compose_address a;
    for (const char* bad : {"", "no-at", "a@", "@b.org", "a..b@c.org", ".a@b.org", "a@-b.org", "a@b-.org",
                            "a b@c.org", "a@b..org", "Name <a@b.org", "\"a@b.org", "a@b_c.org", "<a@b>>"})
        CHECK_MESSAGE(parse_compose_address(bad, a) == compose_errc::invalid_address, bad);
    CHECK(check_addr_spec(std::string(65, 'l') + "@x.org", false) == compose_errc::invalid_address);
}

TEST_CASE("addresses: CR, LF, NUL and Unicode line separators are refused (INJ-01/02)")
{
    compose_address a;
    for (const std::string& bad :
         {std::string("v@example.com>\r\nRCPT TO:<a@evil>"), std::string("\"v\r\nRSET\"@example.com"),
          std::string("v@example.com\0", 15), std::string("v@example.com\nDATA"), std::string("v@example.com\r"),
          std::string("x\r\nBcc: a@evil <v@example.com>"), std::string("x\xe2\x80\xa8" "Bcc: <v@example.com>")})
        CHECK(parse_compose_address(bad, a) == compose_errc::forbidden_character);
    compose_address direct{"Eve\nBcc: x@evil", "v@example.com"};
    CHECK(check_compose_address(direct, false) == compose_errc::forbidden_character);
}

TEST_CASE("addresses: internationalised only with SMTPUTF8")
{
    compose_address a;
    const std::string idn = "j\xc3\xb6rg@b\xc3\xbc" "cher.example";
    CHECK(parse_compose_address(idn, a, false) == compose_errc::needs_smtputf8);
    REQUIRE_FALSE(parse_compose_address(idn, a, true));
    CHECK(a.address == idn);
    // A UTF-8 display name is fine either way (RFC 2047).
    REQUIRE_FALSE(parse_compose_address("J\xc3\xb6rg <j@example.org>", a, false));
    // Invalid UTF-8 in an address is still invalid.
    CHECK(parse_compose_address("j\xff@example.org", a, true) == compose_errc::invalid_utf8);
}

TEST_CASE("addresses: header form")
{
    CHECK(format_compose_address({"", "a@b.org"}) == "a@b.org");
    CHECK(format_compose_address({"Ann Smith", "a@b.org"}) == "Ann Smith <a@b.org>");
    CHECK(format_compose_address({"Smith, Ann", "a@b.org"}) == "\"Smith, Ann\" <a@b.org>");
    CHECK(format_compose_address({"Andr\xc3\xa9", "a@b.org"}) == "=?UTF-8?B?QW5kcsOp?= <a@b.org>");
    CHECK(envelope_key("Ann@Example.ORG") == "Ann@example.org");
}
