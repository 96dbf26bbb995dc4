#include "pigeon/imap/search_query.hpp"

#include "pigeon/imap/date_time.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap {
namespace {

constexpr std::size_t max_depth = 100;
constexpr std::uint64_t max_number = 0x7fffffffffffffffULL;

bool ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// A search string: no CR, LF or NUL (refused even though a literal could
// carry them: no criterion needs them), and 8-bit text must be UTF-8.
bool valid_text(std::string_view s) noexcept {
    if (s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return false;
    return ascii(s) || is_valid_utf8(s);
}

bool valid_atom(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_atom_char(c)) return false;
    return true;
}

// RFC 5322 field name: printable ASCII except ":".
bool valid_field_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c <= 0x20 || c >= 0x7f || c == ':') return false;
    return true;
}

} // namespace

search_query::search_query() = default;
search_query::search_query(kind k, std::string key) : kind_(k), key_(std::move(key)) {}

search_query search_query::all() { return {kind::flag, "ALL"}; }
search_query search_query::seen() { return {kind::flag, "SEEN"}; }
search_query search_query::unseen() { return {kind::flag, "UNSEEN"}; }
search_query search_query::flagged() { return {kind::flag, "FLAGGED"}; }
search_query search_query::unflagged() { return {kind::flag, "UNFLAGGED"}; }
search_query search_query::answered() { return {kind::flag, "ANSWERED"}; }
search_query search_query::unanswered() { return {kind::flag, "UNANSWERED"}; }
search_query search_query::deleted() { return {kind::flag, "DELETED"}; }
search_query search_query::undeleted() { return {kind::flag, "UNDELETED"}; }
search_query search_query::draft() { return {kind::flag, "DRAFT"}; }
search_query search_query::undraft() { return {kind::flag, "UNDRAFT"}; }
search_query search_query::recent() { return {kind::flag, "RECENT"}; }
search_query search_query::new_() { return {kind::flag, "NEW"}; }
search_query search_query::old() { return {kind::flag, "OLD"}; }

search_query search_query::keyword(std::string_view flag) {
    search_query q(kind::keyword, "KEYWORD");
    q.a_ = flag;
    return q;
}
search_query search_query::unkeyword(std::string_view flag) {
    search_query q(kind::keyword, "UNKEYWORD");
    q.a_ = flag;
    return q;
}

#define PIGEON_STRING_KEY(fn, name)                       \
    search_query search_query::fn(std::string_view s) {   \
        search_query q(kind::string, name);               \
        q.a_ = s;                                         \
        return q;                                         \
    }
PIGEON_STRING_KEY(from, "FROM")
PIGEON_STRING_KEY(to, "TO")
PIGEON_STRING_KEY(cc, "CC")
PIGEON_STRING_KEY(bcc, "BCC")
PIGEON_STRING_KEY(subject, "SUBJECT")
PIGEON_STRING_KEY(body, "BODY")
PIGEON_STRING_KEY(text, "TEXT")
#undef PIGEON_STRING_KEY

search_query search_query::header(std::string_view field, std::string_view s) {
    search_query q(kind::header, "HEADER");
    q.a_ = field;
    q.b_ = s;
    return q;
}

#define PIGEON_DATE_KEY(fn, name)                                 \
    search_query search_query::fn(std::chrono::year_month_day d) { \
        search_query q(kind::date, name);                         \
        q.date_ = d;                                              \
        return q;                                                 \
    }
PIGEON_DATE_KEY(since, "SINCE")
PIGEON_DATE_KEY(before, "BEFORE")
PIGEON_DATE_KEY(on, "ON")
PIGEON_DATE_KEY(sent_since, "SENTSINCE")
PIGEON_DATE_KEY(sent_before, "SENTBEFORE")
PIGEON_DATE_KEY(sent_on, "SENTON")
#undef PIGEON_DATE_KEY

search_query search_query::larger(std::uint64_t n) {
    search_query q(kind::number, "LARGER");
    q.n_ = n;
    return q;
}
search_query search_query::smaller(std::uint64_t n) {
    search_query q(kind::number, "SMALLER");
    q.n_ = n;
    return q;
}
search_query search_query::modseq(std::uint64_t n) {
    search_query q(kind::number, "MODSEQ");
    q.n_ = n;
    return q;
}

