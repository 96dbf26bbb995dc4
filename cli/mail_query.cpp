#include "mail_query.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>

#include "common.hpp"
#include "pigeon/imap/command.hpp"
#include "pigeon/mime/builder.hpp"
#include "pigeon/mime/date.hpp"
#include "pigeon/mime/rfc2047.hpp"

namespace pigeon::cli::mail {
namespace {

using q = imap::search_query;

struct token {
    std::string text;
    std::size_t pos = 0;    // 1-based
    bool quoted = false;
    bool paren = false;     // "(" or ")"
};

struct tokens {
    std::vector<token> list;
    std::optional<query_error> error;
};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

tokens tokenize(std::string_view s) {
    tokens out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (blank(s[i])) {
            ++i;
            continue;
        }
        token t;
        t.pos = i + 1;
        if (s[i] == '(' || s[i] == ')') {
            t.text.assign(1, s[i]);
            t.paren = true;
            ++i;
        } else if (s[i] == '"') {
            t.quoted = true;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                char c = s[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < s.size()) c = s[i++];
                t.text += c;
            }
            if (!closed) {
                out.error = query_error{t.pos, "a quoted string is not closed"};
                return out;
            }
        } else {
            while (i < s.size() && !blank(s[i]) && s[i] != '(' && s[i] != ')' && s[i] != '"') t.text += s[i++];
        }
        out.list.push_back(std::move(t));
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

struct parse_failure {
    query_error e;
};

/// Criteria and the same test made here.
struct node {
    q query;
    predicate pred;
};

bool has_ci(const std::string& hay, const std::string& needle_lower) {
    return lower(hay).find(needle_lower) != std::string::npos;
}

/// The decoded values of the fields called name (any case).
std::vector<std::string> field_values(const std::string& header, std::string_view name) {
    std::vector<std::string> out;
    mime::message m = mime::parse_message_view(header);
    if (!m.root()) return out;
    std::string want = lower(name);
    for (mime::header_field f : m.root()->headers())
        if (lower(f.name) == want) out.push_back(mime::decode_unstructured(f.value));
    return out;
}

/// The day (as written) of the Date field.
std::optional<std::chrono::year_month_day> sent_day(const std::string& header) {
    for (const auto& v : field_values(header, "Date"))
        if (auto d = mime::parse_date(v))
            return std::chrono::year_month_day{std::chrono::year(d->year), std::chrono::month(static_cast<unsigned>(d->month)),
                                               std::chrono::day(static_cast<unsigned>(d->day))};
    return std::nullopt;
}

/// The arrival day (UTC), else the Date field's day.
std::optional<std::chrono::year_month_day> arrival_day(const message_facts& m) {
    if (m.internal_date)
        return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(
            std::chrono::sys_seconds(std::chrono::seconds(*m.internal_date)))};
    return sent_day(m.header);
}

/// The body: what follows the blank line ("" when not known).
std::string body_of(const std::string& whole) {
    auto p = whole.find("\r\n\r\n");
    std::size_t skip = 4;
    if (auto lf = whole.find("\n\n"); lf != std::string::npos && (p == std::string::npos || lf < p)) {
        p = lf;
        skip = 2;
    }
    return p == std::string::npos ? std::string() : whole.substr(p + skip);
}

bool has_flag(const message_facts& m, const std::string& flag_lower) {
    for (const auto& f : m.flags)
        if (lower(f) == flag_lower) return true;
    return false;
}

class parser {
public:
    parser(std::vector<token> t, std::size_t end_pos, std::chrono::year_month_day today)
        : t_(std::move(t)), end_pos_(end_pos), today_(today) {}

    node run() {
        node result = parse_or();
        if (i_ < t_.size()) {
            if (t_[i_].paren) fail(t_[i_].pos, "a ')' without its '('");
            fail(t_[i_].pos, "unexpected '" + printable(t_[i_].text) + "'");
        }
        return result;
    }

private:
    [[noreturn]] void fail(std::size_t pos, std::string msg) { throw parse_failure{{pos, std::move(msg)}}; }

    bool at_end() const { return i_ >= t_.size(); }
    std::size_t here() const { return at_end() ? end_pos_ : t_[i_].pos; }
    bool keyword_is(const char* k) const {
        return !at_end() && !t_[i_].quoted && !t_[i_].paren && lower(t_[i_].text) == k;
    }

