// PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER and EXTERNAL against their
// published examples, byte for byte.
#include <doctest/doctest.h>

#include <ostream>  // lets doctest print std::error_code
#include <string>
#include <system_error>

#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/mechanism.hpp"

using namespace std::string_literals;
using pigeon::sasl::credentials;
using pigeon::sasl::errc;
using pigeon::sasl::make_mechanism;

namespace {

credentials user_pass(std::string user, std::string pass) {
    credentials c;
    c.username = std::move(user);
    c.password = std::move(pass);
    return c;
}

} // namespace

TEST_CASE("make_mechanism knows the names, case-insensitively") {
    const credentials c = user_pass("u", "p");
    for (const char* n : {"PLAIN", "plain", "Login", "CRAM-MD5", "scram-sha-1", "SCRAM-SHA-256", "XOAUTH2",
                          "oauthbearer", "EXTERNAL"}) {
        auto m = make_mechanism(n, c);
        REQUIRE(m != nullptr);
        std::string upper(n);
        for (char& ch : upper)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        CHECK(m->name() == upper);
    }
    CHECK(make_mechanism("DIGEST-MD5", c) == nullptr);
    CHECK(make_mechanism("GSSAPI", c) == nullptr);
    CHECK(make_mechanism("", c) == nullptr);
    CHECK(make_mechanism("SCRAM-SHA-256-PLUS", c) == nullptr);
}

TEST_CASE("exposes_secret marks the reusable-secret mechanisms") {
    const credentials c = user_pass("u", "p");
    CHECK(make_mechanism("PLAIN", c)->exposes_secret());
    CHECK(make_mechanism("LOGIN", c)->exposes_secret());
    CHECK(make_mechanism("XOAUTH2", c)->exposes_secret());
    CHECK(make_mechanism("OAUTHBEARER", c)->exposes_secret());
    CHECK_FALSE(make_mechanism("CRAM-MD5", c)->exposes_secret());
    CHECK_FALSE(make_mechanism("SCRAM-SHA-1", c)->exposes_secret());
    CHECK_FALSE(make_mechanism("SCRAM-SHA-256", c)->exposes_secret());
    CHECK_FALSE(make_mechanism("EXTERNAL", c)->exposes_secret());
}

TEST_CASE("PLAIN: RFC 4616 section 4 examples") {
    std::error_code ec;
    SUBCASE("no authzid") {
        auto m = make_mechanism("PLAIN", user_pass("tim", "tanstaaftanstaaf"));
        const auto ir = m->initial_response(ec);
        REQUIRE_FALSE(ec);
        REQUIRE(ir);
        CHECK(*ir == "\0tim\0tanstaaftanstaaf"s);
    }
    SUBCASE("with authzid") {
        credentials c = user_pass("Kurt", "xipj3plmq");
        c.authzid = "Ursel";
        auto m = make_mechanism("PLAIN", c);
        const auto ir = m->initial_response(ec);
        REQUIRE_FALSE(ec);
        REQUIRE(ir);
        CHECK(*ir == "Ursel\0Kurt\0xipj3plmq"s);
    }
    SUBCASE("the password is sent as given, not SASLprep'd") {
        auto m = make_mechanism("PLAIN", user_pass("u", "I\xC2\xADX"));
        const auto ir = m->initial_response(ec);
        REQUIRE(ir);
        CHECK(*ir == "\0u\0I\xC2\xADX"s);
    }
    SUBCASE("missing and invalid credentials") {
        CHECK_FALSE(make_mechanism("PLAIN", user_pass("tim", ""))->initial_response(ec));
        CHECK(ec == errc::missing_credentials);
        CHECK_FALSE(make_mechanism("PLAIN", user_pass("", "x"))->initial_response(ec));
        CHECK(ec == errc::missing_credentials);
        CHECK_FALSE(make_mechanism("PLAIN", user_pass("tim", "a\0b"s))->initial_response(ec));
        CHECK(ec == errc::invalid_credentials);
        CHECK_FALSE(make_mechanism("PLAIN", user_pass("t\0m"s, "ab"))->initial_response(ec));
        CHECK(ec == errc::invalid_credentials);
    }
    SUBCASE("a further challenge is refused") {
        auto m = make_mechanism("PLAIN", user_pass("tim", "x"));
        REQUIRE(m->initial_response(ec));
        CHECK(m->respond("more?", ec).empty());
        CHECK(ec == errc::bad_challenge);
    }
}

TEST_CASE("LOGIN answers the two prompts by order") {
    std::error_code ec;
    auto m = make_mechanism("LOGIN", user_pass("alice", "s3cret"));
    CHECK_FALSE(m->initial_response(ec).has_value());
    CHECK_FALSE(ec);
    CHECK(m->respond("Username:", ec) == "alice");
    CHECK_FALSE(ec);
    CHECK(m->respond("Password:", ec) == "s3cret");
    CHECK_FALSE(ec);
    CHECK(m->respond("Again:", ec).empty());
    CHECK(ec == errc::bad_challenge);

    auto nopass = make_mechanism("LOGIN", user_pass("alice", ""));
    (void)nopass->initial_response(ec);
    CHECK(nopass->respond("Username:", ec).empty());
    CHECK(ec == errc::missing_credentials);
}

TEST_CASE("CRAM-MD5: RFC 2195 example") {
    std::error_code ec;
    auto m = make_mechanism("CRAM-MD5", user_pass("tim", "tanstaaftanstaaf"));
    CHECK_FALSE(m->initial_response(ec).has_value());
    const std::string r = m->respond("<1896.697170952@postoffice.reston.mci.net>", ec);
    REQUIRE_FALSE(ec);
    CHECK(r == "tim b913a602c7eda7a495b4e6e7334d3890");
    // One challenge only.
    CHECK(m->respond("<again@x>", ec).empty());
    CHECK(ec == errc::bad_challenge);
}

