// RFC 5322 section 3.3 date-time with the obsolete forms of section 4.3.
#include <pigeon/mime/date.hpp>

#include <array>
#include <cstdio>
#include <vector>

#include "detail/ascii.hpp"
#include "detail/lexer.hpp"

namespace pigeon::mime {

namespace {

struct tok {
    std::string_view text;
    bool number;
};

/// At most 32 tokens, in place (a date is parsed for every message of a
/// listing: no allocation).
class tokens {
public:
    void push_back(tok t) { v_[n_++] = t; }
    std::size_t size() const noexcept { return n_; }
    const tok& operator[](std::size_t i) const noexcept { return v_[i]; }
    static constexpr std::size_t capacity = 32;

private:
    std::array<tok, capacity> v_{};
    std::size_t n_ = 0;
};

// Splits into words, numbers and the separators ',' ':' '+' '-'; comments
// and folding white space are dropped.
tokens lex(std::string_view s) {
    tokens out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < tokens::capacity) {
        char c = s[i];
        if (detail::is_wsp(c)) { ++i; continue; }
        if (c == '(') { i = detail::skip_comment(s, i); continue; }
        std::size_t a = i;
        if (detail::is_digit(c)) {
            while (i < s.size() && detail::is_digit(s[i])) ++i;
            out.push_back({s.substr(a, i - a), true});
        } else if (detail::is_alpha(c)) {
            while (i < s.size() && detail::is_alpha(s[i])) ++i;
            out.push_back({s.substr(a, i - a), false});
        } else {
            ++i;
            out.push_back({s.substr(a, 1), false});
        }
    }
    return out;
}

int month_of(std::string_view w) {
    static constexpr const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    if (w.size() < 3) return 0;
    for (int m = 0; m < 12; ++m) {
        const char* n = names[m];
        if (detail::to_lower(w[0]) == n[0] && detail::to_lower(w[1]) == n[1] && detail::to_lower(w[2]) == n[2])
            return m + 1;
    }
    return 0;
}

bool is_weekday(std::string_view w) {
    static constexpr const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (w.size() < 3) return false;
    for (const char* n : names)
        if (detail::to_lower(w[0]) == n[0] && detail::to_lower(w[1]) == n[1] && detail::to_lower(w[2]) == n[2])
            return true;
    return false;
}

int to_int(std::string_view d) {
    int v = 0;
    for (char c : d) {
        v = v * 10 + (c - '0');
        if (v > 100000) return v;
    }
    return v;
}

// Obsolete alphabetic zones; military letters (and unknown names) mean
// "-0000" per RFC 5322 section 4.3.
bool alpha_zone(std::string_view w, int& minutes, bool& known) {
    struct z { const char* name; int h; };
    static constexpr z zones[] = {{"ut", 0},  {"utc", 0}, {"gmt", 0}, {"z", 0},   {"est", -5}, {"edt", -4},
                                  {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    std::string l(w);
    for (auto& c : l) c = detail::to_lower(c);
    for (const auto& e : zones)
        if (l == e.name) {
            minutes = e.h * 60;
            known = true;
            return true;
        }
    if (l.size() <= 5) {
        minutes = 0;
        known = false;
        return true;
    }
    return false;
}

int days_in_month(int y, int m) {
    static constexpr int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

// Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's algorithm.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

std::optional<date_time> parse_date(std::string_view raw) {
    auto t = lex(raw);
    std::size_t i = 0;
    if (i < t.size() && !t[i].number && is_weekday(t[i].text)) {
        ++i;
        if (i < t.size() && t[i].text == ",") ++i;
    }
    date_time d;
    // day month year  (also tolerated: month day year)
    if (i + 2 >= t.size()) return std::nullopt;
    if (t[i].number && !t[i + 1].number && month_of(t[i + 1].text) && t[i + 2].number) {
        d.day = to_int(t[i].text);
        d.month = month_of(t[i + 1].text);
        i += 2;
    } else if (!t[i].number && month_of(t[i].text) && t[i + 1].number && t[i + 2].number) {
        d.month = month_of(t[i].text);
        d.day = to_int(t[i + 1].text);
        i += 2;
    } else {
        return std::nullopt;
    }
    std::string_view ytext = t[i].text;
    int y = to_int(ytext);
    if (ytext.size() == 2) y += y < 50 ? 2000 : 1900;
    else if (ytext.size() == 3) y += 1900;
    else if (ytext.size() != 4) return std::nullopt;
    d.year = y;
    ++i;
    // time: hh ":" mm [":" ss]
    if (i + 2 < t.size() && t[i].number && t[i + 1].text == ":" && t[i + 2].number) {
        d.hour = to_int(t[i].text);
        d.minute = to_int(t[i + 2].text);
        i += 3;
        if (i + 1 < t.size() && t[i].text == ":" && t[i + 1].number) {
            d.second = to_int(t[i + 1].text);
            i += 2;
        }
    } else {
        return std::nullopt;
    }
    // zone
    d.zone_minutes = 0;
    d.zone_known = false;
    if (i < t.size()) {
        if ((t[i].text == "+" || t[i].text == "-") && i + 1 < t.size() && t[i + 1].number &&
            t[i + 1].text.size() == 4) {
            int v = to_int(t[i + 1].text);
            int hh = v / 100, mm = v % 100;
            if (mm > 59) return std::nullopt;
            int off = hh * 60 + mm;
            d.zone_minutes = t[i].text == "-" ? -off : off;
            d.zone_known = !(t[i].text == "-" && off == 0);
        } else if (!t[i].number && t[i].text != "+" && t[i].text != "-") {
            alpha_zone(t[i].text, d.zone_minutes, d.zone_known);
        }
    }
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month) || d.hour > 23 ||
        d.minute > 59 || d.second > 60)
        return std::nullopt;
    return d;
}

std::int64_t date_time::to_unix() const noexcept {
    std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return days * 86400 + hour * 3600 + minute * 60 + second - static_cast<std::int64_t>(zone_minutes) * 60;
}

std::string date_time::to_string() const {
    static constexpr const char* wd[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static constexpr const char* mn[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    int w = static_cast<int>(((days % 7) + 7) % 7);
    int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
    char sign = (zone_minutes < 0 || !zone_known) ? '-' : '+';
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", wd[w], day, mn[month - 1], year, hour,
                  minute, second, sign, z / 60, z % 60);
    return buf;
}

std::string date_time::to_iso8601() const {
    int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
    if (year >= 0 && year <= 9999 && month >= 0 && month <= 99 && day >= 0 && day <= 99 && hour >= 0 && hour <= 99 &&
        minute >= 0 && minute <= 99 && second >= 0 && second <= 99 && z / 60 <= 99) {
        // The usual case without snprintf (a listing formats thousands).
        char b[] = "0000-00-00T00:00:00+00:00";
        auto two = [&](int at, int v) {
            b[at] = static_cast<char>('0' + v / 10);
            b[at + 1] = static_cast<char>('0' + v % 10);
        };
        two(0, year / 100);
        two(2, year % 100);
        two(5, month);
        two(8, day);
        two(11, hour);
        two(14, minute);
        two(17, second);
        b[19] = zone_minutes < 0 ? '-' : '+';
        two(20, z / 60);
        two(23, z % 60);
        return std::string(b, sizeof b - 1);
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month, day, hour, minute, second,
                  zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
    return buf;
}

} // namespace pigeon::mime
