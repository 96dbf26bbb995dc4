#include "mail_render.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <utility>

#include "common.hpp"
#include "json_writer.hpp"
#include "pigeon/mime/builder.hpp"
#include "pigeon/mime/date.hpp"
#include "pigeon/mime/reader.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "show_common.hpp"

namespace pigeon::cli::mail {
namespace {

using json = nlohmann::ordered_json;

/// out := raw decoded (RFC 2047, unfolded, trimmed), into out's storage
/// when decoding would not change it (most subjects and names).
void decode_into(std::string& out, std::string_view raw) {
    if (mime::is_plain_unstructured(raw)) out.assign(raw);
    else out = mime::decode_unstructured(raw);
}

/// out := (decoded name, address) of each mailbox of list, reusing out's
/// elements and their strings.
void people_into(std::vector<std::pair<std::string, std::string>>& out, const imap::address_list& list) {
    std::size_t n = 0;
    imap::for_each_mailbox(list, [&](const imap::address& a) {
        if (n == out.size()) out.emplace_back();
        decode_into(out[n].first, a.name);
        a.addr_spec_into(out[n].second);
        ++n;
    });
    out.resize(n);
}

std::vector<std::pair<std::string, std::string>> people_of(const mime::address_list& list) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& mb : list.mailboxes()) out.emplace_back(mb.display_name, mb.address());
    return out;
}

void set_date(summary& s, std::string_view raw) {
    if (auto d = mime::parse_date(raw)) {
        s.date = d->to_unix();
        s.date_iso = d->to_iso8601();
    } else {
        s.date.reset();
        s.date_iso.clear();
    }
}

std::string human_size(std::uint64_t n) {
    const char* units = "KMGT";
    if (n < 1024) return std::to_string(n);
    double v = static_cast<double>(n);
    int u = -1;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
    return buf;
}

/// t formatted with strftime's fmt, in local time or UTC.
std::string format_time(std::int64_t t, const char* fmt, bool local) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!(local ? ::localtime_r(&tt, &tm) : ::gmtime_r(&tt, &tm))) return "";
    char buf[64];
    std::strftime(buf, sizeof buf, fmt, &tm);
    return buf;
}

std::string flag_letters(const summary& s) {
    auto has = [&](const char* f) {
        return std::any_of(s.flags.begin(), s.flags.end(), [&](const std::string& x) {
            return x.size() == std::char_traits<char>::length(f) &&
                   std::equal(x.begin(), x.end(), f, [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                   });
        });
    };
    std::string out;
    if (s.uidl.empty() && !has("\\seen")) out += 'N';
    if (has("\\flagged")) out += 'F';
    if (has("\\answered")) out += 'R';
    if (has("\\deleted")) out += 'D';
    if (has("\\draft")) out += 'T';
    return out;
}

} // namespace

std::string summary::id() const {
    if (!uidl.empty()) return uidl;
    return uidvalidity ? std::to_string(*uidvalidity) + ":" + std::to_string(uid) : std::to_string(uid);
}

bool summary::seen() const {
    if (!uidl.empty()) return true;
    for (const auto& f : flags)
        if (f.size() == 5 && (f[1] == 's' || f[1] == 'S') && (f[4] == 'n' || f[4] == 'N')) return true;
    return false;
}

void fill_summary(summary& s, const imap::message_data& m) {
    s.uid = m.uid.value_or(0);
    if (m.flags) {
        // Into the strings s has already: a listing fills one summary for
        // every message, and the one-line FETCH reader keeps m's storage.
        s.flags.resize(m.flags->size());
        for (std::size_t i = 0; i < s.flags.size(); ++i) s.flags[i].assign((*m.flags)[i]);
    } else {
        s.flags.clear();
    }
    s.size = m.rfc822_size.value_or(0);
    if (m.internal_date)
        s.internal_date = m.internal_date->time.time_since_epoch().count();
    else
        s.internal_date.reset();
    if (m.envelope) {
        const auto& e = *m.envelope;
        decode_into(s.subject, e.subject);
        people_into(s.from, e.from);
        people_into(s.to, e.to);
        s.message_id.assign(e.message_id);
        set_date(s, e.date);
    } else {
        s.subject.clear();
        s.from.clear();
        s.to.clear();
        s.message_id.clear();
        s.date.reset();
        s.date_iso.clear();
    }
}

