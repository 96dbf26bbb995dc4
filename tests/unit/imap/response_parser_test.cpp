// The IMAP response parser, fed every split of its input and byte by byte.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>

#include "parse_helpers.hpp"
#include "pigeon/imap/error.hpp"

using namespace pigeon::imap;
using namespace std::string_literals;
using pigeon::imap::test::dump_all;
using pigeon::imap::test::parse_pieces;
using pigeon::test::for_each_split;

namespace {

// Parses input whole, then in every 2-way split and byte by byte, checks that
// every way gives the same result, and returns it rendered.
std::string parse_every_way(std::string_view input, parser_limits limits = {}) {
    auto whole = parse_pieces({input}, limits);
    std::string expected = dump_all(whole);
    for_each_split(input, [&](const pigeon::test::pieces& ps) {
        auto o = parse_pieces(ps, limits);
        INFO("split " << pigeon::test::describe(ps));
        CHECK_FALSE(o.leftover);
        CHECK(dump_all(o) == expected);
        CHECK(o.literals == whole.literals);
    });
    return expected;
}

} // namespace

TEST_CASE("greetings and status responses") {
    CHECK(parse_every_way("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n") ==
          "* OK [CAPABILITY|IMAP4rev1 STARTTLS AUTH=PLAIN] |Dovecot ready.\n");
    CHECK(parse_every_way("* PREAUTH IMAP4rev1 server logged in as Smith\r\n") ==
          "* PREAUTH |IMAP4rev1 server logged in as Smith\n");
    CHECK(parse_every_way("* BYE Autologout; idle for too long\r\n") == "* BYE |Autologout; idle for too long\n");
    CHECK(parse_every_way("a001 OK [READ-WRITE] SELECT completed\r\n") == "T:a001 OK [READ-WRITE] |SELECT completed\n");
    CHECK(parse_every_way("A2 no [AUTHENTICATIONFAILED] Authentication failed.\r\n") ==
          "T:A2 NO [AUTHENTICATIONFAILED] |Authentication failed.\n");
    CHECK(parse_every_way("* OK [ALERT] System shutdown in 10 minutes\r\n") ==
          "* OK [ALERT] |System shutdown in 10 minutes\n");
    CHECK(parse_every_way("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n") ==
          "* OK [PERMANENTFLAGS|(\\Deleted \\Seen \\*)] |Limited\n");
    // QUIRK: no text at all, and a bare LF line end.
    CHECK(parse_every_way("A3 NO\r\n") == "T:A3 NO |\n");
    CHECK(parse_every_way("A4 BAD missing CR\n") == "T:A4 BAD |missing CR\n");
}

TEST_CASE("status text is not tokenized: a literal marker there is plain text") {
    CHECK(parse_every_way("* OK it ends in {5}\r\n* OK next\r\n") == "* OK |it ends in {5}\n* OK |next\n");
    CHECK(parse_every_way("A1 OK \"unbalanced ( text\r\n") == "T:A1 OK |\"unbalanced ( text\n");
}

TEST_CASE("continuation requests") {
    CHECK(parse_every_way("+ Ready for literal data\r\n") == "+|Ready for literal data\n");
    CHECK(parse_every_way("+ \r\n") == "+|\n");
    CHECK(parse_every_way("+\r\n") == "+|\n");
    CHECK(parse_every_way("+ cj1yT0w=\r\n") == "+|cj1yT0w=\n");
}

