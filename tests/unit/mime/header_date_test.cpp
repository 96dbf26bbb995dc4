// RFC 5322 dates and their obsolete forms.
#include <doctest/doctest.h>

#include <pigeon/mime/date.hpp>

using namespace pigeon::mime;

TEST_CASE("date: RFC 5322 forms") {
    auto d = parse_date("Fri, 21 Nov 1997 09:55:06 -0600");
    REQUIRE(d);
    CHECK(d->year == 1997);
    CHECK(d->month == 11);
    CHECK(d->day == 21);
    CHECK(d->hour == 9);
    CHECK(d->zone_minutes == -360);
    CHECK(d->to_unix() == 880127706);
    CHECK(d->to_string() == "Fri, 21 Nov 1997 09:55:06 -0600");
    CHECK(d->to_iso8601() == "1997-11-21T09:55:06-06:00");
    d = parse_date("1 Jan 2024 00:00 +0000");
    REQUIRE(d);
    CHECK(d->second == 0);
    CHECK(d->to_unix() == 1704067200);
    d = parse_date("Thu,\r\n 13\r\n   Feb\r\n     1969\r\n  23:32\r\n  -0330 (Newfoundland Time)");
    REQUIRE(d);
    CHECK(d->zone_minutes == -210);
    CHECK(d->year == 1969);
}

TEST_CASE("date: obsolete forms") {
    auto d = parse_date("21 Nov 97 09:55:06 GMT");
    REQUIRE(d);
    CHECK(d->year == 1997);
    CHECK(d->zone_known);
    d = parse_date("Sat, 1 Jan 05 10:00:00 EST");
    REQUIRE(d);
    CHECK(d->year == 2005);
    CHECK(d->zone_minutes == -300);
    d = parse_date("1 Jan 105 10:00:00 PDT");
    REQUIRE(d);
    CHECK(d->year == 2005);
    CHECK(d->zone_minutes == -420);
    d = parse_date("Mon, 2 Feb 2004 10:00:00 Z");
    REQUIRE(d);
    CHECK(d->zone_minutes == 0);
    d = parse_date("Mon, 2 Feb 2004 10:00:00 J"); // military: -0000
    REQUIRE(d);
    CHECK_FALSE(d->zone_known);
    d = parse_date("Mon, 2 Feb 2004 10:00:00 -0000");
    REQUIRE(d);
    CHECK_FALSE(d->zone_known);
    d = parse_date("Mon, 2 Feb 2004 10:00:60 +0100"); // leap second
    REQUIRE(d);
    CHECK(d->second == 60);
}

TEST_CASE("date: invalid values") {
    CHECK_FALSE(parse_date(""));
    CHECK_FALSE(parse_date("yesterday"));
    CHECK_FALSE(parse_date("31 Feb 2020 10:00:00 +0000"));
    CHECK_FALSE(parse_date("1 Foo 2020 10:00:00 +0000"));
    CHECK_FALSE(parse_date("1 Jan 2020 25:00:00 +0000"));
    CHECK_FALSE(parse_date("1 Jan 20200 10:00:00 +0000"));
    CHECK(parse_date("29 Feb 2024 10:00:00 +0000"));
    CHECK_FALSE(parse_date("29 Feb 2023 10:00:00 +0000"));
}
