// IMAP dates: INTERNALDATE date-time and SEARCH dates.
#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/date_time.hpp"

using namespace pigeon::imap;
using namespace std::chrono;

TEST_CASE("INTERNALDATE as Dovecot sends it") {
    auto d = parse_date_time("06-Dec-2026 03:52:16 +0000");
    REQUIRE(d);
    CHECK(d->time == sys_days{year{2026} / 12 / 6} + hours{3} + minutes{52} + seconds{16});
    CHECK(d->offset == minutes{0});
    // The zone: the instant is UTC, the offset kept for display.
    auto e = parse_date_time("06-Dec-2026 03:52:16 +0100");
    REQUIRE(e);
    CHECK(e->time == sys_days{year{2026} / 12 / 6} + hours{2} + minutes{52} + seconds{16});
    CHECK(e->offset == minutes{60});
    auto w = parse_date_time("02-Jun-2026 08:00:00 -0730");
    REQUIRE(w);
    CHECK(w->time == sys_days{year{2026} / 6 / 2} + hours{15} + minutes{30});
    CHECK(w->offset == minutes{-450});
    // date-day-fixed with a space, and QUIRK: one digit; month in any case.
    CHECK(parse_date_time(" 7-Dec-2026 00:00:01 +0000")->time == sys_days{year{2026} / 12 / 7} + seconds{1});
    CHECK(parse_date_time("7-dec-2026 00:00:01 +0000")->time == sys_days{year{2026} / 12 / 7} + seconds{1});
    // Day change across the zone.
    CHECK(parse_date_time("01-Jan-2027 00:30:00 +0100")->time == sys_days{year{2026} / 12 / 31} + hours{23} + minutes{30});
    // Leap day and leap second.
    CHECK(parse_date_time("29-Feb-2024 12:00:00 +0000"));
    CHECK(parse_date_time("31-Dec-2016 23:59:60 +0000")->time == sys_days{year{2017} / 1 / 1});
}

TEST_CASE("INTERNALDATE: malformed dates are refused") {
    for (const char* bad : {"", "06-Dec-2026", "06-Dec-2026 03:52:16", "06-Dec-2026 03:52:16 0000",
                            "06-Dec-2026 03:52:16 +000", "06-Dec-2026 03:52:16 +00000", "06-Dec-2026  03:52:16 +0000",
                            "06-Dez-2026 03:52:16 +0000", "30-Feb-2026 03:52:16 +0000", "29-Feb-2025 00:00:00 +0000",
                            "00-Dec-2026 03:52:16 +0000", "32-Dec-2026 03:52:16 +0000", "06-Dec-26 03:52:16 +0000",
                            "06-Dec-0000 03:52:16 +0000", "24-Dec-2026 24:00:00 +0000", "06-Dec-2026 03:60:16 +0000",
                            "06-Dec-2026 03:52:61 +0000", "06-Dec-2026 03:52:16 +2400", "06-Dec-2026 03:52:16 +0060",
                            "06-Dec-2026 3:52:16 +0000", "006-Dec-2026 03:52:16 +0000", "06-Dec-2026 03:52:16 +0000 ",
                            "\"06-Dec-2026 03:52:16 +0000\"", "06-Dec-2026T03:52:16 +0000", "  6-Dec-2026 03:52:16 +0000"}) {
        INFO(bad);
        CHECK_FALSE(parse_date_time(bad).has_value());
    }
}

TEST_CASE("date-time written for APPEND round-trips") {
    date_time d{sys_days{year{2026} / 12 / 6} + hours{2} + minutes{52} + seconds{16}, minutes{60}};
    CHECK(format_date_time(d) == "06-Dec-2026 03:52:16 +0100");
    CHECK(parse_date_time(format_date_time(d)) == d);
    date_time w{sys_days{year{2026} / 6 / 2} + hours{15} + minutes{30}, minutes{-450}};
    CHECK(format_date_time(w) == "02-Jun-2026 08:00:00 -0730");
    CHECK(parse_date_time(format_date_time(w)) == w);
    CHECK(format_date_time(date_time{sys_days{year{10000} / 1 / 1}, minutes{0}}).empty());
}

TEST_CASE("SEARCH dates") {
    CHECK(format_date(year{2026} / 12 / 6) == "6-Dec-2026");
    CHECK(format_date(year{2026} / 1 / 31) == "31-Jan-2026");
    CHECK(format_date(year{999} / 5 / 1) == "1-May-0999");
    CHECK(format_date(year{2026} / 2 / 30).empty());
    CHECK(format_date(year{-1} / 2 / 3).empty());
    CHECK(parse_date("6-Dec-2026") == year{2026} / 12 / 6);
    CHECK(parse_date("06-DEC-2026") == year{2026} / 12 / 6);
    CHECK_FALSE(parse_date(" 6-Dec-2026"));
    CHECK_FALSE(parse_date("6-Dec-2026 "));
    CHECK_FALSE(parse_date("31-Apr-2026"));
    for (int m = 1; m <= 12; ++m) {
        year_month_day d = year{2026} / month{static_cast<unsigned>(m)} / 28;
        CHECK(parse_date(format_date(d)) == d);
    }
}
