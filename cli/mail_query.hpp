#pragma once
// The query language of `pigeon search` and `pigeon wait`, translated to IMAP
// SEARCH criteria (imap::search_query):
//
//   from alice and since 2026-01-01 and not seen
//   subject "disk full" or (larger 1M header X-Alert-Id 42)
//
// Terms next to each other mean AND ("and" may be written); "or" binds
// weaker than AND; "not" and parentheses as usual. Keywords are
// case-insensitive; a value may be quoted ("disk full", with \" and \\).
//   flags:    all seen unseen flagged unflagged answered unanswered deleted
//             undeleted draft undraft, keyword NAME, unkeyword NAME
//   strings:  from to cc bcc subject body text STRING, header NAME STRING
//   dates:    since before on (arrival), sent-since sent-before sent-on
//             (Date field): YYYY-MM-DD, today, yesterday, Nd (N days ago)
//   sizes:    larger smaller N[K|M|G]
//   ids:      uid SET (1:5,9)
// Parsing never throws: a query that does not parse gives the position
// (1-based column of the query text) and what was expected there.
//
// Besides the IMAP criteria, a query gives a predicate over a message held
// here (POP3 cannot search): the same rules, case-insensitive substrings of
// the decoded fields, dates from the Date field where there is no arrival
// date, no flags (POP3 has none: "unseen" holds, "seen" does not).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/imap/search_query.hpp"

namespace pigeon::cli::mail {

struct query_error {
    std::size_t position = 0;  ///< 1-based column in the query text
    std::string message;
};

/// What the local predicate looks at.
struct message_facts {
    std::string header;                 ///< the header block as received
    std::optional<std::string> whole;   ///< the whole message (for body / text)
    std::vector<std::string> flags;
    std::uint64_t size = 0;
    std::optional<std::int64_t> internal_date;  ///< Unix seconds; none: the Date field's
};
using predicate = std::function<bool(const message_facts&)>;

struct parsed_query {
    std::optional<imap::search_query> query;  ///< set when it parsed
    predicate matches;                        ///< likewise
    bool needs_whole = false;                 ///< matches looks at the body (body, text)
    query_error error;                        ///< otherwise
    bool empty = false;                       ///< no terms at all (ALL)
};

/// The query text from command-line words: one word is taken as written
/// (the whole query quoted by the shell); several are joined by spaces, a
/// word with blanks, quotes or backslashes in it quoted again (parentheses
/// in a word stay grouping).
std::string query_text(const std::vector<std::string>& words);

/// Parses text; dates like "today" are relative to today.
parsed_query parse_query(std::string_view text, std::chrono::year_month_day today);

/// Today in UTC.
std::chrono::year_month_day utc_today();

/// The criteria as sent after UID SEARCH ("FROM alice SINCE 1-Jan-2026"),
/// literals inline; "" when the query cannot be written (a CR in a string).
std::string describe(const imap::search_query& q);

/// "pigeon: search query: ... at position N" with the query and a caret
/// under the position, for standard error.
std::string format_error(std::string_view text, const query_error& e);

} // namespace pigeon::cli::mail
