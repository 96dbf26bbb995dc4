#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/pop3/command.hpp"
#include "pigeon/pop3/error.hpp"

using namespace pigeon::pop3;
using namespace std::string_literals;

TEST_CASE("commands and their secret parts") {
    std::error_code ec;
    auto c = encode_simple("CAPA", ec);
    REQUIRE(c);
    CHECK(c->line == "CAPA");
    CHECK(c->secret.length == 0);

    c = encode_user("alice@lab.test", ec);
    REQUIRE(c);
    CHECK(c->line == "USER alice@lab.test");
    CHECK(c->secret.length == 0);

    c = encode_pass("pass with spaces", ec);
    REQUIRE(c);
    CHECK(c->line == "PASS pass with spaces");
    CHECK(c->line.substr(c->secret.offset) == "pass with spaces");
    CHECK(c->secret.length == std::string::npos);

    c = encode_auth("PLAIN", std::string("AGFsaWNlAHNlY3JldA=="), ec);
    REQUIRE(c);
    CHECK(c->line == "AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    CHECK(c->line.substr(c->secret.offset) == "AGFsaWNlAHNlY3JldA==");

    c = encode_auth("CRAM-MD5", std::nullopt, ec);
    REQUIRE(c);
    CHECK(c->line == "AUTH CRAM-MD5");
    CHECK(c->secret.length == 0);

    c = encode_sasl_response("", ec);
    REQUIRE(c);
    CHECK(c->line.empty());
}

TEST_CASE("AUTH with an initial response fits the 255-octet command line of RFC 5034 or is refused") {
    std::error_code ec;
    // "AUTH PLAIN " (11) + response + CRLF (2): 242 octets of response fit, 243 do not.
    auto c = encode_auth("PLAIN", std::string(242, 'A'), ec);
    REQUIRE(c);
    CHECK(c->line.size() + 2 == max_command_line);
    CHECK_FALSE(encode_auth("PLAIN", std::string(243, 'A'), ec));
    CHECK(ec == make_error_code(errc::invalid_argument));
}

TEST_CASE("encoders refuse CR, LF, NUL (and SP in single tokens)") {
    std::error_code ec;
    for (auto bad : {"a\r"s, "a\nQUIT"s, "a\0"s, "a b"s, ""s}) {
        INFO(bad);
        CHECK_FALSE(encode_user(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_auth(bad, std::nullopt, ec));
        CHECK_FALSE(encode_auth("PLAIN", bad, ec));
    }
    for (auto bad : {"pw\r\nDELE 1"s, "pw\n"s, "p\0w"s, ""s}) {
        INFO(bad);
        CHECK_FALSE(encode_pass(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
    }
    CHECK_FALSE(encode_sasl_response("abc\r\n", ec));
    CHECK_FALSE(encode_sasl_response("a b", ec));
    CHECK_FALSE(encode_simple("CAPA\r\nQUIT", ec));
    CHECK_FALSE(encode_simple("CA", ec));
    CHECK_FALSE(encode_simple("QUITS", ec));
    CHECK_FALSE(encode_simple("NO P", ec));
}
