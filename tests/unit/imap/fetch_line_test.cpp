// parse_fetch_line, the listing's one-line FETCH reader: whenever it
// answers, it must answer exactly what response_parser + parse_fetch give for
// the same line; it must give up (and leave the line to them) on everything
// it does not take, including every malformed line.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pigeon/imap/message_data.hpp"
#include "pigeon/imap/response_parser.hpp"

using namespace pigeon::imap;

namespace {

// The general path: the line (with CRLF) through response_parser, then
// parse_fetch. nullopt for a parse error or a malformed FETCH.
std::optional<message_data> general(std::string_view line, const parser_limits& limits = {}) {
    response_parser p(limits);
    std::string whole(line);
    whole += "\r\n";
    auto r = p.feed(whole);
    if (r.state != response_parser::status::ready || r.consumed != whole.size()) return std::nullopt;
    std::error_code ec;
    return parse_fetch(p.take(), ec);
}

bool same(const message_data& a, const message_data& b) {
    return a.seq == b.seq && a.uid == b.uid && a.flags == b.flags && a.rfc822_size == b.rfc822_size &&
           a.internal_date == b.internal_date && a.envelope == b.envelope &&
           a.body_structure.has_value() == b.body_structure.has_value() && a.modseq == b.modseq &&
           a.email_id == b.email_id && a.thread_id == b.thread_id && a.sections == b.sections &&
           a.binary_sizes.size() == b.binary_sizes.size();
}

// Whenever the fast reader answers, its answer is the general path's.
// Returns whether it answered.
bool agrees(std::string_view line, message_data& m, const parser_limits& limits = {}) {
    if (!parse_fetch_line(line, m, limits)) return false;
    auto g = general(line, limits);
    INFO(line);
    REQUIRE(g.has_value());
    CHECK(same(m, *g));
    return true;
}

// Lines as the lab's Dovecot 2.3.19.1 sends them for a listing
// (UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)).
const std::vector<std::string> dovecot_lines = {
    R"x(* 1 FETCH (UID 1 FLAGS (\Seen) INTERNALDATE "01-Jan-2019 00:14:45 +0000" RFC822.SIZE 26214 ENVELOPE ("Tue, 01 Jan 2019 00:14:45 +0000" "Re: new office layout #241" (("Brown, Trent" NIL "trent.brown" "mail.example.de")) (("Brown, Trent" NIL "trent.brown" "mail.example.de")) (("Brown, Trent" NIL "trent.brown" "mail.example.de")) (("Bench User" NIL "bench" "lab.test")) (("Peggy Evans" NIL "peggy.evans" "corp.example")("Peggy Brown" NIL "peggy.brown" "example.net")) NIL "<9a8c782175@example.org>" "<1.inbox.0.5d5d1fce@seed.lab.test>")))x",
    R"x(* 14 FETCH (UID 14 FLAGS (\Flagged \Seen) INTERNALDATE "04-Jan-2019 08:07:58 +0000" RFC822.SIZE 23214 ENVELOPE ("Fri, 04 Jan 2019 03:07:58 -0500" "benchmark results" (("Trent Taylor" NIL "trent.taylor" "example.net")) (("Trent Taylor" NIL "trent.taylor" "example.net")) (("Trent Taylor" NIL "trent.taylor" "example.net")) (("Bench User" NIL "bench" "lab.test")) NIL NIL NIL "<1.inbox.13.0badf00d@seed.lab.test>")))x",
    R"x(* 3 FETCH (UID 7 FLAGS () INTERNALDATE "06-Dec-2026 02:52:16 +0000" RFC822.SIZE 1277 MODSEQ (7) ENVELOPE ("Sun, 6 Dec 2026 03:52:16 +0100" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with \"quotes\" and \\" ((NIL NIL "alice" "example.org")) NIL NIL ((NIL NIL "bob" "")) NIL NIL NIL NIL)))x",
    R"x(* 4 FETCH (FLAGS (\Seen $Label1 \*) UID 9))x",
    R"x(* 5 FETCH (UID 10 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)))x",
    R"x(* 6 fetch (uid 11 flags (\Answered) rfc822.size 0 internaldate "1-Feb-2020 10:00:00 -0130" envelope ("d" "s" (("n" "r" "m" "h")) NIL NIL (("a" NIL "b" "c") ("d" NIL "e" "f")) NIL NIL "" nil)))x",
};

} // namespace