TEST_CASE("untagged data") {
    CHECK(parse_every_way("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=SCRAM-SHA-256 ID\r\n") ==
          "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=SCRAM-SHA-256 ID\n");
    CHECK(parse_every_way("* 172 EXISTS\r\n* 1 RECENT\r\n* 44 EXPUNGE\r\n") ==
          "* 172 EXISTS\n* 1 RECENT\n* 44 EXPUNGE\n");
    CHECK(parse_every_way("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n") ==
          "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n");
    CHECK(parse_every_way("* LIST (\\Noselect) \"/\" \"foo \\\"bar\\\" \\\\ baz\"\r\n") ==
          "* LIST (\\Noselect) \"/\" \"foo \"bar\" \\ baz\"\n");
    CHECK(parse_every_way("* LIST () NIL INBOX\r\n") == "* LIST () NIL INBOX\n");
    CHECK(parse_every_way("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n") ==
          "* STATUS blurdybloop (MESSAGES #231 UIDNEXT #44292)\n");
    CHECK(parse_every_way("* ESEARCH (TAG \"A282\") UID ALL 1:3,5:*\r\n") ==
          "* ESEARCH (TAG \"A282\") UID ALL 1:3,5:*\n");
    CHECK(parse_every_way("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n") == "* NAMESPACE ((\"\" \"/\")) NIL NIL\n");
    CHECK(parse_every_way("* SEARCH 2 84 882\r\n") == "* SEARCH #2 #84 #882\n");
    CHECK(parse_every_way("* SEARCH\r\n") == "* SEARCH\n");
    // QUIRK: runs of spaces and a trailing space.
    CHECK(parse_every_way("* STATUS INBOX (MESSAGES  1) \r\n") == "* STATUS INBOX (MESSAGES #1)\n");
}

TEST_CASE("literals: need_literal, then the octets, then the rest of the response") {
    std::string in = "* 12 FETCH (FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM TO)]<0> {22}\r\n"
                     "From: a@b\r\nTo: c@d\r\n\r\n UID 7)\r\n";
    CHECK(parse_every_way(in) == "* 12 FETCH (FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM TO)]<0> "
                                 "{From: a@b\r\nTo: c@d\r\n\r\n} UID #7)\n");
    auto o = parse_pieces({in});
    REQUIRE(o.literals.size() == 1);
    CHECK(o.literals[0] == 22);

    // Literals with CR, LF, NUL and a closing parenthesis inside; a literal
    // ending the response; an empty literal; literal8.
    std::string nul_inside = "* 1 FETCH (BODY[] {7}\r\na)\r\n\0b\n)\r\n"s;
    CHECK(parse_every_way(nul_inside) == "* 1 FETCH (BODY[] {a)\r\n\0b\n})\n"s);
    CHECK(parse_every_way("* LIST () \"/\" {3}\r\nx y\r\n") == "* LIST () \"/\" {x y}\n");
    CHECK(parse_every_way("* 2 FETCH (BODY[1] {0}\r\n)\r\n") == "* 2 FETCH (BODY[1] {})\n");
    CHECK(parse_every_way("* 3 FETCH (BINARY[1] ~{3}\r\n\x01\x02\x03)\r\n") == "* 3 FETCH (BINARY[1] {\x01\x02\x03})\n");
    // Two literals in one response and a second response after it.
    std::string two = "* 4 FETCH (A {1}\r\nx B {2}\r\nyz)\r\nT1 OK done\r\n";
    CHECK(parse_every_way(two) == "* 4 FETCH (A {x} B {yz})\nT:T1 OK |done\n");
    CHECK(parse_pieces({two}).literals == std::vector<std::size_t>{1, 2});
}

TEST_CASE("several responses in one buffer: consumed stops at each end") {
    std::string in = "* 1 EXISTS\r\n* 0 RECENT\r\nA1 OK done\r\n";
    std::string_view rest = in;
    response_parser p;
    auto r = p.feed(rest);
    CHECK(r.state == response_parser::status::ready);
    CHECK(r.consumed == 12);
    rest.remove_prefix(r.consumed);
    // Without take(), a ready parser consumes nothing more.
    r = p.feed(rest);
    CHECK(r.state == response_parser::status::ready);
    CHECK(r.consumed == 0);
    CHECK(p.take().name == "EXISTS");
    r = p.feed(rest);
    CHECK(r.state == response_parser::status::ready);
    CHECK(r.consumed == 12);
    rest.remove_prefix(r.consumed);
    CHECK(p.take().name == "RECENT");
    r = p.feed(rest);
    CHECK(r.consumed == rest.size());
    CHECK(p.take().tag == "A1");
}

