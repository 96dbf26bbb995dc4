// Streaming literals: the parser says what each literal is for, the driver
// streams message content to its own sinks, every split of the input gives
// the same result.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/message_data.hpp"
#include "stream_driver.hpp"

using namespace pigeon::imap;
using namespace std::string_literals;
using pigeon::imap::test::drive;
using pigeon::imap::test::render;
using pigeon::imap::test::stream_choice;
using pigeon::imap::test::stream_content;
using pigeon::test::for_each_split;

namespace {

// Drives input whole, in every 2-way split and byte by byte; all must
// agree. Returns the rendering.
std::string drive_every_way(std::string_view input, const stream_choice& choose, parser_limits limits = {}) {
    auto whole = drive({input}, choose, limits);
    std::string expected = render(whole);
    for_each_split(input, [&](const pigeon::test::pieces& ps) {
        auto o = drive(ps, choose, limits);
        INFO("split " << pigeon::test::describe(ps));
        CHECK_FALSE(o.leftover);
        CHECK(render(o) == expected);
    });
    return expected;
}

// Recorded from Dovecot 2.3.19.1: UID FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME]
// BODY.PEEK[3.1]<0.5> BINARY.PEEK[2] BINARY.SIZE[2] RFC822.HEADER).
const std::string dovecot_sections =
    "* 1 FETCH (UID 1 BODY[1] {33}\r\n"
    "Hallo Bob,\r\nanbei die Unterlagen. BODY[2.MIME] {312}\r\n"
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"; size=30\r\n"
    "Content-ID: <part2@example.org>\r\n"
    "Content-Description: Quarterly report\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "Content-Location: http://example.org/report.pdf\r\n"
    "\r\n"
    " BODY[3.1]<0> {5}\r\n"
    "plain BINARY[2] ~{30}\r\n"
    "%PDF-1.4 fake pdf content here BINARY.SIZE[2] 30 RFC822.HEADER {373}\r\n"
    "From: \"Alice Example\" <alice@example.org>\r\n"
    "To: Bob <bob@example.net>, carol@example.com\r\n"
    "Cc: Friends: dave@example.org, \"Eve E.\" <eve@example.org>;\r\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with attachments\r\n"
    "Date: Sun, 6 Dec 2026 03:52:16 +0100\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "In-Reply-To: <m0@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    ")\r\n"
    "c4 OK Fetch completed (0.008 + 0.000 + 0.007 secs).\r\n";

} // namespace

TEST_CASE("need_literal says what the literal is for (Dovecot sample)") {
    auto o = drive({dovecot_sections}, [](const literal_info&) { return false; });
    REQUIRE(o.literals.size() == 5);
    CHECK(o.literals[0].fetch_item == "BODY[1]");
    CHECK(o.literals[1].fetch_item == "BODY[2.MIME]");
    CHECK(o.literals[2].fetch_item == "BODY[3.1]<0>");
    CHECK(o.literals[3].fetch_item == "BINARY[2]");
    CHECK(o.literals[4].fetch_item == "RFC822.HEADER");
    CHECK(o.literals[0].size == 33);
    CHECK(o.literals[1].size == 312);
    CHECK(o.literals[4].size == 373);
    for (const auto& li : o.literals) {
        CHECK(li.response_name == "FETCH");
        CHECK(li.number == 1u);
        CHECK(li.uid == 1u);
        CHECK(li.depth == 1);
        CHECK(li.message_content);
        CHECK_FALSE(li.must_stream);
        CHECK(li.kind == response_kind::untagged);
    }
    CHECK(o.literals[3].binary);
    CHECK_FALSE(o.literals[0].binary);
    REQUIRE(o.responses.size() == 2);
}

