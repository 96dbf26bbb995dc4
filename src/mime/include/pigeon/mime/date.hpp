#pragma once
// RFC 5322 date-time ("Tue, 1 Jul 2003 10:52:37 +0200") and its obsolete
// forms: no day of week, 2- and 3-digit years, alphabetic zones (UT, GMT,
// EST/EDT, CST/CDT, MST/MDT, PST/PDT, military letters), missing seconds,
// comments and folding anywhere.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::mime {

struct date_time {
    int year = 1970, month = 1, day = 1;  // month 1..12
    int hour = 0, minute = 0, second = 0; // second may be 60 (leap)
    int zone_minutes = 0;                 ///< offset east of UTC, e.g. +0200 -> 120
    /// False for "-0000" and military/unknown zones: local time unknown.
    bool zone_known = true;

    /// Seconds since 1970-01-01T00:00:00Z.
    std::int64_t to_unix() const noexcept;
    /// RFC 5322 form, "Tue, 01 Jul 2003 10:52:37 +0200".
    std::string to_string() const;
    /// ISO 8601 form, "2003-07-01T10:52:37+02:00".
    std::string to_iso8601() const;
};

/// Parses a Date / Resent-Date value; nullopt when it is not a date.
std::optional<date_time> parse_date(std::string_view raw);

} // namespace pigeon::mime
