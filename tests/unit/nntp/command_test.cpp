#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;

TEST_CASE("commands and their secret parts") {
    std::error_code ec;
    auto c = encode_command({"CAPABILITIES"}, ec);
    REQUIRE(c);
    CHECK(c->line == "CAPABILITIES");
    c = encode_command({"MODE", "READER"}, ec);
    CHECK(c->line == "MODE READER");

    c = encode_authinfo_user("alice@lab.test", ec);
    REQUIRE(c);
    CHECK(c->line == "AUTHINFO USER alice@lab.test");
    CHECK(c->secret.length == 0);

    c = encode_authinfo_pass("a b c", ec);
    REQUIRE(c);
    CHECK(c->line == "AUTHINFO PASS a b c");
    CHECK(c->line.substr(c->secret.offset) == "a b c");

    c = encode_authinfo_sasl("PLAIN", std::string("AGEAYg=="), ec);
    REQUIRE(c);
    CHECK(c->line == "AUTHINFO SASL PLAIN AGEAYg==");
    CHECK(c->line.substr(c->secret.offset) == "AGEAYg==");

    c = encode_sasl_response("", ec);
    REQUIRE(c);
    CHECK(c->line == "=");  // RFC 4643: an empty response is "="
    CHECK(c->secret.length == std::string::npos);
}

TEST_CASE("encoders refuse CR, LF, NUL, SP in tokens, and over-long lines") {
    std::error_code ec;
    for (auto bad : {"a\r"s, "a\nQUIT"s, "a\0"s, "a b"s, ""s}) {
        INFO(bad);
        CHECK_FALSE(encode_command({"GROUP", bad}, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_authinfo_user(bad, ec));
        CHECK_FALSE(encode_authinfo_sasl(bad, std::nullopt, ec));
    }
    for (auto bad : {"pw\r\nPOST"s, "pw\n"s, "p\0w"s, ""s}) {
        CHECK_FALSE(encode_authinfo_pass(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
    }
    CHECK_FALSE(encode_command({}, ec));
    CHECK(encode_command({"GROUP", std::string(497, 'g')}, ec));   // 6 + 497 + 2 = 505
    CHECK_FALSE(encode_command({"GROUP", std::string(505, 'g')}, ec));  // 513 with CRLF
    CHECK_FALSE(encode_sasl_response("a\r\n", ec));
}