TEST_CASE("streaming every content literal of the Dovecot sample, in every split") {
    std::string out = drive_every_way(dovecot_sections, stream_content);
    CHECK(out.find("* 1 FETCH (UID #1 BODY[1] <streamed 33> BODY[2.MIME] <streamed 312> BODY[3.1]<0> <streamed 5> "
                   "BINARY[2] <streamed 30> BINARY.SIZE[2] #30 RFC822.HEADER <streamed 373>)\n") == 0);
    CHECK(out.find("sink[Hallo Bob,\r\nanbei die Unterlagen.]\n") != std::string::npos);
    CHECK(out.find("sink[plain]\n") != std::string::npos);
    CHECK(out.find("sink[%PDF-1.4 fake pdf content here]\n") != std::string::npos);
    CHECK(out.find("T:c4 OK |Fetch completed") != std::string::npos);

    auto o = drive({dovecot_sections}, stream_content);
    REQUIRE(o.sinks.size() == 5);
    CHECK(o.sinks[1].size() == 312);
    CHECK(o.sinks[4].size() == 373);
    CHECK(o.sinks[4].substr(o.sinks[4].size() - 4) == "\r\n\r\n");
    // The typed view: sizes and the streamed marks, no octets.
    std::error_code ec;
    auto m = parse_fetch(o.responses.at(0), ec);
    REQUIRE(m);
    CHECK_FALSE(ec);
    CHECK(m->uid == 1u);
    REQUIRE(m->sections.size() == 5);
    CHECK(m->sections[0].section == "1");
    CHECK(m->sections[0].streamed);
    CHECK(m->sections[0].size == 33);
    CHECK(m->sections[0].bytes.empty());
    CHECK(m->sections[2].origin == 0u);
    CHECK(m->sections[2].section == "3.1");
    CHECK(m->sections[3].binary);
    CHECK(m->sections[4].section == "HEADER");
    CHECK(m->sections[4].item == "RFC822.HEADER");
    REQUIRE(m->binary_sizes.size() == 1);
    CHECK(m->binary_sizes[0].section == "2");
    CHECK(m->binary_sizes[0].size == 30);
}

TEST_CASE("the driver picks: stream the body, keep the header in memory") {
    std::string in = "* 7 FETCH (UID 42 BODY[HEADER] {8}\r\nA: b\r\n\r\n BODY[] {12}\r\nA: b\r\n\r\nbody)\r\n";
    auto choose = [](const literal_info& li) { return li.fetch_item == "BODY[]"; };
    CHECK(drive_every_way(in, choose) ==
          "* 7 FETCH (UID #42 BODY[HEADER] {A: b\r\n\r\n} BODY[] <streamed 12>)\n"
          "sink[A: b\r\n\r\nbody]\n"
          "lit 8 FETCH #7 d1 item=BODY[HEADER] uid=42 content\n"
          "lit 12 FETCH #7 d1 item=BODY[] uid=42 content\n");
    // Kept in memory, the octets are the section's bytes.
    auto o = drive({in}, choose);
    std::error_code ec;
    auto m = parse_fetch(o.responses.at(0), ec);
    REQUIRE(m);
    CHECK(m->sections.at(0).bytes == "A: b\r\n\r\n");
    CHECK_FALSE(m->sections.at(0).streamed);
    CHECK(m->sections.at(1).streamed);
    CHECK(m->sections.at(1).size == 12);
    CHECK(m->find_section("") == &m->sections.at(1));
    CHECK(m->find_section("header") == &m->sections.at(0));
    CHECK(m->find_section("1") == nullptr);
}

TEST_CASE("literals that are not message content") {
    // A string in ENVELOPE: deep, no item. UID after the body: unknown then.
    std::string env = "* 3 FETCH (ENVELOPE (NIL {5}\r\nhello NIL NIL NIL NIL NIL NIL NIL NIL) RFC822 {3}\r\nabc UID 9)\r\n";
    CHECK(drive_every_way(env, stream_content) ==
          "* 3 FETCH (ENVELOPE (NIL {hello} NIL NIL "
          "NIL NIL NIL NIL NIL NIL) RFC822 <streamed 3> UID #9)\n"
          "sink[abc]\n"
          "lit 5 FETCH #3 d2 item= uid=-\n"
          "lit 3 FETCH #3 d1 item=RFC822 uid=- content\n");
    // A mailbox name in LIST; a literal at the top of FETCH data where no
    // item name stands; a tagged response has no literals at all.
    CHECK(drive_every_way("* LIST () \"/\" {3}\r\na b\r\n", stream_content) ==
          "* LIST () \"/\" {a b}\nlit 3 LIST #- d0 item= uid=-\n");
    CHECK(drive_every_way("* 1 FETCH ({2}\r\nab X)\r\n", stream_content) ==
          "* 1 FETCH ({ab} X)\nlit 2 FETCH #1 d1 item= uid=-\n");
    // FETCH inside something else is not a FETCH item list.
    CHECK(drive_every_way("* X 1 FETCH (BODY[] {1}\r\nz)\r\n", stream_content) ==
          "* X #1 FETCH (BODY[] {z})\nlit 1 X #- d1 item= uid=-\n");
}