summary summary_of(const imap::message_data& m) {
    summary s;
    fill_summary(s, m);
    return s;
}

summary summary_of_header(std::string header_bytes) {
    summary s;
    mime::message msg = mime::parse_message(std::move(header_bytes));
    if (!msg.root()) return s;
    mime::message_reader r(msg);
    s.subject = r.subject();
    s.from = people_of(r.from());
    s.to = people_of(r.to());
    s.message_id = r.message_id();
    if (auto d = r.date()) {
        s.date = d->to_unix();
        s.date_iso = d->to_iso8601();
    }
    return s;
}

std::string iso_utc(std::int64_t t) {
    // Years 1000 to 9999 without gmtime_r and strftime (a listing formats
    // thousands); others as strftime writes them.
    using namespace std::chrono;
    constexpr std::int64_t first = -30610224000;  // 1000-01-01T00:00:00Z (strftime does not pad %Y below)
    constexpr std::int64_t end = 253402300800;    // 10000-01-01T00:00:00Z
    if (t < first || t >= end) return format_time(t, "%Y-%m-%dT%H:%M:%SZ", false);
    const sys_seconds tp{seconds{t}};
    const sys_days day = floor<days>(tp);
    const year_month_day ymd{day};
    const std::int64_t secs = (tp - day).count();
    char b[] = "0000-00-00T00:00:00Z";
    auto two = [&](int at, unsigned v) {
        b[at] = static_cast<char>('0' + v / 10);
        b[at + 1] = static_cast<char>('0' + v % 10);
    };
    const auto y = static_cast<unsigned>(static_cast<int>(ymd.year()));
    two(0, y / 100);
    two(2, y % 100);
    two(5, static_cast<unsigned>(ymd.month()));
    two(8, static_cast<unsigned>(ymd.day()));
    two(11, static_cast<unsigned>(secs / 3600));
    two(14, static_cast<unsigned>(secs / 60 % 60));
    two(17, static_cast<unsigned>(secs % 60));
    return std::string(b, sizeof b - 1);
}

json location_json(const summary& s) {
    json o;
    o["account"] = s.account;
    o["folder"] = s.folder;
    o["uidvalidity"] = s.uidvalidity ? json(*s.uidvalidity) : json(nullptr);
    if (s.uidl.empty()) o["uid"] = s.uid;
    else o["uid"] = s.uidl;
    if (!s.uidl.empty()) o["number"] = s.number;
    o["id"] = s.id();
    o["flags"] = s.flags;
    o["internal_date"] = s.internal_date ? json(iso_utc(*s.internal_date)) : json(nullptr);
    o["size"] = s.size;
    return o;
}

namespace {

/// [{"name":...,"address":...},...] appended to out.
void append_people(std::string& out, const std::vector<std::pair<std::string, std::string>>& list) {
    out += '[';
    bool first = true;
    for (const auto& [name, address] : list) {
        out += first ? "{\"name\":" : ",{\"name\":";
        first = false;
        append_json_string(out, name);
        out += ",\"address\":";
        append_json_string(out, address);
        out += '}';
    }
    out += ']';
}

} // namespace