TEST_CASE("CRAM-MD5 prepares the password with SASLprep") {
    std::error_code ec;
    const std::string challenge = "<1896.697170952@postoffice.reston.mci.net>";
    auto plain = make_mechanism("CRAM-MD5", user_pass("tim", "tanstaaftanstaaf"));
    // U+00AD SOFT HYPHEN maps to nothing: same key, same answer.
    auto hyphen = make_mechanism("CRAM-MD5", user_pass("tim", "tanstaaf\xC2\xADtanstaaf"));
    CHECK(hyphen->respond(challenge, ec) == plain->respond(challenge, ec));
    CHECK_FALSE(ec);
    auto bell = make_mechanism("CRAM-MD5", user_pass("tim", "tan\x07staaf"));
    CHECK(bell->respond(challenge, ec).empty());
    CHECK(ec == errc::saslprep_failed);
    auto empty = make_mechanism("CRAM-MD5", user_pass("tim", "x"));
    CHECK(empty->respond("", ec).empty());
    CHECK(ec == errc::bad_challenge);
}

TEST_CASE("XOAUTH2: exact bytes") {
    std::error_code ec;
    credentials c;
    c.username = "someuser@example.com";
    c.oauth_token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
    auto m = make_mechanism("XOAUTH2", c);
    const auto ir = m->initial_response(ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ir);
    CHECK(*ir == "user=someuser@example.com\x01" "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
    // The JSON error challenge is answered with an empty response, once.
    CHECK(m->respond(R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})", ec).empty());
    CHECK_FALSE(ec);
    CHECK(m->respond("{}", ec).empty());
    CHECK(ec == errc::bad_challenge);
}

TEST_CASE("XOAUTH2: needs user and token, refuses control characters") {
    std::error_code ec;
    credentials c;
    c.username = "u";
    CHECK_FALSE(make_mechanism("XOAUTH2", c)->initial_response(ec));
    CHECK(ec == errc::missing_credentials);
    c.oauth_token = "tok\x01" "auth=Bearer evil";
    CHECK_FALSE(make_mechanism("XOAUTH2", c)->initial_response(ec));
    CHECK(ec == errc::invalid_credentials);
}

TEST_CASE("OAUTHBEARER: RFC 7628 section 4.1 example") {
    std::error_code ec;
    credentials c;
    c.username = "user@example.com";
    c.oauth_token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
    c.host = "server.example.com";
    c.port = 143;
    auto m = make_mechanism("OAUTHBEARER", c);
    const auto ir = m->initial_response(ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ir);
    CHECK(*ir == "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                 "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
    // RFC 7628 section 3.2.3: the error challenge is answered with one ^A.
    CHECK(m->respond(R"({"status":"invalid_token"})", ec) == "\x01");
    CHECK_FALSE(ec);
    CHECK(m->respond("{}", ec).empty());
    CHECK(ec == errc::bad_challenge);
}

TEST_CASE("OAUTHBEARER: optional parts and escaping") {
    std::error_code ec;
    credentials c;
    c.oauth_token = "tok";
    SUBCASE("no user, host or port") {
        const auto ir = make_mechanism("OAUTHBEARER", c)->initial_response(ec);
        REQUIRE(ir);
        CHECK(*ir == "n,,\x01" "auth=Bearer tok\x01\x01");
    }
    SUBCASE("authzid wins over username and is escaped") {
        c.username = "login";
        c.authzid = "a,b=c";
        const auto ir = make_mechanism("OAUTHBEARER", c)->initial_response(ec);
        REQUIRE(ir);
        CHECK(*ir == "n,a=a=2Cb=3Dc,\x01" "auth=Bearer tok\x01\x01");
    }
    SUBCASE("control characters refused") {
        c.host = "h\x01port=1";
        CHECK_FALSE(make_mechanism("OAUTHBEARER", c)->initial_response(ec));
        CHECK(ec == errc::invalid_credentials);
    }
    SUBCASE("no token") {
        c.oauth_token.clear();
        CHECK_FALSE(make_mechanism("OAUTHBEARER", c)->initial_response(ec));
        CHECK(ec == errc::missing_credentials);
    }
}

TEST_CASE("EXTERNAL sends the authzid or an empty response") {
    std::error_code ec;
    credentials c;
    auto m = make_mechanism("EXTERNAL", c);
    const auto ir = m->initial_response(ec);
    REQUIRE(ir);
    CHECK(ir->empty());
    c.authzid = "admin";
    const auto ir2 = make_mechanism("EXTERNAL", c)->initial_response(ec);
    REQUIRE(ir2);
    CHECK(*ir2 == "admin");
    CHECK(m->respond("x", ec).empty());
    CHECK(ec == errc::bad_challenge);
}

TEST_CASE("error messages are clear and never name credentials") {
    const std::string secret = "tanstaaftanstaaf";
    for (int e = 0; e <= static_cast<int>(errc::invalid_credentials); ++e) {
        const std::error_code ec = static_cast<errc>(e);
        const std::string msg = ec.message();
        CHECK(msg.find("unknown") == std::string::npos);
        CHECK(msg.find(secret) == std::string::npos);
        CHECK(std::string(ec.category().name()) == "pigeon.sasl");
    }
    CHECK(std::error_code(errc::rejected) == std::errc::permission_denied);
}
