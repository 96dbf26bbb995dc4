// SEARCH criteria written through command_builder.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/search_query.hpp"

using namespace pigeon::imap;
using namespace std::chrono;
using q = search_query;

namespace {

// The command as text (literals inline), or "error".
std::string written(const search_query& query, search_options opts = {}, literal_options lit = {}) {
    command_builder b("A1", "SEARCH", lit);
    auto ec = query.append_to(b, opts);
    std::error_code fin;
    auto cmd = b.finish(fin);
    if (ec) {
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(cmd);  // the builder is failed too
        return "error";
    }
    REQUIRE(cmd);
    return cmd->describe();
}

} // namespace

TEST_CASE("flags, strings, dates, sizes, sets") {
    CHECK(written(q::all()) == "A1 SEARCH ALL");
    CHECK(written(q()) == "A1 SEARCH ALL");
    CHECK(written(q::unseen()) == "A1 SEARCH UNSEEN");
    CHECK(written(q::seen() && q::flagged() && q::answered() && q::deleted() && q::draft()) ==
          "A1 SEARCH SEEN FLAGGED ANSWERED DELETED DRAFT");
    CHECK(written(q::unflagged() && q::unanswered() && q::undeleted() && q::undraft() && q::recent() && q::new_() &&
                  q::old()) == "A1 SEARCH UNFLAGGED UNANSWERED UNDELETED UNDRAFT RECENT NEW OLD");
    CHECK(written(q::keyword("$Label1") && q::unkeyword("Junk")) == "A1 SEARCH KEYWORD $Label1 UNKEYWORD Junk");
    CHECK(written(q::from("alice")) == "A1 SEARCH FROM alice");
    CHECK(written(q::to("bob@example.net") && q::cc("a b") && q::bcc("") && q::subject("say \"hi\"") &&
                  q::body("x\\y") && q::text("(z)")) ==
          "A1 SEARCH TO bob@example.net CC \"a b\" BCC \"\" SUBJECT \"say \\\"hi\\\"\" BODY \"x\\\\y\" TEXT \"(z)\"");
    CHECK(written(q::header("List-Id", "pigeon")) == "A1 SEARCH HEADER List-Id pigeon");
    CHECK(written(q::header("X-Spam-Flag", "")) == "A1 SEARCH HEADER X-Spam-Flag \"\"");
    CHECK(written(q::since(year{2026} / 12 / 6) && q::before(year{2027} / 1 / 10) && q::on(year{2026} / 6 / 2)) ==
          "A1 SEARCH SINCE 6-Dec-2026 BEFORE 10-Jan-2027 ON 2-Jun-2026");
    CHECK(written(q::sent_since(year{2026} / 1 / 1) && q::sent_before(year{2026} / 2 / 1) &&
                  q::sent_on(year{2026} / 3 / 1)) == "A1 SEARCH SENTSINCE 1-Jan-2026 SENTBEFORE 1-Feb-2026 SENTON 1-Mar-2026");
    CHECK(written(q::larger(100) && q::smaller(100000)) == "A1 SEARCH LARGER 100 SMALLER 100000");
    CHECK(written(q::larger(9223372036854775807ull)) == "A1 SEARCH LARGER 9223372036854775807");
    CHECK(written(q::uid(uid_set::from_numbers({1, 2, 3, 7}))) == "A1 SEARCH UID 1:3,7");
    CHECK(written(q::sequence(sequence_set::from_range(5, sequence_set::star)) && q::modseq(917162500)) ==
          "A1 SEARCH 5:* MODSEQ 917162500");
}

TEST_CASE("NOT, OR, AND: parenthesized only where one key is due") {
    CHECK(written(!q::seen()) == "A1 SEARCH NOT SEEN");
    CHECK(written(q::from("a") || q::to("b")) == "A1 SEARCH OR FROM a TO b");
    CHECK(written((q::from("alice") && q::subject("forwarded")) || !q::to("nobody")) ==
          "A1 SEARCH OR (FROM alice SUBJECT forwarded) NOT TO nobody");
    CHECK(written(!(q::seen() && q::flagged())) == "A1 SEARCH NOT (SEEN FLAGGED)");
    CHECK(written(q::unseen() && (q::from("a") || q::from("b") || q::from("c")) && !q::deleted()) ==
          "A1 SEARCH UNSEEN OR OR FROM a FROM b FROM c NOT DELETED");
    CHECK(written(q::and_({q::seen(), q::and_({q::flagged(), q::draft()})})) == "A1 SEARCH SEEN FLAGGED DRAFT");
    CHECK(written(!q::and_({})) == "A1 SEARCH NOT ALL");
    CHECK(written(!q::and_({q::seen()})) == "A1 SEARCH NOT SEEN");
    CHECK(written(q::or_(q::and_({q::seen(), q::or_(q::draft() && q::flagged(), q::recent())}), q::old())) ==
          "A1 SEARCH OR (SEEN OR (DRAFT FLAGGED) RECENT) OLD");
}