TEST_CASE("any literal may be streamed, and streamed octets are not counted against max_response") {
    parser_limits lim;
    lim.max_response = 64;
    std::string big(1000, 'x');
    std::string in = "* 1 FETCH (BODY[] {1000}\r\n" + big + " UID 5)\r\n";
    auto o = drive({in}, stream_content, lim);
    CHECK_FALSE(o.error);
    REQUIRE(o.sinks.size() == 1);
    CHECK(o.sinks[0] == big);
    // Fed instead, they are counted.
    auto f = drive({in}, [](const literal_info&) { return false; }, lim);
    CHECK(f.error == make_error_code(errc::response_too_large));
    // Streaming a mailbox name is the driver's business too.
    auto l = drive({"* LIST () \"/\" {3}\r\nabc\r\n"}, [](const literal_info&) { return true; });
    CHECK(render(l) == "* LIST () \"/\" <streamed 3>\nsink[abc]\nlit 3 LIST #- d0 item= uid=-\n");
}

TEST_CASE("limits: content literals over max_body_literal must be streamed, others fail at once") {
    parser_limits lim;
    lim.max_literal = 4;
    lim.max_body_literal = 10;
    std::string in = "* 1 FETCH (BODY[] {11}\r\nhello world)\r\n";
    // Announced with must_stream; streaming works in every split.
    CHECK(drive_every_way(in, stream_content, lim) ==
          "* 1 FETCH (BODY[] <streamed 11>)\nsink[hello world]\nlit 11 FETCH #1 d1 item=BODY[] uid=- content must\n");
    // Feeding it fails at its first octet.
    auto fed = drive({in}, [](const literal_info&) { return false; }, lim);
    CHECK(fed.error == make_error_code(errc::literal_too_large));
    // Up to the body limit it may be fed; a non-content literal over
    // max_literal fails before need_literal.
    auto ok = drive({"* 1 FETCH (BODY[] {10}\r\nhelloworld)\r\n"}, [](const literal_info&) { return false; }, lim);
    CHECK_FALSE(ok.error);
    auto env = drive({"* 1 FETCH (ENVELOPE ({5}\r\n"}, stream_content, lim);
    CHECK(env.error == make_error_code(errc::literal_too_large));
    CHECK(env.literals.empty());
    // Defaults: 1 MiB for strings, 64 MiB for content held in memory.
    parser_limits d;
    CHECK(d.max_literal == 1024 * 1024);
    CHECK(d.max_body_literal == 64 * 1024 * 1024);
    auto name = drive({"* LIST () \"/\" {1048577}\r\n"}, stream_content);
    CHECK(name.error == make_error_code(errc::literal_too_large));
    auto body = drive({"* 1 FETCH (BODY[] {1048577}\r\n"}, stream_content);
    CHECK_FALSE(body.error);
    CHECK_FALSE(body.literals.at(0).must_stream);
    auto huge = drive({"* 1 FETCH (BODY[] {67108865}\r\n"}, stream_content);
    CHECK(huge.literals.at(0).must_stream);
}