TEST_CASE("token accessors") {
    auto o = parse_pieces({"* STATUS INBOX (UIDVALIDITY 4294967295 HIGHESTMODSEQ 18446744073709551615 X 18446744073709551616)\r\n"});
    REQUIRE(o.responses.size() == 1);
    const auto& list = o.responses[0].data.at(1);
    CHECK(list.items.at(1).as_number() == 4294967295u);
    CHECK(list.items.at(3).as_number() == 18446744073709551615ull);
    CHECK_FALSE(list.items.at(5).as_number().has_value());
    CHECK(list.items.at(0).is_atom("uidvalidity"));
    CHECK(o.responses[0].data.at(0).is_string());
}

TEST_CASE("malformed responses are errors, in every split") {
    auto bad = [](std::string_view in, errc expected) {
        for_each_split(in, [&](const pigeon::test::pieces& ps) {
            auto o = parse_pieces(ps);
            INFO(in << " split " << pigeon::test::describe(ps));
            CHECK(o.error == make_error_code(expected));
        });
    };
    bad("\r\n", errc::malformed_reply);                            // empty line
    bad("*\r\n", errc::malformed_reply);
    bad("* \r\n", errc::malformed_reply);                          // no name
    bad("A1\r\n", errc::malformed_reply);                          // tag alone
    bad("A1 FETCH (1)\r\n", errc::malformed_reply);                // tagged data
    bad("A1 PREAUTH hi\r\n", errc::malformed_reply);               // tagged PREAUTH
    bad("A+1 OK x\r\n", errc::malformed_reply);                    // "+" in a tag
    bad("* 4294967296 EXISTS\r\n", errc::malformed_reply);         // number over 32 bits
    bad("* 5\r\n", errc::malformed_reply);
    bad("* LIST (a b\r\n", errc::malformed_reply);                 // unclosed list
    bad("* LIST a)\r\n", errc::malformed_reply);                   // stray ')'
    bad("* LIST \"abc\r\n", errc::malformed_reply);                // unterminated quoted
    bad("* LIST \"a\"b\r\n", errc::malformed_reply);               // no separator
    bad("* LIST {3} x\r\n", errc::malformed_reply);                // literal marker not at the end
    bad("* LIST {x}\r\n", errc::malformed_reply);
    bad("* LIST {}\r\n", errc::malformed_reply);
    bad("* LIST a\rb\r\n", errc::malformed_reply);                 // bare CR in a line
    bad("* LIST a\0b\r\n"s, errc::malformed_reply);  // NUL in a line
    bad("* 1 FETCH (BODY[] {2}\r\nabX)\r\n", errc::malformed_reply);      // token glued to a literal
}

TEST_CASE("limits") {
    parser_limits lim;
    lim.max_line = 32;
    lim.max_literal = 10;
    lim.max_depth = 3;
    lim.max_tokens = 5;
    lim.max_response = 40;
    auto err = [&](std::string_view in) {
        auto o = parse_pieces({in}, lim);
        auto b = parse_pieces(pigeon::test::bytewise(in), lim);
        CHECK(o.error == b.error);
        return o.error;
    };
    CHECK(err("* OK " + std::string(40, 'x') + "\r\n") == make_error_code(errc::line_too_long));
    CHECK(err("* OK " + std::string(26, 'x') + "\r\n") == std::error_code{});  // 31 bytes: fits
    CHECK(err("* X {11}\r\n") == make_error_code(errc::literal_too_large));
    CHECK(err("* X {99999999999999999999999999}\r\n") == make_error_code(errc::literal_too_large));
    CHECK(err("* X {10}\r\n0123456789\r\n") == std::error_code{});
    CHECK(err("* X (((a)))\r\n") == std::error_code{});
    CHECK(err("* X ((((a))))\r\n") == make_error_code(errc::too_deep));
    CHECK(err("* X a b c d e\r\n") == std::error_code{});
    CHECK(err("* X a b c d e f\r\n") == make_error_code(errc::too_many_tokens));
    CHECK(err("* X {9}\r\n012345678 {9}\r\n012345678 {9}\r\n012345678\r\n") ==
          make_error_code(errc::response_too_large));
    // A line that never ends is refused once it passes max_line, without
    // waiting for more.
    response_parser p(lim);
    std::string endless(100, 'a');
    auto r = p.feed(endless);
    CHECK(r.state == response_parser::status::error);
    CHECK(r.error == make_error_code(errc::line_too_long));
    // After an error the parser stays failed until reset.
    CHECK(p.feed("* OK\r\n").state == response_parser::status::error);
    p.reset();
    CHECK(p.feed("* OK\r\n").state == response_parser::status::ready);
}

