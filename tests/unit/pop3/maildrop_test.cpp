// The maildrop parsers (RFC 1939 section 5 and 7): STAT, LIST and UIDL
// lines, and the APOP timestamp of a greeting. Bad input gives nullopt.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/pop3/maildrop.hpp"

using namespace pigeon::pop3;
using namespace std::string_literals;

TEST_CASE("STAT") {
    auto s = parse_stat("2 320");
    REQUIRE(s);
    CHECK(s->count == 2);
    CHECK(s->size == 320);
    s = parse_stat("0 0 messages");  // text after the numbers is allowed
    REQUIRE(s);
    CHECK(s->count == 0);
    s = parse_stat("1 18446744073709551615");  // a 64-bit size
    REQUIRE(s);
    CHECK(s->size == 18446744073709551615ull);
    for (const char* bad : {"", "2", "x 320", "2 x", "2 320x", "-1 5", "4294967296 1", "1 18446744073709551616", " 2 320"})
        CHECK_MESSAGE(!parse_stat(bad), bad);
}

TEST_CASE("LIST lines") {
    auto m = parse_list_line("1 120");
    REQUIRE(m);
    CHECK(m->number == 1);
    CHECK(m->size == 120);
    m = parse_list_line("4294967295 5000000000");
    REQUIRE(m);
    CHECK(m->number == 4294967295u);
    CHECK(m->size == 5000000000ull);
    // RFC 1939 section 5: nothing is required of what follows the size.
    m = parse_list_line("3 200 extra words");
    REQUIRE(m);
    CHECK(m->size == 200);
    for (const char* bad : {"", "1", "1 ", "0 120", "x 120", "1 x", "1 120x", "1x 120", "-1 120", "1 -120",
                            "4294967296 1", "1 18446744073709551616", " 1 120", "."})
        CHECK_MESSAGE(!parse_list_line(bad), bad);
}

TEST_CASE("UIDL lines: 1 to 70 printable characters, the last token") {
    auto u = parse_uidl_line("1 whqtswO00WBw418f9t5JxYwZ");
    REQUIRE(u);
    CHECK(u->number == 1);
    CHECK(u->uid == "whqtswO00WBw418f9t5JxYwZ");
    u = parse_uidl_line("2 " + std::string(70, '~'));
    REQUIRE(u);
    CHECK(u->uid.size() == 70);
    u = parse_uidl_line("3 !\t ");  // trailing blanks tolerated
    REQUIRE(u);
    CHECK(u->uid == "!");
    CHECK_FALSE(parse_uidl_line("2 " + std::string(71, 'a')));
    CHECK_FALSE(parse_uidl_line("1 abc def"));  // a uid with a space: two tokens
    CHECK_FALSE(parse_uidl_line("1 abc\x01"));
    CHECK_FALSE(parse_uidl_line("1 ab\x7f"));
    CHECK_FALSE(parse_uidl_line("1 ab\xc3\xa9"));
    CHECK_FALSE(parse_uidl_line("1 ab\0c"s));
    for (const char* bad : {"", "1", "1 ", "0 abc", "x abc", "1x abc"}) CHECK_MESSAGE(!parse_uidl_line(bad), bad);
}

TEST_CASE("APOP timestamp") {
    CHECK(apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") == "<1896.697170952@dbc.mtview.ca.us>");
    CHECK(apop_timestamp("Dovecot ready.").empty());
    CHECK(apop_timestamp("ready <no-at-sign>").empty());
    CHECK(apop_timestamp("ready <a b@c>").empty());
    CHECK(apop_timestamp("ready <unterminated@x").empty());
    CHECK(apop_timestamp("ready <" + std::string(300, 'a') + "@x>").empty());
}