TEST_CASE("parse_fetch_line reads Dovecot's listing lines as parse_fetch does") {
    message_data m;
    for (const auto& line : dovecot_lines) {
        INFO(line);
        CHECK(agrees(line, m));
    }
    // The fields of each: spot checks besides the comparison.
    REQUIRE(parse_fetch_line(dovecot_lines[0], m));
    CHECK(m.seq == 1);
    CHECK(m.uid == 1u);
    REQUIRE(m.envelope);
    CHECK(m.envelope->subject == "Re: new office layout #241");
    CHECK(m.envelope->cc.size() == 2);
    REQUIRE(parse_fetch_line(dovecot_lines[2], m));
    CHECK(m.envelope->subject == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with \"quotes\" and \\");
    CHECK(m.modseq == 7u);
    CHECK(m.flags == std::vector<std::string>{});
}

TEST_CASE("parse_fetch_line reuses m: what a line does not have is cleared") {
    message_data m;
    REQUIRE(parse_fetch_line(dovecot_lines[0], m));
    REQUIRE(m.envelope);
    REQUIRE(m.rfc822_size);
    // No ENVELOPE, no size, no date on this one: none left from before.
    REQUIRE(agrees(dovecot_lines[3], m));
    CHECK_FALSE(m.envelope);
    CHECK_FALSE(m.rfc822_size);
    CHECK_FALSE(m.internal_date);
    CHECK(m.flags == std::vector<std::string>{"\\Seen", "$Label1", "\\*"});
    // Three flags, then one: the list shrinks.
    REQUIRE(agrees(dovecot_lines[5], m));
    CHECK(m.flags == std::vector<std::string>{"\\Answered"});
    // Two cc addresses, then none; one "to", then two.
    REQUIRE(agrees(dovecot_lines[0], m));
    REQUIRE(agrees(dovecot_lines[5], m));
    CHECK(m.envelope->cc.empty());
    CHECK(m.envelope->to.size() == 2);
    // A line without UID after one with: another session's flag change
    // must not keep the UID (it would be taken for that message).
    REQUIRE(agrees("* 5 FETCH (FLAGS (\\Seen))", m));
    CHECK_FALSE(m.uid);
    CHECK(m.seq == 5);
    // Fields parse_fetch fills from other items are cleared as well.
    m.sections.push_back({});
    m.email_id = "x";
    REQUIRE(agrees(dovecot_lines[4], m));
    CHECK(m.sections.empty());
    CHECK_FALSE(m.email_id);
}

TEST_CASE("parse_fetch_line gives up on what it does not take, the parser has the last word") {
    const char* const declined[] = {
        // Shapes the general path takes and this reader leaves to it.
        R"x(* 10 FETCH (UID 10 ENVELOPE ("d" {3})x",                                      // a literal
        R"x(* 1 FETCH (UID 1 ENVELOPE (NIL NIL ((NIL NIL "Friends" NIL)(NIL NIL "d" "x")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL)))x",  // group
        R"x(* 1 FETCH (UID 1 BODYSTRUCTURE ("text" "plain" NIL NIL NIL "7bit" 1 1)))x",
        R"x(* 1 FETCH (UID 1 BODY[] "x"))x",
        R"x(* 1 FETCH (UID 1 X-GM-LABELS (a)))x",
        R"x(* 1 FETCH (UID  1))x",                         // two spaces
        R"x(* 1 FETCH (UID 1) )x",                         // trailing space
        R"x(* 1 FETCH ( UID 1))x",
        R"x(* 1 FETCH (UID 1 ENVELOPE (d s NIL NIL NIL NIL NIL NIL NIL NIL)))x",  // atoms for strings
        R"x(* 1 FETCH (UID 1 ENVELOPE ("d" "s" () NIL NIL NIL NIL NIL NIL NIL)))x",  // empty address list
        R"x(* 1 FETCH (UID 1 ENVELOPE ("d" "s" NIL NIL NIL NIL NIL NIL NIL NIL "extra")))x",
        R"x(* 1 FETCH ())x",
        R"x(* 1 FETCH (UID 00000000000000000001))x",       // 20 digits
        // Malformed: the general path reports them.
        R"x(* 0 FETCH (UID 1))x",
        R"x(* 1 FETCH (UID 0))x",
        R"x(* 1 FETCH (UID 4294967296))x",
        R"x(* 1 FETCH (UID 1 FLAGS (NIL)))x",
        R"x(* 1 FETCH (UID 1 FLAGS (12)))x",
        R"x(* 1 FETCH (UID 1 FLAGS (\Seen)UID 2))x",
        R"x(* 1 FETCH (UID 1 INTERNALDATE NIL))x",
        R"x(* 1 FETCH (UID 1 INTERNALDATE "yesterday"))x",
        R"x(* 1 FETCH (UID 1 ENVELOPE ("d" "s)))x",
        R"x(* 1 FETCH (UID 1 ENVELOPE ("d" "s\)))x",
        R"x(* 1 FETCH (UID 1 RFC822.SIZE 9223372036854775808))x",
        R"x(* 1 FETCH (UID 1 MODSEQ 7))x",
        R"x(* 1 FETCH (UID 1)x",
        R"x(* 1 FETCH (UID 1)))x",
        R"x(* 1 FETCH (UID 1 NIL))x",
        R"x(* 4294967296 FETCH (UID 1))x",
        R"x(* 1 EXISTS)x",
        R"x(* 1 FETCHX (UID 1))x",
        "* 1 FETCH (UID 1 ENVELOPE (\"d\r\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))",
    };
    message_data m;
    for (const char* line : declined) {
        INFO(std::string(line));
        CHECK_FALSE(parse_fetch_line(line, m));
    }
    std::string nul = R"(* 1 FETCH (UID 1 ENVELOPE ("d" "s" NIL NIL NIL NIL NIL NIL NIL NIL)))";
    nul[27] = '\0';
    CHECK_FALSE(parse_fetch_line(nul, m));
}

