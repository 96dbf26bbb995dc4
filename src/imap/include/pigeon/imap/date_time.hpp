#pragma once
// IMAP dates (RFC 9051 section 9): the date-time of INTERNALDATE and APPEND
// ("06-Dec-2026 03:52:16 +0100") and the date of SEARCH SINCE/BEFORE/ON
// ("6-Dec-2026"). English month names, no locale involved.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::imap {

/// An instant with the zone the server wrote it in.
struct date_time {
    std::chrono::sys_seconds time{};      ///< the instant (UTC)
    std::chrono::minutes offset{0};       ///< the zone: local time = time + offset
    bool operator==(const date_time&) const = default;
};

/// date-time without its quotes: "06-Dec-2026 03:52:16 +0100"; the day may
/// also be " 6" (date-day-fixed) or, QUIRK(various), "6". nullopt for any
/// other shape, an impossible date (30-Feb), hour > 23, minute > 59,
/// second > 60, a zone beyond +-23:59 or a year outside 1..9999.
std::optional<date_time> parse_date_time(std::string_view text) noexcept;
/// "06-Dec-2026 03:52:16 +0100" (the local time in d.offset), for APPEND;
/// quote it as a string. Empty if the date has no 4-digit year.
std::string format_date_time(const date_time& d);

/// date-text: "6-Dec-2026" (also "06-Dec-2026"); nullopt otherwise.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text) noexcept;
/// "6-Dec-2026"; empty unless d.ok() and its year is 1..9999.
std::string format_date(std::chrono::year_month_day d);

} // namespace pigeon::imap
