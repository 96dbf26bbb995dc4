#pragma once
// SEARCH criteria as values (RFC 9051 section 6.4.4), written into a
// command through command_builder, so every string takes the one checked
// path: atom, quoted string or literal.
//
//   using q = search_query;
//   auto query = q::unseen() && (q::from("alice") || q::subject("Grüße")) && !q::deleted()
//                && q::since(std::chrono::year{2026} / 12 / 6);
//   command_builder b(tag, "UID SEARCH" ...);            // the caller's command
//   if (auto ec = query.append_to(b)) ...                 // CHARSET UTF-8 UNSEEN OR FROM alice SUBJECT {7} ...
//
// Criteria next to each other mean AND; OR and NOT take one key each, so
// an AND inside them is written as a parenthesized list.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/imap/command.hpp"
#include "pigeon/imap/sequence_set.hpp"

namespace pigeon::imap {

struct search_options {
    /// Send "CHARSET UTF-8" first when a string is not ASCII. Leave it off
    /// once UTF8=ACCEPT is enabled (RFC 6855 section 3).
    bool charset = true;
};

class search_query {
public:
    /// ALL, also what an empty AND means.
    search_query();

    static search_query all();
    static search_query seen();
    static search_query unseen();
    static search_query flagged();
    static search_query unflagged();
    static search_query answered();
    static search_query unanswered();
    static search_query deleted();
    static search_query undeleted();
    static search_query draft();
    static search_query undraft();
    static search_query recent();  ///< IMAP4rev1 only
    static search_query new_();    ///< NEW: recent and unseen (IMAP4rev1 only)
    static search_query old();     ///< IMAP4rev1 only
    /// KEYWORD / UNKEYWORD flag: an atom such as "$Label1".
    static search_query keyword(std::string_view flag);
    static search_query unkeyword(std::string_view flag);

    static search_query from(std::string_view s);
    static search_query to(std::string_view s);
    static search_query cc(std::string_view s);
    static search_query bcc(std::string_view s);
    static search_query subject(std::string_view s);
    static search_query body(std::string_view s);
    static search_query text(std::string_view s);
    /// HEADER field-name string ("" matches every message that has the field).
    static search_query header(std::string_view field, std::string_view s);

    /// INTERNALDATE on or after / before / on the day (the server's zone).
    static search_query since(std::chrono::year_month_day d);
    static search_query before(std::chrono::year_month_day d);
    static search_query on(std::chrono::year_month_day d);
    /// The Date header field, likewise.
    static search_query sent_since(std::chrono::year_month_day d);
    static search_query sent_before(std::chrono::year_month_day d);
    static search_query sent_on(std::chrono::year_month_day d);

    /// RFC822.SIZE greater / smaller than n octets.
    static search_query larger(std::uint64_t n);
    static search_query smaller(std::uint64_t n);

    static search_query uid(const uid_set& uids);
    static search_query sequence(const sequence_set& seqs);
    /// MODSEQ n: changed since mod-sequence n (CONDSTORE).
    static search_query modseq(std::uint64_t n);

    static search_query not_(search_query q);
    static search_query or_(search_query a, search_query b);
    static search_query and_(std::vector<search_query> all);

    /// A string criterion holds bytes beyond ASCII.
    bool needs_charset() const;

    /// Appends ["CHARSET" SP "UTF-8" SP] and the criteria to b. Returns
    /// errc::invalid_argument and leaves b failed (its finish() fails) for
    /// CR, LF or NUL in a string, 8-bit text that is not UTF-8, a keyword
    /// that is not an atom, a header field name that is not printable
    /// ASCII without ":", an invalid date or year outside 1..9999, a
    /// number over 2^63 - 1, an empty set, or nesting deeper than 100.
    std::error_code append_to(command_builder& b, search_options opts = {}) const;

    /// AND; members of an AND on either side join the new one.
    friend search_query operator&&(search_query a, search_query b);

private:
    enum class kind : std::uint8_t { flag, string, header, keyword, date, number, set, not_, or_, and_ };
    search_query(kind k, std::string key);
    std::error_code check(std::size_t depth) const;
    void write(command_builder& b, bool top) const;

    kind kind_ = kind::and_;
    std::string key_;                  // "SEEN", "FROM", "SINCE", "UID", ...
    std::string a_;                    // string / keyword / header name
    std::string b_;                    // header value
    std::uint64_t n_ = 0;
    std::chrono::year_month_day date_{};
    sequence_set set_;
    std::vector<search_query> children_;  // NOT: 1, OR: 2, AND: any
};

inline search_query operator!(search_query q) { return search_query::not_(std::move(q)); }
inline search_query operator||(search_query a, search_query b) { return search_query::or_(std::move(a), std::move(b)); }

} // namespace pigeon::imap
