#include "pigeon/imap/date_time.hpp"

#include <cstdio>

#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {
namespace {

using namespace std::chrono;

constexpr std::string_view month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Exactly n digits at s[i], advancing i.
std::optional<int> digits(std::string_view s, std::size_t& i, std::size_t n) noexcept {
    if (i > s.size() || s.size() - i < n) return std::nullopt;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    i += n;
    return v;
}

bool expect(std::string_view s, std::size_t& i, char c) noexcept {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
}

// date-day "-" date-month "-" date-year, with the day as 1 or 2 digits or
// a space and a digit (fixed).
std::optional<year_month_day> parse_day_month_year(std::string_view s, std::size_t& i) noexcept {
    int day = 0;
    if (i < s.size() && s[i] == ' ') ++i;  // date-day-fixed: SP DIGIT
    auto d1 = digits(s, i, 1);
    if (!d1) return std::nullopt;
    day = *d1;
    if (i < s.size() && s[i] >= '0' && s[i] <= '9') day = day * 10 + (s[i++] - '0');
    if (!expect(s, i, '-') || s.size() - i < 3) return std::nullopt;
    int month = 0;
    for (int m = 0; m < 12; ++m)
        if (net::ascii::iequals(s.substr(i, 3), month_names[m])) month = m + 1;
    if (month == 0) return std::nullopt;
    i += 3;
    if (!expect(s, i, '-')) return std::nullopt;
    auto y = digits(s, i, 4);
    if (!y || *y == 0) return std::nullopt;
    year_month_day ymd{year{*y}, std::chrono::month{static_cast<unsigned>(month)}, std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

bool four_digit_year(year_month_day d) noexcept {
    return d.ok() && static_cast<int>(d.year()) >= 1 && static_cast<int>(d.year()) <= 9999;
}

} // namespace

std::optional<date_time> parse_date_time(std::string_view s) noexcept {
    std::size_t i = 0;
    auto ymd = parse_day_month_year(s, i);
    if (!ymd || !expect(s, i, ' ')) return std::nullopt;
    auto hh = digits(s, i, 2);
    if (!hh || !expect(s, i, ':')) return std::nullopt;
    auto mm = digits(s, i, 2);
    if (!mm || !expect(s, i, ':')) return std::nullopt;
    auto ss = digits(s, i, 2);
    if (!ss || !expect(s, i, ' ') || i >= s.size() || (s[i] != '+' && s[i] != '-')) return std::nullopt;
    int sign = s[i++] == '-' ? -1 : 1;
    auto zh = digits(s, i, 2);
    auto zm = zh ? digits(s, i, 2) : std::nullopt;
    if (!zm || i != s.size()) return std::nullopt;
    if (*hh > 23 || *mm > 59 || *ss > 60 || *zh > 23 || *zm > 59) return std::nullopt;
    date_time d;
    d.offset = minutes{sign * (*zh * 60 + *zm)};
    auto local = sys_days{*ymd} + hours{*hh} + minutes{*mm} + seconds{*ss};
    d.time = local - d.offset;
    return d;
}

std::string format_date_time(const date_time& d) {
    auto local = d.time + d.offset;
    auto day = floor<days>(local);
    year_month_day ymd{day};
    if (!four_digit_year(ymd)) return {};
    hh_mm_ss<seconds> t{local - day};
    auto off = d.offset.count();
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02u-%s-%04d %02d:%02d:%02d %c%02d%02d", static_cast<unsigned>(ymd.day()),
                  month_names[static_cast<unsigned>(ymd.month()) - 1].data(), static_cast<int>(ymd.year()),
                  static_cast<int>(t.hours().count()), static_cast<int>(t.minutes().count()),
                  static_cast<int>(t.seconds().count()), sign, static_cast<int>(off / 60), static_cast<int>(off % 60));
    return buf;
}

std::optional<year_month_day> parse_date(std::string_view s) noexcept {
    if (!s.empty() && s[0] == ' ') return std::nullopt;  // date-day has no space form
    std::size_t i = 0;
    auto ymd = parse_day_month_year(s, i);
    if (!ymd || i != s.size()) return std::nullopt;
    return ymd;
}

std::string format_date(year_month_day d) {
    if (!four_digit_year(d)) return {};
    char buf[24];
    std::snprintf(buf, sizeof buf, "%u-%s-%04d", static_cast<unsigned>(d.day()),
                  month_names[static_cast<unsigned>(d.month()) - 1].data(), static_cast<int>(d.year()));
    return buf;
}

} // namespace pigeon::imap