TEST_CASE("non-ASCII strings: CHARSET UTF-8 first, strings as literals") {
    auto query = q::unseen() && (q::from("alice") || q::subject("Gr\xc3\xbc\xc3\x9f" "e"));
    CHECK(query.needs_charset());
    CHECK(written(query) == "A1 SEARCH CHARSET UTF-8 UNSEEN OR FROM alice SUBJECT {7}\r\nGr\xc3\xbc\xc3\x9f" "e");
    // A literal inside a list, then ")": no space before it.
    CHECK(written(!(q::subject("\xc3\xa4") && q::from("b")) && q::seen()) ==
          "A1 SEARCH CHARSET UTF-8 NOT (SUBJECT {2}\r\n\xc3\xa4 FROM b) SEEN");
    CHECK(written(!(q::from("b") && q::subject("\xc3\xa4"))) == "A1 SEARCH CHARSET UTF-8 NOT (FROM b SUBJECT {2}\r\n\xc3\xa4)");
    // The literal splits the command into segments; LITERAL+ makes it non-synchronizing.
    command_builder c("A2", "UID", literal_options{true, 4096});
    c.atom("SEARCH").raw("RETURN (COUNT)");
    CHECK_FALSE(q::header("Subject", "\xc3\xa4").append_to(c));
    std::error_code ec;
    auto cmd = c.finish(ec);
    REQUIRE(cmd);
    REQUIRE(cmd->segments.size() == 2);
    CHECK(cmd->segments[0].line == "A2 UID SEARCH RETURN (COUNT) CHARSET UTF-8 HEADER Subject {2+}");
    CHECK(cmd->segments[0].literal == "\xc3\xa4");
    CHECK_FALSE(cmd->segments[0].literal_sync);
    CHECK(cmd->segments[1].line.empty());
    // With UTF8=ACCEPT enabled: no CHARSET.
    search_options utf8;
    utf8.charset = false;
    CHECK(written(q::subject("\xc3\xa4"), utf8) == "A1 SEARCH SUBJECT {2}\r\n\xc3\xa4");
    CHECK_FALSE(q::subject("plain").needs_charset());
}

TEST_CASE("bad criteria are refused, and the command with them") {
    for (const auto& bad : {
             q::from("x\r\nA999 DELETE INBOX"),
             q::subject("a\nb"),
             q::text("a\rb"),
             q::body(std::string("a\0b", 3)),
             q::subject("\xff\xfe"),               // 8-bit, not UTF-8
             q::keyword("\\Seen"),                 // a system flag is no keyword
             q::keyword(""),
             q::keyword("a b"),
             q::keyword("a(b"),
             q::header("", "x"),
             q::header("Subject:", "x"),
             q::header("Sub ject", "x"),
             q::header("Subj\xc3\xa9", "x"),
             q::header("X", "a\r\n"),
             q::since(year{2026} / 2 / 30),
             q::before(year{10000} / 1 / 1),
             q::larger(9223372036854775808ull),
             q::uid(uid_set{}),
             q::sequence(sequence_set{}),
             q::not_(q::from("\n")),
             q::or_(q::seen(), q::from("\r")),
         }) {
        CHECK(written(bad) == "error");
    }
    // Depth: 100 nested NOTs are fine, 101 are not.
    q deep = q::seen();
    for (int i = 0; i < 100; ++i) deep = !deep;
    CHECK(written(deep).size() == std::string("A1 SEARCH SEEN").size() + 400);
    CHECK(written(!deep) == "error");
}

TEST_CASE("command_builder lists") {
    std::error_code ec;
    command_builder b("A1", "FETCH");
    b.raw("1:*").open_list().atom("UID").atom("FLAGS").close_list();
    CHECK(b.finish(ec)->describe() == "A1 FETCH 1:* (UID FLAGS)");
    command_builder e("A1", "X");
    e.open_list().close_list().open_list().open_list().atom("a").close_list().close_list();
    CHECK(e.finish(ec)->describe() == "A1 X () ((a))");
    command_builder unbalanced("A1", "X");
    unbalanced.open_list().atom("a");
    CHECK_FALSE(unbalanced.finish(ec));
    CHECK(ec == make_error_code(errc::invalid_argument));
    command_builder extra("A1", "X");
    extra.atom("a").close_list();
    CHECK_FALSE(extra.finish(ec));
}
