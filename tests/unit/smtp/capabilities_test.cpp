#include <doctest/doctest.h>

#include <ostream>

#include <limits>

#include "pigeon/smtp/capabilities.hpp"
#include "pigeon/smtp/reply_parser.hpp"

using namespace pigeon::smtp;

namespace {
reply make(std::vector<std::string> lines) {
    reply r;
    r.code = 250;
    r.lines = std::move(lines);
    return r;
}
} // namespace

TEST_CASE("Postfix's EHLO reply") {
    const auto c = parse_ehlo(make({"lab.test", "PIPELINING", "SIZE 104857600", "ETRN", "STARTTLS",
                                    "AUTH PLAIN LOGIN SCRAM-SHA-256", "ENHANCEDSTATUSCODES", "8BITMIME",
                                    "DSN", "SMTPUTF8", "CHUNKING"}));
    CHECK(c.esmtp);
    CHECK(c.domain == "lab.test");
    CHECK(c.pipelining);
    CHECK(c.size);
    CHECK(c.size_limit == 104857600u);
    CHECK(c.starttls);
    CHECK(c.enhanced_status_codes);
    CHECK(c.eightbitmime);
    CHECK(c.dsn);
    CHECK(c.smtputf8);
    CHECK(c.chunking);
    CHECK_FALSE(c.binarymime);
    CHECK(c.auth_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN", "SCRAM-SHA-256"});
    CHECK(c.has("etrn"));
    CHECK(c.has("ETRN"));
    CHECK_FALSE(c.has("VRFY"));
    REQUIRE(c.find("size") != nullptr);
    CHECK(c.find("size")->params == std::vector<std::string>{"104857600"});
    CHECK(c.extensions.size() == 10);
}

TEST_CASE("old AUTH= form / case / duplicates and odd spacing") {
    const auto c = parse_ehlo(make({"mx.example Hello [127.0.0.1]", "AUTH=LOGIN PLAIN", "auth login  cram-md5\tplain",
                                    "starttls", "  8bitmime  "}));
    CHECK(c.domain == "mx.example");
    CHECK(c.auth_mechanisms == std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5"});
    CHECK(c.starttls);
    CHECK(c.eightbitmime);
    CHECK(c.find("AUTH")->params.size() == 2);  // first AUTH line
}

TEST_CASE("SIZE variants") {
    CHECK(parse_ehlo(make({"x", "SIZE"})).size);
    CHECK(parse_ehlo(make({"x", "SIZE"})).size_limit == 0);
    CHECK(parse_ehlo(make({"x", "SIZE 0"})).size_limit == 0);
    CHECK(parse_ehlo(make({"x", "SIZE 12abc"})).size_limit == 0);
    CHECK(parse_ehlo(make({"x", "SIZE 99999999999999999999999999"})).size_limit ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK_FALSE(parse_ehlo(make({"x"})).size);
}

TEST_CASE("invalid keywords and mechanism names are skipped") {
    const auto c = parse_ehlo(make({"x", "-BAD", "", "*STAR", "AUTH PLAIN THIS-NAME-IS-FAR-TOO-LONG-FOR-SASL bad/name X_1",
                                    "X-EXPERIMENTAL arg"}));
    CHECK(c.auth_mechanisms == std::vector<std::string>{"PLAIN", "X_1"});
    CHECK(c.has("X-EXPERIMENTAL"));
    CHECK_FALSE(c.has("-BAD"));
    CHECK(c.extensions.size() == 2);
}

TEST_CASE("a flood of AUTH mechanisms (EAST X_1) is parsed within the reply limits") {
    std::string line = "AUTH";
    for (int i = 0; i < 60; ++i) line += " MECH" + std::to_string(i);
    const auto c = parse_ehlo(make({"x", line}));
    CHECK(c.auth_mechanisms.size() == 60);
}

TEST_CASE("HELO: no extensions") {
    const auto c = parse_helo(make({"old.example greets you"}));
    CHECK_FALSE(c.esmtp);
    CHECK(c.domain == "old.example");
    CHECK(c.extensions.empty());
    CHECK_FALSE(c.pipelining);
}