TEST_CASE("64-bit literal sizes") {
    response_parser p;
    std::string head = "* 2 FETCH (UID 77 BINARY[] ~{9223372036854775807}\r\n";
    auto r = p.feed(head);
    REQUIRE(r.state == response_parser::status::need_literal);
    CHECK(r.consumed == head.size());
    CHECK(r.literal_size == 9223372036854775807ULL);
    CHECK(p.literal().must_stream);
    CHECK(p.literal().binary);
    CHECK(p.literal().uid == 77u);
    CHECK(p.literal_remaining() == 9223372036854775807ULL);
    CHECK_FALSE(p.literal_streamed());
    r = p.feed(")\r\n");
    REQUIRE(r.state == response_parser::status::ready);
    auto resp = p.take();
    const token& t = resp.data.at(0).items.at(3);
    CHECK(t.kind == token_kind::literal);
    CHECK(t.streamed);
    CHECK(t.binary);
    CHECK(t.size == 9223372036854775807ULL);
    CHECK(t.text.empty());
    // 2^63 is beyond number64.
    response_parser q;
    r = q.feed("* 2 FETCH (BODY[] {9223372036854775808}\r\n");
    CHECK(r.state == response_parser::status::error);
    CHECK(r.error == make_error_code(errc::literal_too_large));
}

TEST_CASE("literal_streamed is refused unless a literal was just announced") {
    response_parser p;
    CHECK(p.literal_streamed() == make_error_code(errc::invalid_state));  // nothing yet
    auto r = p.feed("* 1 FETCH (BODY[] {3}\r\n");
    REQUIRE(r.state == response_parser::status::need_literal);
    r = p.feed("a");  // one octet fed: too late to stream
    CHECK(r.state == response_parser::status::need_more);
    CHECK(p.literal_streamed() == make_error_code(errc::invalid_state));
    CHECK(p.literal_remaining() == 2);
    r = p.feed("bc)\r\n");
    CHECK(r.state == response_parser::status::ready);
    CHECK(p.literal_streamed() == make_error_code(errc::invalid_state));
    CHECK(p.take().data.at(0).items.at(1).text == "abc");

    // Twice for one literal: the second is refused.
    r = p.feed("* 1 FETCH (BODY[] {3}\r\n");
    REQUIRE(r.state == response_parser::status::need_literal);
    CHECK_FALSE(p.literal_streamed());
    CHECK(p.literal_streamed() == make_error_code(errc::invalid_state));
    // The driver read "abc" itself; the parser goes on after it.
    r = p.feed(")\r\n");
    CHECK(r.state == response_parser::status::ready);
    CHECK(p.take().data.at(0).items.at(1).streamed);

    // An empty literal may be streamed too, until the next byte is fed.
    r = p.feed("* 1 FETCH (BODY[] {0}\r\n");
    REQUIRE(r.state == response_parser::status::need_literal);
    CHECK(r.literal_size == 0);
    CHECK_FALSE(p.literal_streamed());
    r = p.feed(")\r\n");
    REQUIRE(r.state == response_parser::status::ready);
    auto t = p.take().data.at(0).items.at(1);
    CHECK(t.streamed);
    CHECK(t.size == 0);
    r = p.feed("* 1 FETCH (BODY[] {0}\r\n");
    REQUIRE(r.state == response_parser::status::need_literal);
    CHECK(p.feed(")").state == response_parser::status::need_more);
    CHECK(p.literal_streamed() == make_error_code(errc::invalid_state));

    // After an error: refused.
    response_parser e;
    CHECK(e.feed("* LIST a)\r\n").state == response_parser::status::error);
    CHECK(e.literal_streamed() == make_error_code(errc::invalid_state));
}

TEST_CASE("many streamed literals in one response stay linear") {
    std::string in = "* 1 FETCH (UID 3";
    for (int i = 0; i < 20000; ++i) in += " BODY[" + std::to_string(i + 1) + "] {1}\r\nx";
    in += ")\r\n";
    auto o = drive(pigeon::test::chunks_of(in, 4096), stream_content);
    CHECK_FALSE(o.error);
    CHECK(o.sinks.size() == 20000);
    CHECK(o.literals.back().fetch_item == "BODY[20000]");
    CHECK(o.literals.back().uid == 3u);
    std::error_code ec;
    auto m = parse_fetch(o.responses.at(0), ec);
    REQUIRE(m);
    CHECK(m->sections.size() == 20000);
}
