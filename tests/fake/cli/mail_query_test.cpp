// The query language of pigeon search / pigeon wait (cli/mail_query.hpp),
// through `pigeon search --explain`, which prints the IMAP SEARCH criteria
// and contacts no server: every key, precedence, quoting of command-line
// words, relative dates, and refusals with the position of the error
// (exit 64, a caret under the column), never a crash or a hang.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/run_process.hpp"

using pigeon::test::process_result;

namespace {

process_result explain(std::vector<std::string> words) {
    std::vector<std::string> args{"search", "--explain", "--"};
    args.insert(args.end(), words.begin(), words.end());
    pigeon::test::process_options o;
    o.timeout = std::chrono::seconds(20);
    return pigeon::test::run_process(pigeon::test::pigeon_cli(), args, o);
}

/// The criteria for a query typed as one word, or "" when refused.
std::string criteria(const std::string& query) {
    auto r = explain({query});
    if (r.exit_code != 0) return "";
    std::string out = r.out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// Refused with exit 64 at position pos, with message part why.
void refused(const std::string& query, std::size_t pos, const std::string& why) {
    auto r = explain({query});
    CAPTURE(query);
    CAPTURE(r.err);
    CHECK(r.exit_code == 64);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "at position " + std::to_string(pos) + "\n"));
    CHECK(contains(r.err, why));
    // The caret stands under the column: two spaces of indent, pos - 1 more.
    CHECK(contains(r.err, "\n" + std::string(pos + 1, ' ') + "^"));
}

std::string imap_date(std::chrono::sys_days d) {
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::chrono::year_month_day ymd{d};
    return std::to_string(static_cast<unsigned>(ymd.day())) + "-" + months[static_cast<unsigned>(ymd.month()) - 1] +
           "-" + std::to_string(static_cast<int>(ymd.year()));
}

} // namespace

TEST_CASE("mail query: every key") {
    CHECK(criteria("all") == "ALL");
    CHECK(criteria("seen unseen flagged unflagged answered unanswered deleted undeleted draft undraft") ==
          "SEEN UNSEEN FLAGGED UNFLAGGED ANSWERED UNANSWERED DELETED UNDELETED DRAFT UNDRAFT");
    CHECK(criteria("SEEN Flagged") == "SEEN FLAGGED");  // keys in any case
    CHECK(criteria("from alice to bob cc carol bcc dave subject hi body hello text world") ==
          "FROM alice TO bob CC carol BCC dave SUBJECT hi BODY hello TEXT world");
    CHECK(criteria("header X-Alert-Id 42") == "HEADER X-Alert-Id 42");
    CHECK(criteria("keyword $Label1 unkeyword Junk") == "KEYWORD $Label1 UNKEYWORD Junk");
    CHECK(criteria("since 2026-01-01 before 2026-12-31 on 2024-02-29") ==
          "SINCE 1-Jan-2026 BEFORE 31-Dec-2026 ON 29-Feb-2024");
    CHECK(criteria("sent-since 2026-01-01 sent-before 2026-02-01 sent-on 2026-03-01") ==
          "SENTSINCE 1-Jan-2026 SENTBEFORE 1-Feb-2026 SENTON 1-Mar-2026");
    CHECK(criteria("larger 1M smaller 10K larger 5 smaller 2G") ==
          "LARGER 1048576 SMALLER 10240 LARGER 5 SMALLER 2147483648");
    CHECK(criteria("uid 1:5,9") == "UID 1:5,9");
    CHECK(criteria("subject \"disk full\"") == "SUBJECT \"disk full\"");
    CHECK(criteria("subject \"say \\\"hi\\\"\"") == "SUBJECT \"say \\\"hi\\\"\"");
}

TEST_CASE("mail query: and, or, not, parentheses") {
    CHECK(criteria("from alice and since 2026-01-01 and not seen") == "FROM alice SINCE 1-Jan-2026 NOT SEEN");
    CHECK(criteria("seen or flagged") == "OR SEEN FLAGGED");
    // AND binds tighter than OR.
    CHECK(criteria("from a seen or flagged") == "OR (FROM a SEEN) FLAGGED");
    CHECK(criteria("from a (seen or flagged)") == "FROM a OR SEEN FLAGGED");
    CHECK(criteria("a-b or") == "");
    CHECK(criteria("seen or flagged or draft") == "OR OR SEEN FLAGGED DRAFT");
    CHECK(criteria("not (from alice or from bob)") == "NOT OR FROM alice FROM bob");
    CHECK(criteria("not not seen") == "NOT NOT SEEN");
    CHECK(criteria("(seen)") == "SEEN");
}