search_query search_query::uid(const uid_set& uids) {
    search_query q(kind::set, "UID");
    q.set_ = uids;
    return q;
}
search_query search_query::sequence(const sequence_set& seqs) {
    search_query q(kind::set, "");
    q.set_ = seqs;
    return q;
}

search_query search_query::not_(search_query inner) {
    search_query q(kind::not_, "NOT");
    q.children_.push_back(std::move(inner));
    return q;
}
search_query search_query::or_(search_query a, search_query b) {
    search_query q(kind::or_, "OR");
    q.children_.push_back(std::move(a));
    q.children_.push_back(std::move(b));
    return q;
}
search_query search_query::and_(std::vector<search_query> all) {
    search_query q;
    q.children_ = std::move(all);
    return q;
}

search_query operator&&(search_query a, search_query b) {
    std::vector<search_query> parts;
    for (search_query* q : {&a, &b}) {
        if (q->kind_ == search_query::kind::and_) {
            for (auto& c : q->children_) parts.push_back(std::move(c));
        } else {
            parts.push_back(std::move(*q));
        }
    }
    return search_query::and_(std::move(parts));
}

bool search_query::needs_charset() const {
    if ((kind_ == kind::string || kind_ == kind::header) && (!ascii(a_) || !ascii(b_))) return true;
    for (const auto& c : children_)
        if (c.needs_charset()) return true;
    return false;
}

std::error_code search_query::check(std::size_t depth) const {
    const auto invalid = make_error_code(errc::invalid_argument);
    if (depth > max_depth) return invalid;
    switch (kind_) {
    case kind::flag: break;
    case kind::string:
        if (!valid_text(a_)) return invalid;
        break;
    case kind::header:
        if (!valid_field_name(a_) || !valid_text(b_)) return invalid;
        break;
    case kind::keyword:
        if (!valid_atom(a_)) return invalid;
        break;
    case kind::date:
        if (format_date(date_).empty()) return invalid;
        break;
    case kind::number:
        if (n_ > max_number) return invalid;
        break;
    case kind::set:
        if (set_.empty()) return invalid;
        break;
    case kind::not_:
    case kind::or_:
    case kind::and_:
        for (const auto& c : children_)
            if (auto ec = c.check(depth + 1)) return ec;
        break;
    }
    return {};
}

// top: an AND is written as its members side by side; elsewhere (the
// operand of OR or NOT) as one parenthesized key.
void search_query::write(command_builder& b, bool top) const {
    switch (kind_) {
    case kind::flag: b.atom(key_); break;
    case kind::string: b.atom(key_).astring(a_); break;
    case kind::header: b.atom(key_).astring(a_).astring(b_); break;
    case kind::keyword: b.atom(key_).atom(a_); break;
    case kind::date: b.atom(key_).atom(format_date(date_)); break;
    case kind::number: b.atom(key_).atom(std::to_string(n_)); break;
    case kind::set:
        if (!key_.empty()) b.atom(key_);
        b.raw(set_.to_string());
        break;
    case kind::not_:
        b.atom(key_);
        children_[0].write(b, false);
        break;
    case kind::or_:
        b.atom(key_);
        children_[0].write(b, false);
        children_[1].write(b, false);
        break;
    case kind::and_:
        if (children_.empty()) {
            b.atom("ALL");
        } else if (children_.size() == 1) {
            children_[0].write(b, top);
        } else if (top) {
            for (const auto& c : children_) c.write(b, true);
        } else {
            b.open_list();
            for (const auto& c : children_) c.write(b, true);
            b.close_list();
        }
        break;
    }
}

std::error_code search_query::append_to(command_builder& b, search_options opts) const {
    if (auto ec = check(0)) {
        b.raw(std::string_view());  // an empty raw argument marks the builder failed
        return ec;
    }
    if (opts.charset && needs_charset()) b.atom("CHARSET").atom("UTF-8");
    write(b, true);
    return {};
}

} // namespace pigeon::imap