TEST_CASE("parse_fetch_line leaves to the parser what its limits would refuse") {
    message_data m;
    const std::string& line = dovecot_lines[0];
    parser_limits l;
    REQUIRE(parse_fetch_line(line, m, l));
    l.max_depth = 3;  // the address lists need four levels
    CHECK_FALSE(parse_fetch_line(line, m, l));
    CHECK_FALSE(general(line, l));
    l = {};
    l.max_line = line.size() - 1;
    CHECK_FALSE(parse_fetch_line(line, m, l));
    CHECK_FALSE(general(line, l));
    l = {};
    l.max_response = line.size() + 1;
    CHECK_FALSE(parse_fetch_line(line, m, l));
    CHECK_FALSE(general(line, l));
    l = {};
    l.max_tokens = 30;
    CHECK_FALSE(parse_fetch_line(line, m, l));
    CHECK_FALSE(general(line, l));
}

TEST_CASE("parse_fetch_line agrees with the parser on damaged lines") {
    // Random edits of the sample lines from an alphabet of the bytes that
    // matter: every answer must be the general path's.
    std::mt19937 rng(20261207);
    const std::string alphabet = "()\" \\NILnil0123456789{}[]*\r\x80x";
    std::size_t answered = 0, total = 0;
    message_data m;
    for (int round = 0; round < 40000; ++round) {
        std::string line = dovecot_lines[rng() % dovecot_lines.size()];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !line.empty(); ++e) {
            const std::size_t at = rng() % line.size();
            // (New strings rather than insert/erase in place: GCC 12's
            // -Wrestrict misfires on those.)
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
            case 0: line[at] = c; break;
            case 1: line = line.substr(0, at) + line.substr(std::min(line.size(), at + 1 + rng() % 3)); break;
            default: line = line.substr(0, at) + std::string(1, c) + line.substr(at); break;
            }
        }
        ++total;
        if (agrees(line, m)) ++answered;
    }
    // Both kinds occur: many edits keep a line the reader takes.
    CHECK(answered > total / 10);
    CHECK(answered < total);
}

TEST_CASE("a recycling parser and parse_fetch by move give what a fresh parser gives, line after line") {
    // As fetch_each does it: take, parse_fetch(std::move), recycle. Lines
    // of every shape in turn, three rounds, against a fresh parse of each.
    std::vector<std::string> lines = dovecot_lines;
    lines.push_back("* 7 FETCH (UID 9 BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" "
                    "NIL NIL NIL \"7bit\" 1 1) \"alternative\") ENVELOPE (NIL NIL ((NIL NIL \"g\" NIL)(NIL NIL \"a\" "
                    "\"b\")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))");
    lines.push_back("* 8 FETCH (UID 10 FLAGS () X-LIST (((((a))))) X-LONG (b c d e f g h i j k l m n o p q r s t u v w "
                    "x y z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20))");
    response_parser p;
    for (int round = 0; round < 3; ++round) {
        for (const auto& line : lines) {
            INFO(line);
            const std::string whole = line + "\r\n";
            REQUIRE(p.feed(whole).state == response_parser::status::ready);
            response r = p.take();
            std::error_code ec;
            auto got = parse_fetch(std::move(r), ec);
            p.recycle(std::move(r));
            auto fresh = general(line);
            REQUIRE(got.has_value() == fresh.has_value());
            if (got) CHECK(same(*got, *fresh));
            CHECK(p.spare_lists() <= response_parser::spare_lists_max);
        }
    }
}