    node parse_or() {
        node left = parse_and();
        while (keyword_is("or")) {
            ++i_;
            node right = parse_and();
            left = {q::or_(std::move(left.query), std::move(right.query)),
                    [a = left.pred, b = right.pred](const message_facts& m) { return a(m) || b(m); }};
        }
        return left;
    }

    node parse_and() {
        std::vector<node> parts;
        for (;;) {
            if (at_end() || keyword_is("or") || (t_[i_].paren && t_[i_].text == ")")) break;
            if (keyword_is("and")) {
                if (parts.empty()) fail(t_[i_].pos, "'and' needs a term before it");
                ++i_;
                if (at_end() || keyword_is("or") || keyword_is("and") || (t_[i_].paren && t_[i_].text == ")"))
                    fail(here(), "expected a search term after 'and'");
                continue;
            }
            parts.push_back(parse_unary());
        }
        if (parts.empty()) {
            if (at_end()) fail(here(), "expected a search term, found the end of the query");
            fail(here(), "expected a search term before '" + printable(t_[i_].text) + "'");
        }
        if (parts.size() == 1) return std::move(parts.front());
        std::vector<q> queries;
        std::vector<predicate> preds;
        for (auto& n : parts) {
            queries.push_back(std::move(n.query));
            preds.push_back(std::move(n.pred));
        }
        return {q::and_(std::move(queries)), [preds](const message_facts& m) {
                    for (const auto& p : preds)
                        if (!p(m)) return false;
                    return true;
                }};
    }

    node parse_unary() {
        if (++depth_ > 50) fail(here(), "the query is nested too deeply");
        node r = unary_inner();
        --depth_;
        return r;
    }

    node unary_inner() {
        if (keyword_is("not")) {
            ++i_;
            if (at_end()) fail(here(), "expected a search term after 'not'");
            node inner = parse_unary();
            return {q::not_(std::move(inner.query)), [p = inner.pred](const message_facts& m) { return !p(m); }};
        }
        if (t_[i_].paren) {
            if (t_[i_].text == ")") fail(t_[i_].pos, "a ')' without its '('");
            std::size_t open = t_[i_].pos;
            ++i_;
            node inner = parse_or();
            if (at_end() || !(t_[i_].paren && t_[i_].text == ")")) fail(at_end() ? end_pos_ : here(),
                                                                         "the '(' at position " +
                                                                             std::to_string(open) + " is not closed");
            ++i_;
            return inner;
        }
        return term();
    }

    const token& value(const std::string& key, const char* what) {
        if (at_end() || t_[i_].paren) fail(here(), "expected " + std::string(what) + " after '" + key + "'");
        return t_[i_++];
    }

    std::chrono::year_month_day date_value(const std::string& key) {
        const token& t = value(key, "a date (YYYY-MM-DD, today, yesterday or Nd)");
        std::string v = lower(t.text);
        using namespace std::chrono;
        if (v == "today") return today_;
        if (v == "yesterday") return year_month_day{sys_days(today_) - days(1)};
        if (v.size() >= 2 && v.back() == 'd') {
            unsigned n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size() - 1, n);
            if (ec == std::errc() && p == v.data() + v.size() - 1 && n <= 100000)
                return year_month_day{sys_days(today_) - days(n)};
        }
        int y = 0;
        unsigned m = 0, d = 0;
        if (v.size() == 10 && v[4] == '-' && v[7] == '-') {
            auto r1 = std::from_chars(v.data(), v.data() + 4, y);
            auto r2 = std::from_chars(v.data() + 5, v.data() + 7, m);
            auto r3 = std::from_chars(v.data() + 8, v.data() + 10, d);
            year_month_day ymd{year(y), month(m), day(d)};
            if (r1.ptr == v.data() + 4 && r2.ptr == v.data() + 7 && r3.ptr == v.data() + 10 && ymd.ok() && y >= 1)
                return ymd;
            fail(t.pos, "no such date: '" + printable(t.text) + "'");
        }
        fail(t.pos, "expected a date (YYYY-MM-DD, today, yesterday or Nd) after '" + key + "', not '" +
                        printable(t.text) + "'");
    }

    std::uint64_t size_value(const std::string& key) {
        const token& t = value(key, "a size (N, NK, NM or NG)");
        const std::string& v = t.text;
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        std::string unit = lower(std::string_view(p, static_cast<std::size_t>(v.data() + v.size() - p)));
        std::uint64_t mult = 0;
        if (unit.empty() || unit == "b") mult = 1;
        else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024;
        else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024ull * 1024;
        else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024ull * 1024 * 1024;
        if (ec != std::errc() || p == v.data() || mult == 0 || n > (std::uint64_t(1) << 62) / mult)
            fail(t.pos, "expected a size (N, NK, NM or NG) after '" + key + "', not '" + printable(v) + "'");
        return n * mult;
    }