TEST_CASE("mail query: command-line words, non-ASCII, relative dates") {
    // Several words: a word with a blank is one value, "(" and ")" group.
    auto r = explain({"subject", "disk full", "or", "(", "from", "alice", ")"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "OR SUBJECT \"disk full\" FROM alice\n");
    auto p = explain({"(subject", "a", "or", "from", "b)", "seen"});
    REQUIRE(p.exit_code == 0);
    CHECK(p.out == "OR SUBJECT a FROM b SEEN\n");
    auto q = explain({"subject", "say \"hi\""});
    REQUIRE(q.exit_code == 0);
    CHECK(q.out == "SUBJECT \"say \\\"hi\\\"\"\n");
    // UTF-8 goes with CHARSET UTF-8 (a literal).
    CHECK(contains(criteria("subject Grüße"), "CHARSET UTF-8 SUBJECT"));
    CHECK(contains(criteria("subject Grüße"), "Grüße"));

    using namespace std::chrono;
    sys_days today = floor<days>(system_clock::now());
    std::string t = criteria("since today");
    // Around midnight UTC the day may turn between here and there.
    CHECK((t == "SINCE " + imap_date(today) || t == "SINCE " + imap_date(today + days(1))));
    std::string y = criteria("since yesterday");
    CHECK((y == "SINCE " + imap_date(today - days(1)) || y == "SINCE " + imap_date(today)));
    std::string w = criteria("before 7d");
    CHECK((w == "BEFORE " + imap_date(today - days(7)) || w == "BEFORE " + imap_date(today - days(6))));
}

TEST_CASE("mail query: refusals name the position") {
    refused("from alice and since soon", 22, "expected a date");
    refused("frm alice", 1, "unknown search key 'frm'");
    refused("from", 5, "expected a string after 'from'");
    refused("subject \"unclosed", 9, "quoted string is not closed");
    refused("and seen", 1, "'and' needs a term before it");
    refused("seen and", 9, "expected a search term after 'and'");
    refused("seen or", 8, "found the end of the query");
    refused("(seen", 6, "the '(' at position 1 is not closed");
    refused("seen)", 5, "a ')' without its '('");
    refused(")", 1, "before ')'");
    refused("on 2026-02-29", 4, "no such date");
    refused("since 2026-13-01", 7, "no such date");
    refused("since 1.1.2026", 7, "expected a date");
    refused("larger 1T", 8, "expected a size");
    refused("larger -5", 8, "expected a size");
    refused("larger 99999999999G", 8, "expected a size");
    refused("header Bad:Name x", 8, "not a header field name");
    refused("header X-A", 11, "expected a string after 'header X-A'");
    refused("keyword \"a b\"", 9, "not a keyword");
    refused("uid 0", 5, "not a UID set");
    refused("uid 5:", 5, "not a UID set");
    refused("\"quoted\"", 1, "a quoted string must follow a search key");
    refused("subject \"a\\\"", 9, "quoted string is not closed");
    refused("text \xff\xfe", 1, "not UTF-8");
}

TEST_CASE("mail query: hostile input is refused, never a crash") {
    std::string deep(5000, '(');
    auto r = explain({deep + "seen" + std::string(5000, ')')});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "nested too deeply"));
    auto nl = explain({"subject", "a\r\nb"});
    CHECK(nl.exit_code == 64);
    CHECK(contains(nl.err, "line break"));
    // The query is echoed escaped: no control character reaches the terminal.
    auto esc = explain({"frm \x1b[31m"});
    CHECK(esc.exit_code == 64);
    CHECK_FALSE(contains(esc.err, "\x1b"));
    CHECK(contains(esc.err, "\\x1b"));
    // Empty: search wants a query.
    auto empty = explain({});
    CHECK(empty.exit_code == 64);
    auto blank = explain({"   "});
    CHECK(blank.exit_code == 64);
}
