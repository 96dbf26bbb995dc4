#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/pop3/reply.hpp"

using namespace pigeon::pop3;

TEST_CASE("+OK and -ERR") {
    auto r = parse_reply("+OK Dovecot ready.");
    REQUIRE(r);
    CHECK(r->ok);
    CHECK(r->text == "Dovecot ready.");
    CHECK(r->code.empty());
    CHECK(r->line == "+OK Dovecot ready.");
    CHECK_FALSE(r->transient());

    r = parse_reply("+OK");
    REQUIRE(r);
    CHECK(r->ok);
    CHECK(r->text.empty());

    r = parse_reply("-ERR no such message");
    REQUIRE(r);
    CHECK_FALSE(r->ok);
    CHECK(r->text == "no such message");

    r = parse_reply("-err lower case");  // tolerated
    REQUIRE(r);
    CHECK_FALSE(r->ok);
}

TEST_CASE("RFC 2449 response codes") {
    auto r = parse_reply("-ERR [IN-USE] Mailbox locked");
    REQUIRE(r);
    CHECK(r->code == "IN-USE");
    CHECK(r->text == "Mailbox locked");
    CHECK(r->transient());

    r = parse_reply("-ERR [SYS/TEMP] try later");
    REQUIRE(r);
    CHECK(r->has_code("SYS"));
    CHECK(r->has_code("sys/temp"));
    CHECK_FALSE(r->has_code("SY"));
    CHECK(r->transient());

    r = parse_reply("-ERR [SYS/PERM] broken");
    CHECK_FALSE(r->transient());
    r = parse_reply("-ERR [AUTH] Authentication failed.");
    CHECK(r->code == "AUTH");
    CHECK_FALSE(r->transient());
    r = parse_reply("-ERR [LOGIN-DELAY] wait");
    CHECK(r->transient());
    r = parse_reply("+OK [IN-USE] odd but fine");
    CHECK_FALSE(r->transient());  // success is never a transient failure
    r = parse_reply("-ERR [unclosed code");
    REQUIRE(r);
    CHECK(r->code.empty());
    CHECK(r->text == "[unclosed code");
}

TEST_CASE("lines that are not status lines") {
    CHECK_FALSE(parse_reply(""));
    CHECK_FALSE(parse_reply("+OKAY"));
    CHECK_FALSE(parse_reply("-ERROR x"));
    CHECK_FALSE(parse_reply("OK"));
    CHECK_FALSE(parse_reply("+ challenge"));
    CHECK_FALSE(parse_reply("* OK imap"));
}

TEST_CASE("lines inside an AUTH exchange") {
    auto a = parse_auth_line("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    CHECK(a.type == auth_line::kind::continuation);
    CHECK(a.payload == "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    a = parse_auth_line("+ ");
    CHECK(a.type == auth_line::kind::continuation);
    CHECK(a.payload.empty());
    a = parse_auth_line("+");
    CHECK(a.type == auth_line::kind::continuation);
    a = parse_auth_line("+OK Logged in.");
    CHECK(a.type == auth_line::kind::ok);
    REQUIRE(a.status);
    CHECK(a.status->text == "Logged in.");
    a = parse_auth_line("-ERR [AUTH] Authentication failed.");
    CHECK(a.type == auth_line::kind::err);
    CHECK(a.status->code == "AUTH");
    CHECK(parse_auth_line("+x").type == auth_line::kind::invalid);
    CHECK(parse_auth_line("hello").type == auth_line::kind::invalid);
}