    node term() {
        const token& t = t_[i_];
        if (t.quoted)
            fail(t.pos, "a quoted string must follow a search key (from, subject, text...): \"" +
                            printable(t.text) + "\"");
        std::string k = lower(t.text);
        ++i_;
        // Flags: the criterion and the flag it tests (set or not).
        struct flag_key {
            const char* name;
            q (*make)();
            const char* flag;  // lower case; nullptr: every message
            bool set;
        };
        static const flag_key flags[] = {
            {"all", &q::all, nullptr, true},
            {"seen", &q::seen, "\\seen", true},           {"unseen", &q::unseen, "\\seen", false},
            {"flagged", &q::flagged, "\\flagged", true},  {"unflagged", &q::unflagged, "\\flagged", false},
            {"answered", &q::answered, "\\answered", true}, {"unanswered", &q::unanswered, "\\answered", false},
            {"deleted", &q::deleted, "\\deleted", true},  {"undeleted", &q::undeleted, "\\deleted", false},
            {"draft", &q::draft, "\\draft", true},        {"undraft", &q::undraft, "\\draft", false},
        };
        for (const auto& f : flags) {
            if (k != f.name) continue;
            if (!f.flag) return {f.make(), [](const message_facts&) { return true; }};
            return {f.make(), [flag = std::string(f.flag), set = f.set](const message_facts& m) {
                        return has_flag(m, flag) == set;
                    }};
        }
        if (k == "keyword" || k == "unkeyword") {
            const token& v = value(k, "a keyword");
            check_atom(v);
            bool set = k == "keyword";
            return {set ? q::keyword(v.text) : q::unkeyword(v.text),
                    [flag = lower(v.text), set](const message_facts& m) { return has_flag(m, flag) == set; }};
        }
        static const std::pair<const char*, q (*)(std::string_view)> fields[] = {
            {"from", &q::from}, {"to", &q::to}, {"cc", &q::cc}, {"bcc", &q::bcc}, {"subject", &q::subject},
        };
        for (const auto& [name, make] : fields) {
            if (k != name) continue;
            const token& v = value(k, "a string");
            check_text(v);
            return {make(v.text), [field = std::string(name), want = lower(v.text)](const message_facts& m) {
                        for (const auto& val : field_values(m.header, field))
                            if (has_ci(val, want)) return true;
                        return false;
                    }};
        }
        if (k == "body" || k == "text") {
            const token& v = value(k, "a string");
            check_text(v);
            needs_whole_ = true;
            bool whole_text = k == "text";
            return {whole_text ? q::text(v.text) : q::body(v.text),
                    [want = lower(v.text), whole_text](const message_facts& m) {
                        const std::string& all = m.whole ? *m.whole : m.header;
                        return has_ci(whole_text ? all : body_of(all), want);
                    }};
        }
        if (k == "header") {
            const token& name = value(k, "a header field name");
            for (char c : name.text)
                if (c <= ' ' || c >= 127 || c == ':') fail(name.pos, "not a header field name: '" + printable(name.text) + "'");
            if (name.text.empty()) fail(name.pos, "not a header field name: ''");
            const token& v = value("header " + name.text, "a string");
            check_text(v);
            return {q::header(name.text, v.text), [field = name.text, want = lower(v.text)](const message_facts& m) {
                        for (const auto& val : field_values(m.header, field))
                            if (has_ci(val, want)) return true;
                        return false;
                    }};
        }
        enum class when { since, before, on };
        struct date_key {
            const char* name;
            q (*make)(std::chrono::year_month_day);
            when w;
            bool sent;
        };
        static const date_key dates[] = {
            {"since", &q::since, when::since, false},           {"before", &q::before, when::before, false},
            {"on", &q::on, when::on, false},                    {"sent-since", &q::sent_since, when::since, true},
            {"sent-before", &q::sent_before, when::before, true}, {"sent-on", &q::sent_on, when::on, true},
        };
        for (const auto& d : dates) {
            if (k != d.name) continue;
            auto day = date_value(k);
            return {d.make(day), [day, w = d.w, sent = d.sent](const message_facts& m) {
                        auto got = sent ? sent_day(m.header) : arrival_day(m);
                        if (!got) return false;
                        auto a = std::chrono::sys_days(*got), b = std::chrono::sys_days(day);
                        return w == when::since ? a >= b : w == when::before ? a < b : a == b;
                    }};
        }
        if (k == "larger" || k == "smaller") {
            std::uint64_t n = size_value(k);
            bool larger = k == "larger";
            return {larger ? q::larger(n) : q::smaller(n),
                    [n, larger](const message_facts& m) { return larger ? m.size > n : m.size < n; }};
        }
        if (k == "uid") {
            const token& v = value(k, "a UID set (1:5,9)");
            std::error_code ec;
            auto set = imap::uid_set::parse(v.text, ec, 10000);
            if (!set) fail(v.pos, "not a UID set: '" + printable(v.text) + "' (want 7, 1:5,9 or 100:*)");
            // Messages held here have no UID (POP3).
            return {q::uid(*set), [](const message_facts&) { return false; }};
        }
        if (t.paren) fail(t.pos, "unexpected '" + t.text + "'");
        fail(t.pos, "unknown search key '" + printable(t.text) +
                        "' (from, to, cc, bcc, subject, body, text, header, since, before, on, sent-since, "
                        "sent-before, sent-on, larger, smaller, seen, unseen, flagged, answered, deleted, draft, "
                        "keyword, uid, all, and, or, not)");
    }

public:
    bool needs_whole() const noexcept { return needs_whole_; }

private:
    void check_text(const token& v) {
        for (char c : v.text)
            if (c == '\r' || c == '\n' || c == '\0') fail(v.pos, "a line break or NUL cannot be searched for");
    }
    void check_atom(const token& v) {
        for (char c : v.text)
            if (c <= ' ' || c >= 127 || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
                c == '\\' || c == ']')
                fail(v.pos, "not a keyword (an IMAP atom such as $Label1): '" + printable(v.text) + "'");
        if (v.text.empty()) fail(v.pos, "an empty keyword");
    }