TEST_CASE("deep nesting from a hostile server is bounded (default limits)") {
    std::string in = "* X " + std::string(100000, '(') + std::string(100000, ')') + "\r\n";
    auto o = parse_pieces({in});
    CHECK(o.error == make_error_code(errc::too_deep));
}

TEST_CASE("random bytes never crash the parser and every split agrees") {
    std::mt19937 rng(12345);
    const std::string alphabet = "* AOKNBY01{}()[]\"\\+~\r\n xZ";
    for (int round = 0; round < 300; ++round) {
        std::string in;
        int len = static_cast<int>(rng() % 60);
        for (int i = 0; i < len; ++i) in += alphabet[rng() % alphabet.size()];
        auto whole = parse_pieces({in});
        auto bytes = parse_pieces(pigeon::test::bytewise(in));
        INFO("input: " << in);
        CHECK(dump_all(whole) == dump_all(bytes));
    }
}

TEST_CASE("hostile shapes take linear time (LOAD-08)") {
    auto timed = [](const std::string& in) {
        auto t0 = std::chrono::steady_clock::now();
        auto o = parse_pieces({in});
        auto bytes = parse_pieces(pigeon::test::chunks_of(in, 7));
        CHECK(dump_all(o) == dump_all(bytes));
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::string brackets = "* X " + std::string(500000, '[') + "\r\n";
    std::string sections = "* X ";
    for (int i = 0; i < 50000; ++i) sections += "a[b]c[d ";
    sections += "]\r\n";
    std::string literals = "* 1 FETCH (";
    for (int i = 0; i < 20000; ++i) literals += "X {1}\r\nx ";
    literals += ")\r\n";
    CHECK(timed(brackets) < 2.0);
    CHECK(timed(sections) < 2.0);
    CHECK(timed(literals) < 2.0);
    CHECK(parse_pieces({literals}).responses.at(0).data.at(0).items.size() == 40000);
}

TEST_CASE("response_parser: room reserved for FETCH lists counts against max_tokens") {
    parser_limits lim;
    lim.max_tokens = 1000;
    // 200 empty lists: 201 tokens outside FETCH, but 8 each inside a FETCH
    // response (the room kept for its items), so that "()()()..." cannot
    // multiply the memory max_tokens allows.
    std::string lists;
    for (int i = 0; i < 200; ++i) lists += "()";
    CHECK(parse_pieces({"* LIST (" + lists + ") \"/\" x\r\n"}, lim).error == std::error_code{});
    CHECK(parse_pieces({"* 1 FETCH (X (" + lists + "))\r\n"}, lim).error == make_error_code(errc::too_many_tokens));
    // An ordinary FETCH is far from the limit.
    auto ok = parse_pieces({"* 1 FETCH (UID 5 FLAGS (\\Seen) ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"b\")) NIL NIL "
                            "NIL NIL NIL NIL \"<m@x>\"))\r\n"},
                           lim);
    CHECK(ok.error == std::error_code{});
    REQUIRE(ok.responses.size() == 1);
    CHECK(pigeon::imap::test::dump(ok.responses[0].data.at(0)) == "(UID #5 FLAGS (\\Seen) ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<m@x>\"))");
}

TEST_CASE("response_parser: a quoted string of many escapes is read in one pass") {
    // 4,000,000 escaped backslashes before the closing quote, in one 8 MiB
    // line: each escape must not search the rest of the line for the quote
    // again. That was quadratic (about 8 * 10^12 bytes scanned here, far
    // beyond the test's timeout); one pass takes milliseconds.
    parser_limits lim;
    lim.max_line = 9 * 1024 * 1024;
    std::string q;
    q.reserve(8 * 1024 * 1024 + 64);
    for (int i = 0; i < 4000000; ++i) q += "\\\\";  // an escaped backslash: the quote stays far ahead
    auto o = parse_pieces({"* LIST () \"/\" \"" + q + "x\"\r\n"}, lim);
    REQUIRE(o.error == std::error_code{});
    REQUIRE(o.responses.size() == 1);
    const auto& name = o.responses[0].data.at(2).text;
    CHECK(name.size() == 4000001);
    CHECK(name.substr(0, 4) == "\\\\\\\\");
    CHECK(name.back() == 'x');
}

TEST_CASE("response_parser: recycled responses give their lists' storage to the next, results unchanged") {
    // Each response parsed after recycling the ones before equals the same
    // response parsed by a fresh parser; the storage kept is bounded.
    const std::string inputs[] = {
        "* 1 FETCH (UID 5 FLAGS (\\Seen) ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<m@x>\"))\r\n",
        "* 2 FETCH (UID 6 FLAGS () BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" NIL "
        "NIL NIL \"7bit\" 1 1) \"alternative\"))\r\n",
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
        "* 3 FETCH (UID 7 X (((((((((((a)))))))))) (1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 "
        "26 27 28 29 30 31 32 33 34 35 36 37 38 39 40)))\r\n",
        "a1 OK done\r\n",
    };
    response_parser recycling;
    for (int round = 0; round < 3; ++round) {
        for (const auto& in : inputs) {
            INFO(in);
            auto r = recycling.feed(in);
            REQUIRE(r.state == response_parser::status::ready);
            response got = recycling.take();
            pigeon::imap::test::outcome fresh = parse_pieces({in});
            REQUIRE(fresh.responses.size() == 1);
            CHECK(dump_all(pigeon::imap::test::outcome{{got}, {}, {}, false}) == dump_all(fresh));
            recycling.recycle(std::move(got));
        }
    }
    // More lists at once than the parser keeps (spare_lists_max), and a
    // list longer than it keeps (spare_list_capacity): still the same.
    std::string many = "* 9 FETCH (X (";
    for (int i = 0; i < 200; ++i) many += "(a b)";
    many += "))\r\n";
    REQUIRE(recycling.feed(many).state == response_parser::status::ready);
    recycling.recycle(recycling.take());
    CHECK(recycling.spare_lists() == response_parser::spare_lists_max);
    REQUIRE(recycling.feed(many).state == response_parser::status::ready);
    CHECK(dump_all(pigeon::imap::test::outcome{{recycling.take()}, {}, {}, false}) == dump_all(parse_pieces({many})));
}

TEST_CASE("response_parser: max_tokens refuses or takes a response alike, recycled storage or not") {
    // Room reserved for FETCH lists counts as tokens whether the list's
    // storage is new or recycled: a response at the limit gets the same
    // answer from a fresh parser and from one that has recycled before.
    parser_limits lim;
    lim.max_tokens = 100;
    std::string lists;
    for (int i = 0; i < 12; ++i) lists += "(a)";
    const std::string over = "* 1 FETCH (X (" + lists + "))\r\n";  // 14 lists: 112 tokens and more
    const std::string small = "* 2 FETCH (UID 1 FLAGS (\\Seen) X ((a)(b)(c)))\r\n";
    CHECK(parse_pieces({over}, lim).error == make_error_code(errc::too_many_tokens));
    response_parser p(lim);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(p.feed(small).state == response_parser::status::ready);
        p.recycle(p.take());
    }
    REQUIRE(p.spare_lists() > 0);
    const auto r = p.feed(over);
    CHECK(r.state == response_parser::status::error);
    CHECK(r.error == make_error_code(errc::too_many_tokens));
}
