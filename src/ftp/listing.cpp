#include "pigeon/ftp/listing.hpp"

#include <array>
#include <cstring>
#include <ctime>
#include <vector>

#include "pigeon/net/ascii.hpp"

namespace pigeon::ftp {
namespace {

using net::ascii::iequals;

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
    if (!all_digits(s) || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

int to_int(std::string_view s) { // s: 1-4 digits, checked by the caller
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

std::int64_t days_from_civil(int y, int m, int d) { // proleptic Gregorian, 1970-01-01 = 0
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

bool valid_date(int y, int mo, int d, int h, int mi, int s) {
    static constexpr std::array<int, 12> mdays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[static_cast<std::size_t>(mo - 1)]) return false;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s <= 60;
}

std::int64_t epoch(int y, int mo, int d, int h, int mi, int s) {
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

int month_of(std::string_view s) {
    static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    for (std::size_t i = 0; i < names.size(); ++i)
        if (iequals(s, names[i])) return static_cast<int>(i) + 1;
    return 0;
}

/// Whitespace-separated tokens with their offsets.
struct token {
    std::string_view text;
    std::size_t begin;
};

std::vector<token> tokens_of(std::string_view line, std::size_t max_tokens) {
    std::vector<token> out;
    std::size_t i = 0;
    while (i < line.size() && out.size() < max_tokens) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::size_t b = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        out.push_back({line.substr(b, i - b), b});
    }
    return out;
}

entry_type type_of_mode(char c) {
    switch (c) {
    case '-': return entry_type::file;
    case 'd': return entry_type::directory;
    case 'l': return entry_type::link;
    case 'b': case 'c': case 'p': case 's': case 'D': return entry_type::other;
    default: return entry_type::unknown;
    }
}

bool is_mode_string(std::string_view s) {
    if (s.size() < 10 || type_of_mode(s[0]) == entry_type::unknown) return false;
    for (std::size_t i = 1; i < 10; ++i)
        if (!std::strchr("rwxsStTl-", s[i])) return false;
    return true;
}

std::optional<entry> parse_unix(std::string_view line, std::int64_t now) {
    auto t = tokens_of(line, 9);
    if (t.size() < 6 || !is_mode_string(t[0].text)) return std::nullopt;
    // Find "size month day time-or-year" from the left: owner and group may
    // be missing or hold spaces in rare servers, the month anchors the rest.
    for (std::size_t k = 2; k + 2 < t.size(); ++k) {
        int mon = month_of(t[k].text);
        if (!mon || !all_digits(t[k - 1].text) || !all_digits(t[k + 1].text) || t[k + 1].text.size() > 2) continue;
        std::string_view when = t[k + 2].text;
        int day = to_int(t[k + 1].text);
        int year = 0, hour = 0, minute = 0;
        bool has_year = false;
        if (when.size() == 4 && all_digits(when)) {
            year = to_int(when);
            has_year = true;
        } else if (when.size() >= 4 && when.size() <= 5 && when[when.size() - 3] == ':' &&
                   all_digits(when.substr(0, when.size() - 3)) && all_digits(when.substr(when.size() - 2))) {
            hour = to_int(when.substr(0, when.size() - 3));
            minute = to_int(when.substr(when.size() - 2));
        } else {
            continue;
        }
        // The name: everything after the one blank that follows the time.
        std::size_t name_at = t[k + 2].begin + when.size();
        if (name_at >= line.size()) return std::nullopt;
        ++name_at;
        if (name_at >= line.size()) return std::nullopt;
        entry e;
        e.type = type_of_mode(t[0].text[0]);
        e.permissions = std::string(t[0].text.substr(1, 9));
        e.size = to_u64(t[k - 1].text);
        // tokens between the link count and the size: owner [group]
        std::size_t first = all_digits(t[1].text) ? 2 : 1;
        if (k - 1 > first) e.owner = std::string(t[first].text);
        if (k - 1 > first + 1) e.group = std::string(t[first + 1].text);
        if (!has_year) {
            std::time_t tt = static_cast<std::time_t>(now);
            std::tm utc{};
            gmtime_r(&tt, &utc);
            year = utc.tm_year + 1900;
            // A listing shows "HH:MM" for the last six months: a date more
            // than a day ahead of now belongs to the year before.
            if (valid_date(year, mon, day, hour, minute, 0) && epoch(year, mon, day, hour, minute, 0) > now + 86400)
                --year;
        }
        if (valid_date(year, mon, day, hour, minute, 0)) e.modified = epoch(year, mon, day, hour, minute, 0);
        std::string_view name = line.substr(name_at);
        if (e.type == entry_type::link) {
            if (auto arrow = name.find(" -> "); arrow != std::string_view::npos) {
                e.link_target = std::string(name.substr(arrow + 4));
                name = name.substr(0, arrow);
            }
        }
        if (name.empty()) return std::nullopt;
        e.name = std::string(name);
        return e;
    }
    return std::nullopt;
}

// "12-06-23  07:19PM       <DIR>          name" or "... 1234 name"
std::optional<entry> parse_dos(std::string_view line) {
    auto t = tokens_of(line, 3);
    if (t.size() < 3) return std::nullopt;
    std::string_view d = t[0].text, tm = t[1].text;
    if (d.size() != 8 && d.size() != 10) return std::nullopt;
    if (d[2] != '-' && d[2] != '/') return std::nullopt;
    if (d[5] != d[2]) return std::nullopt;
    if (!all_digits(d.substr(0, 2)) || !all_digits(d.substr(3, 2)) || !all_digits(d.substr(6))) return std::nullopt;
    int mon = to_int(d.substr(0, 2)), day = to_int(d.substr(3, 2)), year = to_int(d.substr(6));
    if (d.size() == 8) year += year < 70 ? 2000 : 1900;
    if (tm.size() < 4 || tm.find(':') == std::string_view::npos) return std::nullopt;
    auto colon = tm.find(':');
    std::string_view hh = tm.substr(0, colon), rest = tm.substr(colon + 1);
    if (rest.size() < 2 || !all_digits(hh) || hh.size() > 2 || !all_digits(rest.substr(0, 2))) return std::nullopt;
    int hour = to_int(hh), minute = to_int(rest.substr(0, 2));
    std::string_view ampm = rest.substr(2);
    if (!ampm.empty()) {
        if (iequals(ampm, "PM")) {
            if (hour < 12) hour += 12;
        } else if (iequals(ampm, "AM")) {
            if (hour == 12) hour = 0;
        } else {
            return std::nullopt;
        }
    }
    std::string_view what = t[2].text;
    entry e;
    if (what == "<DIR>" || iequals(what, "<dir>")) {
        e.type = entry_type::directory;
    } else if (auto n = to_u64(what)) {
        e.type = entry_type::file;
        e.size = n;
    } else {
        return std::nullopt;
    }
    std::size_t at = t[2].begin + what.size();
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
    if (at >= line.size()) return std::nullopt;
    e.name = std::string(line.substr(at));
    if (valid_date(year, mon, day, hour, minute, 0)) e.modified = epoch(year, mon, day, hour, minute, 0);
    return e;
}

} // namespace

const char* to_string(entry_type t) noexcept {
    switch (t) {
    case entry_type::file: return "file";
    case entry_type::directory: return "directory";
    case entry_type::link: return "link";
    case entry_type::other: return "other";
    case entry_type::unknown: break;
    }
    return "unknown";
}

std::optional<std::int64_t> parse_ftp_time(std::string_view s) {
    if (s.size() < 14 || !all_digits(s.substr(0, 14))) return std::nullopt;
    if (s.size() > 14) {
        if (s[14] != '.' || s.size() == 15 || !all_digits(s.substr(15))) return std::nullopt;
    }
    int y = to_int(s.substr(0, 4)), mo = to_int(s.substr(4, 2)), d = to_int(s.substr(6, 2));
    int h = to_int(s.substr(8, 2)), mi = to_int(s.substr(10, 2)), sec = to_int(s.substr(12, 2));
    if (!valid_date(y, mo, d, h, mi, sec)) return std::nullopt;
    return epoch(y, mo, d, h, mi, sec);
}

std::optional<entry> parse_mlsd_line(std::string_view line) {
    auto sp = line.find(' ');
    if (sp == std::string_view::npos || sp + 1 >= line.size()) return std::nullopt;
    std::string_view facts = line.substr(0, sp);
    entry e;
    e.name = std::string(line.substr(sp + 1));
    bool pseudo = false;
    while (!facts.empty()) {
        auto semi = facts.find(';');
        std::string_view fact = facts.substr(0, semi);
        facts.remove_prefix(semi == std::string_view::npos ? facts.size() : semi + 1);
        if (fact.empty()) continue;
        auto eq = fact.find('=');
        if (eq == std::string_view::npos || eq == 0) return std::nullopt;
        std::string_view key = fact.substr(0, eq), value = fact.substr(eq + 1);
        if (iequals(key, "type")) {
            if (iequals(value, "file")) e.type = entry_type::file;
            else if (iequals(value, "dir")) e.type = entry_type::directory;
            else if (iequals(value, "cdir") || iequals(value, "pdir")) pseudo = true;
            else if (iequals(value, "OS.unix=symlink") || iequals(value, "OS.unix=slink")) e.type = entry_type::link;
            else if (value.size() > 8 && iequals(value.substr(0, 8), "OS.unix=") &&
                     iequals(value.substr(8, 5), "slink")) {
                e.type = entry_type::link;  // "OS.unix=slink:/target" (pure-ftpd, ProFTPD)
                if (auto colon = value.find(':'); colon != std::string_view::npos)
                    e.link_target = std::string(value.substr(colon + 1));
            } else e.type = entry_type::other;
        } else if (iequals(key, "size") || iequals(key, "sizd")) {
            if (auto n = to_u64(value)) {
                if (iequals(key, "size") || !e.size) e.size = n;
            }
        } else if (iequals(key, "modify")) {
            e.modified = parse_ftp_time(value);
        } else if (iequals(key, "perm")) {
            e.permissions = std::string(value);
        } else if (iequals(key, "UNIX.mode")) {
            // octal, e.g. 0644: shown as rwxr-xr-x
            std::string_view v = value;
            while (v.size() > 3 && v.front() == '0') v.remove_prefix(1);
            if (v.size() == 3 && v.find_first_not_of("01234567") == std::string_view::npos) {
                std::string p;
                for (char c : v) {
                    int bits = c - '0';
                    p += (bits & 4) ? 'r' : '-';
                    p += (bits & 2) ? 'w' : '-';
                    p += (bits & 1) ? 'x' : '-';
                }
                e.permissions = p;
            }
        } else if (iequals(key, "UNIX.owner") || (iequals(key, "UNIX.uid") && e.owner.empty())) {
            e.owner = std::string(value);
        } else if (iequals(key, "UNIX.group") || (iequals(key, "UNIX.gid") && e.group.empty())) {
            e.group = std::string(value);
        }
    }
    if (pseudo) return std::nullopt;
    return e;
}

std::optional<entry> parse_list_line(std::string_view line, std::int64_t now) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.empty() || line.find('\0') != std::string_view::npos) return std::nullopt;
    if (auto e = parse_unix(line, now)) return e;
    return parse_dos(line);
}

listing_parser::listing_parser(format f, entry_fn each, std::int64_t now, std::size_t max_line)
    : format_(f), each_(std::move(each)), now_(now), max_(max_line) {}

void listing_parser::line(std::string_view l) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    std::optional<entry> e;
    if (l.empty() || l.find('\0') != std::string_view::npos) {
        if (!l.empty()) ++skipped_;
        return;
    }
    switch (format_) {
    case format::mlsd: e = parse_mlsd_line(l); break;
    case format::list: e = parse_list_line(l, now_); break;
    case format::names: e = entry{}; e->name = std::string(l); break;
    }
    if (!e) {
        ++skipped_;
        return;
    }
    ++entries_;
    each_(*e);
}

void listing_parser::feed(std::string_view chunk) {
    while (!chunk.empty()) {
        const void* p = std::memchr(chunk.data(), '\n', chunk.size());
        std::size_t n = p ? static_cast<std::size_t>(static_cast<const char*>(p) - chunk.data()) : chunk.size();
        if (dropping_) {
            // the rest of an over-long line
        } else if (partial_.size() + n > max_) {
            dropping_ = true;
            partial_.clear();
            ++skipped_;
        } else if (p && partial_.empty()) {
            line(chunk.substr(0, n));
        } else {
            partial_.append(chunk.substr(0, n));
            if (p) {
                line(partial_);
                partial_.clear();
            }
        }
        if (!p) return;
        dropping_ = false;
        chunk.remove_prefix(n + 1);
    }
}

void listing_parser::finish() {
    if (!dropping_ && !partial_.empty()) line(partial_);
    partial_.clear();
    dropping_ = false;
}

} // namespace pigeon::ftp