    std::vector<token> t_;
    std::size_t i_ = 0;
    std::size_t end_pos_;
    std::chrono::year_month_day today_;
    int depth_ = 0;
    bool needs_whole_ = false;
};

} // namespace

std::string query_text(const std::vector<std::string>& words) {
    if (words.size() == 1) return words.front();
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        // Parentheses stay grouping ("(subject", "x)"); a value with them and
        // no blank ("f(x)") needs quotes inside the word.
        bool quote = w.empty() || w.find_first_of(" \t\r\n\"\\") != std::string::npos;
        if (!quote) {
            out += w;
            continue;
        }
        out += '"';
        for (char c : w) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

parsed_query parse_query(std::string_view text, std::chrono::year_month_day today) {
    parsed_query r;
    tokens t = tokenize(text);
    if (t.error) {
        r.error = *t.error;
        return r;
    }
    if (t.list.empty()) {
        r.empty = true;
        r.query = q::all();
        r.matches = [](const message_facts&) { return true; };
        return r;
    }
    try {
        parser p(std::move(t.list), text.size() + 1, today);
        node n = p.run();
        r.query = std::move(n.query);
        r.matches = std::move(n.pred);
        r.needs_whole = p.needs_whole();
        // What the builder refuses (8-bit text that is not UTF-8): found now,
        // not on the wire.
        imap::command_builder b("A", "SEARCH");
        if (r.query->append_to(b)) {
            r.query.reset();
            r.matches = nullptr;
            r.error = {1, "the query holds text that is not UTF-8"};
        }
    } catch (const parse_failure& f) {
        r.error = f.e;
    }
    return r;
}

std::chrono::year_month_day utc_today() {
    return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

std::string describe(const imap::search_query& query) {
    imap::command_builder b("A", "SEARCH");
    if (query.append_to(b)) return {};
    std::error_code ec;
    auto cmd = b.finish(ec);
    if (!cmd) return {};
    std::string s = cmd->describe();
    const std::string prefix = "A SEARCH ";
    return s.rfind(prefix, 0) == 0 ? s.substr(prefix.size()) : s;
}

std::string format_error(std::string_view text, const query_error& e) {
    std::string out = "search query: " + e.message + " at position " + std::to_string(e.position) + "\n  " +
                      printable(text) + "\n  ";
    // The caret under the column (the text shown is printable(), so count
    // its characters up to the position).
    std::string before = printable(text.substr(0, std::min(e.position - 1, text.size())));
    std::size_t cols = 0;
    for (unsigned char c : before)
        if ((c & 0xC0) != 0x80) ++cols;
    out.append(cols, ' ');
    out += '^';
    return out;
}

} // namespace pigeon::cli::mail