std::string summary_json_line(const summary& s) {
    // location_json's members, then the summary's, in the order the
    // ordered_json of before wrote them: byte for byte the same output.
    json_object_writer w;
    w.string("account", s.account)
        .string("folder", s.folder)
        .number_or_null("uidvalidity", s.uidvalidity ? std::optional<std::uint64_t>(*s.uidvalidity) : std::nullopt);
    if (s.uidl.empty()) w.number("uid", s.uid);
    else w.string("uid", s.uidl).number("number", s.number);
    w.string("id", s.id())
        .string_array("flags", s.flags)
        .string_or_null("internal_date", s.internal_date ? iso_utc(*s.internal_date) : std::string(),
                        s.internal_date.has_value())
        .number("size", s.size)
        .string_or_null("date", s.date_iso, !s.date_iso.empty());
    append_people(w.value_of("from"), s.from);
    append_people(w.value_of("to"), s.to);
    w.string("subject", s.subject)
        .string_or_null("message_id", s.message_id, !s.message_id.empty());
    return w.finish();
}

summary_printer::summary_printer(bool json, std::size_t id_width, std::size_t columns)
    : json_(json), id_w(id_width) {
    if (json_) return;
    bool tty = show::stdout_is_terminal();
    color_ = tty && env_value("NO_COLOR").empty();
    columns_ = columns ? columns : terminal_size_of(1, {100, 24}).columns;
    if (columns_ < 40) columns_ = 40;
}

namespace {
// The fixed columns: flags 4, date 16, size 6, and the spaces between.
constexpr std::size_t flags_w = 4, date_w = 16, size_w = 6;
}

void summary_printer::header() {
    std::size_t rest = columns_ - (id_w + flags_w + date_w + size_w + 5);
    std::size_t from_w = std::min<std::size_t>(24, rest / 3);
    std::string line = pad_columns("ID", id_w) + " " + pad_columns("FLAG", flags_w) + " " + pad_columns("DATE", date_w) +
                       " " + pad_columns("FROM", from_w) + " " + pad_columns("SUBJECT", rest - from_w) + " " +
                       std::string(size_w - 4, ' ') + "SIZE";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    show::write_out((color_ ? "\x1b[1m" + line + "\x1b[0m" : line) + "\n");
}

std::string summary_printer::line(const summary& s) const {
    if (json_) return summary_json_line(s);
    std::size_t rest = columns_ - (id_w + flags_w + date_w + size_w + 5);
    std::size_t from_w = std::min<std::size_t>(24, rest / 3);
    // The table shows the UID (POP3: the UIDL); --json has UIDVALIDITY:UID too.
    std::string id = printable(s.uidl.empty() ? std::to_string(s.uid) : s.uidl);
    // A long id (UIDL, UIDVALIDITY:UID) widens its column rather than being cut.
    std::string idcol = id.size() >= id_w ? id : pad_columns(id, id_w);
    std::string who;
    if (!s.from.empty()) who = s.from.front().first.empty() ? s.from.front().second : s.from.front().first;
    std::int64_t when = s.date ? *s.date : s.internal_date.value_or(0);
    std::string line = idcol + " " + pad_columns(flag_letters(s), flags_w) + " " +
                       pad_columns(s.date || s.internal_date ? format_time(when, "%Y-%m-%d %H:%M", true) : "", date_w) + " " +
                       pad_columns(printable(who), from_w) + " " + pad_columns(printable(s.subject), rest - from_w) + " ";
    std::string size = human_size(s.size);
    if (size.size() < size_w) line.append(size_w - size.size(), ' ');
    line += size;
    if (color_ && !s.seen()) line = "\x1b[1m" + line + "\x1b[0m";
    return line + "\n";
}

void summary_printer::add_line(const std::string& row) {
    if (json_) {
        show::write_out(count_ == 0 ? "[\n  " : ",\n  ");
        show::write_out(row);
        ++count_;
        return;
    }
    if (count_ == 0) header();
    ++count_;
    show::write_out(row);
}

void summary_printer::finish(const std::string& note) {
    if (json_) {
        show::write_out(count_ == 0 ? "[]\n" : "\n]\n");
        return;
    }
    if (!note.empty()) show::write_out(note + "\n");
}

} // namespace pigeon::cli::mail
