// Typed FETCH data: ENVELOPE, BODYSTRUCTURE, message_data, from real
// Dovecot 2.3.19.1 responses and from hostile ones.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/body_structure.hpp"
#include "pigeon/imap/envelope.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/message_data.hpp"
#include "stream_driver.hpp"

using namespace pigeon::imap;
using namespace std::chrono;
using namespace std::string_literals;
using pigeon::imap::test::parse_one;

namespace {

// Recorded from Dovecot 2.3.19.1 (FETCH 1:3 (UID FLAGS INTERNALDATE
// RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ) and FETCH 1 BODY): a
// multipart/mixed with a text part, a PDF attachment and a forwarded
// message/rfc822 holding a multipart/alternative; a message with a group
// ("undisclosed-recipients:;") and no Date or Subject.
const std::string dovecot_msg1 =
    "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent $Label1) INTERNALDATE \"06-Dec-2026 02:52:16 +0000\" RFC822.SIZE 1277 "
    "MODSEQ (7) ENVELOPE (\"Sun, 6 Dec 2026 03:52:16 +0100\" \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with attachments\" "
    "((\"Alice Example\" NIL \"alice\" \"example.org\")) ((\"Alice Example\" NIL \"alice\" \"example.org\")) "
    "((\"Alice Example\" NIL \"alice\" \"example.org\")) ((\"Bob\" NIL \"bob\" \"example.net\")(NIL NIL \"carol\" "
    "\"example.com\")) ((NIL NIL \"Friends\" NIL)(NIL NIL \"dave\" \"example.org\")(\"Eve E.\" NIL \"eve\" "
    "\"example.org\")(NIL NIL NIL NIL)) NIL \"<m0@example.org>\" \"<m1@example.org>\") BODYSTRUCTURE ((\"text\" "
    "\"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 33 1 NIL NIL (\"de\") NIL)(\"application\" \"pdf\" "
    "(\"name\" \"report.pdf\") \"<part2@example.org>\" \"Quarterly report\" \"base64\" 40 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
    "(\"attachment\" (\"filename\" \"report.pdf\" \"size\" \"30\")) NIL \"http://example.org/report.pdf\")(\"message\" "
    "\"rfc822\" NIL NIL NIL \"7bit\" 335 (\"Mon, 1 Jun 2026 10:00:00 -0700\" \"forwarded\" ((\"Frank\" NIL \"frank\" "
    "\"example.com\")) ((\"Frank\" NIL \"frank\" \"example.com\")) ((\"Frank\" NIL \"frank\" \"example.com\")) ((NIL "
    "NIL \"alice\" \"example.org\")) NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" "
    "10 0 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL NIL NIL) "
    "\"alternative\" (\"boundary\" \"inner\") NIL NIL NIL) 16 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"outer\") NIL "
    "NIL NIL))\r\n";
const std::string dovecot_msg2 =
    "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent $Label1) INTERNALDATE \"06-Dec-2026 04:02:17 +0000\" RFC822.SIZE 111 "
    "MODSEQ (7) ENVELOPE (NIL NIL ((NIL NIL \"someone\" \"example.org\")) ((NIL NIL \"someone\" \"example.org\")) "
    "((NIL NIL \"someone\" \"example.org\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL "
    "\"<m2@example.org>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 22 1 NIL NIL "
    "NIL NIL))\r\n";
const std::string dovecot_body1 =
    "* 1 FETCH (BODY ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 33 1)(\"application\" "
    "\"pdf\" (\"name\" \"report.pdf\") \"<part2@example.org>\" \"Quarterly report\" \"base64\" 40)(\"message\" "
    "\"rfc822\" NIL NIL NIL \"7bit\" 335 (\"Mon, 1 Jun 2026 10:00:00 -0700\" \"forwarded\" ((\"Frank\" NIL \"frank\" "
    "\"example.com\")) ((\"Frank\" NIL \"frank\" \"example.com\")) ((\"Frank\" NIL \"frank\" \"example.com\")) ((NIL "
    "NIL \"alice\" \"example.org\")) NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" "
    "10 0)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0) \"alternative\") 16) \"mixed\"))\r\n";

// A compact picture of a body tree: "section:type/subtype" per node.
std::string outline(const body_structure& b) {
    std::string s = "[" + b.section + "]" + b.type + "/" + b.subtype;
    if (!b.parts.empty()) {
        s += "(";
        for (std::size_t i = 0; i < b.parts.size(); ++i) s += (i ? " " : "") + outline(b.parts[i]);
        s += ")";
    }
    return s;
}

message_data fetch(std::string_view in) {
    std::error_code ec;
    auto m = parse_fetch(parse_one(in), ec);
    REQUIRE_MESSAGE(m, ec.message());
    CHECK_FALSE(ec);
    return *m;
}

std::error_code fetch_error(std::string_view in, body_limits limits = {}) {
    std::error_code ec;
    auto m = parse_fetch(parse_one(in), ec, limits);
    CHECK_FALSE(m.has_value());
    return ec;
}

std::optional<body_structure> body_of(std::string_view list_text, std::error_code& ec, body_limits limits = {}) {
    auto r = parse_one("* 1 FETCH (BODYSTRUCTURE " + std::string(list_text) + ")\r\n");
    return parse_body_structure(r.data.at(0).items.at(1), ec, limits);
}

} // namespace

TEST_CASE("lists may follow each other without a space") {
    auto r = parse_one("* 1 FETCH (BODY ((\"a\")(\"b\") \"mixed\"))\r\n");
    CHECK(r.data.at(0).items.at(1).items.size() == 3);
    auto n = parse_one("* NAMESPACE ((\"\" \"/\")(\"#shared/\" \"/\")) NIL NIL\r\n");
    CHECK(n.data.at(0).items.size() == 2);
    // Still refused: a list glued to an atom or string, or an atom to a list.
    auto bad = pigeon::imap::test::parse_pieces({"* X \"a\"(b)\r\n"});
    CHECK(bad.error == make_error_code(errc::malformed_reply));
    bad = pigeon::imap::test::parse_pieces({"* X (a)b\r\n"});
    CHECK(bad.error == make_error_code(errc::malformed_reply));
    bad = pigeon::imap::test::parse_pieces({"* X a(b)\r\n"});
    CHECK(bad.error == make_error_code(errc::malformed_reply));
}

TEST_CASE("Dovecot: multipart/mixed with attachment and message/rfc822") {
    auto m = fetch(dovecot_msg1);
    CHECK(m.seq == 1);
    CHECK(m.uid == 1u);
    CHECK(m.flags == std::vector<std::string>{"\\Seen", "\\Recent", "$Label1"});
    CHECK(m.rfc822_size == 1277u);
    CHECK(m.modseq == 7u);
    REQUIRE(m.internal_date);
    CHECK(m.internal_date->time == sys_days{year{2026} / 12 / 6} + hours{2} + minutes{52} + seconds{16});
    REQUIRE(m.envelope);
    const envelope& e = *m.envelope;
    CHECK(e.date == "Sun, 6 Dec 2026 03:52:16 +0100");
    CHECK(e.subject == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with attachments");  // raw: decoding is mime's
    CHECK(e.message_id == "<m1@example.org>");
    CHECK(e.in_reply_to == "<m0@example.org>");
    REQUIRE(e.from.size() == 1);
    CHECK(std::get<address>(e.from[0]) == address{"Alice Example", "", "alice", "example.org"});
    CHECK(mailboxes(e.to).size() == 2);
    CHECK(mailboxes(e.to)[1].addr_spec() == "carol@example.com");
    CHECK(e.bcc.empty());
    // Cc: Friends: dave@example.org, "Eve E." <eve@example.org>;
    REQUIRE(e.cc.size() == 1);
    const auto& g = std::get<address_group>(e.cc[0]);
    CHECK(g.name == "Friends");
    REQUIRE(g.members.size() == 2);
    CHECK(g.members[0].addr_spec() == "dave@example.org");
    CHECK(g.members[1].name == "Eve E.");
    CHECK(mailboxes(e.cc).size() == 2);

    REQUIRE(m.body_structure);
    const body_structure& b = *m.body_structure;
    CHECK(outline(b) == "[]multipart/mixed([1]text/plain [2]application/pdf "
                        "[3]message/rfc822([3]multipart/alternative([3.1]text/plain [3.2]text/html)))");
    CHECK(b.is_multipart());
    CHECK(*b.param("BOUNDARY") == "outer");
    const body_structure& text = b.parts[0];
    CHECK(*text.param("charset") == "utf-8");
    CHECK(text.encoding == "quoted-printable");
    CHECK(text.size == 33);
    CHECK(text.lines == 1u);
    CHECK(text.language == std::vector<std::string>{"de"});
    CHECK_FALSE(text.disposition);
    const body_structure& pdf = b.parts[1];
    CHECK(pdf.is("Application", "PDF"));
    CHECK(pdf.id == "<part2@example.org>");
    CHECK(pdf.description == "Quarterly report");
    CHECK(pdf.encoding == "base64");
    CHECK(pdf.size == 40);
    CHECK_FALSE(pdf.lines);
    CHECK(pdf.md5 == "Q2hlY2sgSW50ZWdyaXR5IQ==");
    REQUIRE(pdf.disposition);
    CHECK(pdf.disposition->type == "attachment");
    CHECK(*find_param(pdf.disposition->params, "size") == "30");
    CHECK(*pdf.filename() == "report.pdf");
    CHECK(pdf.location == "http://example.org/report.pdf");
    const body_structure& fwd = b.parts[2];
    CHECK(fwd.is_message());
    CHECK(fwd.size == 335);
    CHECK(fwd.lines == 16u);
    CHECK(fwd.message_envelope->subject == "forwarded");
    CHECK(fwd.parts[0].is("multipart", "alternative"));
    CHECK(b.find("3.2")->is("text", "html"));
    CHECK(b.find("3") == &fwd);
    CHECK(b.find("") == &b);
    CHECK(b.find("4") == nullptr);
    CHECK(b.find("3.2")->filename() == nullptr);
}

TEST_CASE("Dovecot: group syntax and NIL fields in ENVELOPE, a single-part message") {
    auto m = fetch(dovecot_msg2);
    REQUIRE(m.envelope);
    CHECK(m.envelope->date.empty());
    CHECK(m.envelope->subject.empty());
    CHECK(m.envelope->reply_to.size() == 1);
    REQUIRE(m.envelope->to.size() == 1);
    const auto& g = std::get<address_group>(m.envelope->to[0]);
    CHECK(g.name == "undisclosed-recipients");
    CHECK(g.members.empty());
    CHECK(mailboxes(m.envelope->to).empty());
    REQUIRE(m.body_structure);
    CHECK(outline(*m.body_structure) == "[1]text/plain");
    CHECK(m.body_structure->lines == 1u);
    CHECK(m.body_structure->find("1") == &*m.body_structure);
}

TEST_CASE("Dovecot: BODY (no extension data)") {
    auto m = fetch(dovecot_body1);
    REQUIRE(m.body_structure);
    const body_structure& b = *m.body_structure;
    CHECK(outline(b) == "[]multipart/mixed([1]text/plain [2]application/pdf "
                        "[3]message/rfc822([3]multipart/alternative([3.1]text/plain [3.2]text/html)))");
    CHECK(b.params.empty());
    CHECK(b.parts[1].md5.empty());
    CHECK_FALSE(b.parts[1].disposition);
    CHECK(*b.parts[1].filename() == "report.pdf");  // from Content-Type name
    CHECK(b.parts[2].lines == 16u);
}

TEST_CASE("part numbers of RFC 3501's example tree") {
    // Section 6.4.5: 1 TEXT/PLAIN, 2 APPLICATION/OCTET-STREAM, 3 MESSAGE/RFC822
    // (3.1, 3.2), 4 MULTIPART/MIXED (4.1 IMAGE/GIF, 4.2 MESSAGE/RFC822
    // (4.2.1 TEXT/PLAIN, 4.2.2 MULTIPART/ALTERNATIVE (4.2.2.1, 4.2.2.2))).
    const std::string env = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
    const std::string txt = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)";
    const std::string bin = "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 4)";
    const std::string gif = "(\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 4)";
    const std::string rich = "(\"TEXT\" \"RICHTEXT\" NIL NIL NIL \"7BIT\" 1 1)";
    const std::string msg3 = "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 9 " + env + " (" + txt + bin + " \"MIXED\") 3)";
    const std::string msg42 = "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 9 " + env + " (" + txt + "(" + txt + rich +
                              " \"ALTERNATIVE\") \"MIXED\") 3)";
    const std::string tree = "(" + txt + bin + msg3 + "(" + gif + msg42 + " \"MIXED\") \"MIXED\")";
    std::error_code ec;
    auto b = body_of(tree, ec);
    REQUIRE_MESSAGE(b, ec.message());
    CHECK(outline(*b) ==
          "[]multipart/mixed([1]text/plain [2]application/octet-stream [3]message/rfc822([3]multipart/mixed("
          "[3.1]text/plain [3.2]application/octet-stream)) [4]multipart/mixed([4.1]image/gif "
          "[4.2]message/rfc822([4.2]multipart/mixed([4.2.1]text/plain [4.2.2]multipart/alternative("
          "[4.2.2.1]text/plain [4.2.2.2]text/richtext)))))");
    // A message/rfc822 whose body is a single part: that part is "n.1".
    auto single = body_of("(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 " + env + " " + txt + " 3)", ec);
    REQUIRE(single);
    CHECK(outline(*single) == "[1]message/rfc822([1.1]text/plain)");
    CHECK(parse_part_number("4.2.2.1") == std::vector<std::uint32_t>{4, 2, 2, 1});
    CHECK(format_part_number({4, 2, 2, 1}) == "4.2.2.1");
    for (const char* bad : {"", "0", "1.", ".1", "1..2", "01", "1.a", "4294967296", "1.2.HEADER"}) {
        INFO(bad);
        CHECK_FALSE(parse_part_number(bad));
    }
}

TEST_CASE("BODYSTRUCTURE quirks real servers send") {
    std::error_code ec;
    // NIL and "()" for parameters; an odd parameter list; NIL size; text
    // without lines; a disposition as a bare string; language as a string.
    auto b = body_of("(\"TEXT\" \"Plain\" () NIL NIL \"7BIT\" NIL)", ec);
    REQUIRE(b);
    CHECK(b->size == 0);
    CHECK_FALSE(b->lines);
    CHECK(b->type == "text");
    CHECK(b->subtype == "plain");
    b = body_of("(\"text\" \"plain\" (\"charset\" \"utf-8\" \"stray\") NIL NIL \"7bit\" 5 NIL NIL \"inline\" \"en\")", ec);
    REQUIRE_MESSAGE(b, ec.message());
    CHECK(b->params.size() == 1);
    CHECK_FALSE(b->lines);
    CHECK(b->disposition->type == "inline");
    CHECK(b->language == std::vector<std::string>{"en"});
    // message/rfc822 sent as a basic part (no envelope and body).
    b = body_of("(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 335 NIL (\"attachment\" NIL) NIL NIL)", ec);
    REQUIRE_MESSAGE(b, ec.message());
    CHECK_FALSE(b->is_message());
    CHECK(b->disposition->type == "attachment");
    // Extension data beyond location, and body-extension lists: ignored.
    b = body_of("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL \"x\" (1 (2 \"y\")))", ec);
    CHECK(b);
    // A multipart missing its subtype; atoms and numbers for strings.
    b = body_of("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1))", ec);
    REQUIRE(b);
    CHECK(b->subtype.empty());
    b = body_of("(text plain NIL NIL NIL 7bit 5 1)", ec);
    REQUIRE(b);
    CHECK(b->encoding == "7bit");
    // message/global (RFC 6532) is a message too.
    b = body_of("(\"message\" \"global\" NIL NIL NIL \"8bit\" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
                "(\"text\" \"plain\" NIL NIL NIL \"8bit\" 1 1) 1)", ec);
    REQUIRE(b);
    CHECK(b->is_message());
}

TEST_CASE("BODYSTRUCTURE: wrong types are errors") {
    std::error_code ec;
    for (const char* bad : {
             "()",                                                        // empty
             "NIL",                                                       // not a list
             "\"text\"",                                                  // not a list
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\")",                 // six fields
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" (5))",             // size is a list
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" x)",               // size is an atom
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" -1)",              // negative size
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 99999999999999999999)",  // over 64 bits
             "(\"text\" \"plain\" \"charset\" NIL NIL \"7bit\" 1)",       // params are a string
             "(\"text\" \"plain\" ((\"a\") \"b\") NIL NIL \"7bit\" 1)",   // a list as a name
             "(\"text\" \"plain\" NIL (1) NIL \"7bit\" 1)",               // id is a list
             "((\"a\" \"b\" NIL NIL NIL \"7bit\" 1) (\"mixed\"))",        // subtype is a list... then a part
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL (1 2))",   // disposition type is a number
             "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL ((\"x\")))",  // disposition type is a list
             "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 (NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) 1)",
             "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) x 1)",
         }) {
        INFO(bad);
        CHECK_FALSE(body_of(bad, ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
}

TEST_CASE("BODYSTRUCTURE: hostile depth and breadth are bounded") {
    // 40 nested multiparts: within the parser's list depth, beyond a
    // body_limits depth of 30.
    std::string deep = "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)";
    for (int i = 0; i < 40; ++i) deep = "(" + deep + " \"mixed\")";
    std::error_code ec;
    body_limits lim;
    lim.max_depth = 30;
    CHECK_FALSE(body_of(deep, ec, lim));
    CHECK(ec == make_error_code(errc::too_deep));
    auto ok = body_of(deep, ec);  // default 64
    REQUIRE(ok);
    CHECK(ok->find("1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1") != nullptr);
    // Nested messages: one list per level, within the parser's depth (100)
    // but beyond the default body_limits (64).
    std::string msgs = "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)";
    for (int i = 0; i < 70; ++i)
        msgs = "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) " + msgs + " 1)";
    auto parsed = pigeon::imap::test::parse_pieces({"* 1 FETCH (BODYSTRUCTURE " + msgs + ")\r\n"});
    REQUIRE(parsed.responses.size() == 1);
    CHECK_FALSE(parse_body_structure(parsed.responses[0].data.at(0).items.at(1), ec));
    CHECK(ec == make_error_code(errc::too_deep));
    lim.max_depth = 80;
    auto nested = parse_body_structure(parsed.responses[0].data.at(0).items.at(1), ec, lim);
    REQUIRE(nested);
    std::string inner = "1";
    for (int i = 0; i < 70; ++i) inner += ".1";
    CHECK(nested->find(inner)->is("text", "plain"));
    // Breadth: 20 001 parts against max_parts 20 000... and the default.
    std::string wide = "(";
    for (int i = 0; i < 20001; ++i) wide += "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)";
    wide += " \"mixed\")";
    auto r = pigeon::imap::test::parse_pieces({"* 1 FETCH (BODYSTRUCTURE " + wide + ")\r\n"});
    REQUIRE(r.responses.size() == 1);
    auto b = parse_body_structure(r.responses[0].data.at(0).items.at(1), ec);
    CHECK_FALSE(b);
    CHECK(ec == make_error_code(errc::too_many_tokens));
    lim = {};
    lim.max_parts = 30000;
    b = parse_body_structure(r.responses[0].data.at(0).items.at(1), ec, lim);
    REQUIRE(b);
    CHECK(b->parts.size() == 20001);
    CHECK(b->parts.back().section == "20001");
}

TEST_CASE("ENVELOPE: NIL everywhere, hostile groups, wrong types") {
    auto m = fetch("* 9 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
    REQUIRE(m.envelope);
    CHECK(m.envelope->from.empty());
    CHECK(m.envelope->message_id.empty());
    std::error_code ec;
    auto list = [&](std::string_view text) {
        auto r = parse_one("* X " + std::string(text) + "\r\n");
        return parse_address_list(r.data.at(0), ec);
    };
    // A group never closed; an end without a start; a group inside a
    // group (the first is closed); NIL members; a source route.
    auto l = list("((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"x\"))");
    REQUIRE(l);
    REQUIRE(l->size() == 1);
    CHECK(std::get<address_group>((*l)[0]).members.size() == 1);
    l = list("((NIL NIL NIL NIL)(NIL NIL \"a\" \"x\"))");
    REQUIRE(l);
    CHECK(l->size() == 1);
    CHECK(std::holds_alternative<address>((*l)[0]));
    l = list("((NIL NIL \"g1\" NIL)(NIL NIL \"g2\" NIL)(NIL NIL \"a\" \"x\")(NIL NIL NIL NIL)(\"B\" \"@r1,@r2\" \"b\" \"y\"))");
    REQUIRE(l);
    REQUIRE(l->size() == 3);
    CHECK(std::get<address_group>((*l)[0]).members.empty());
    CHECK(std::get<address_group>((*l)[1]).members.size() == 1);
    CHECK(std::get<address>((*l)[2]).route == "@r1,@r2");
    CHECK(std::get<address>((*l)[2]).addr_spec() == "b@y");
    l = list("(NIL (NIL NIL \"a\" \"x\"))");
    REQUIRE(l);
    CHECK(l->size() == 1);
    CHECK(list("()")->empty());
    for (const char* bad : {"\"a\"", "((NIL NIL \"a\"))", "((NIL NIL \"a\" \"x\" NIL))", "((NIL NIL (\"a\") \"x\"))",
                            "(\"a\")"}) {
        INFO(bad);
        CHECK_FALSE(list(bad));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    CHECK(fetch_error("* 9 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n") ==
          make_error_code(errc::malformed_reply));
    CHECK(fetch_error("* 9 FETCH (ENVELOPE NIL)\r\n") == make_error_code(errc::malformed_reply));
    CHECK(fetch_error("* 9 FETCH (ENVELOPE ((1) NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n") ==
          make_error_code(errc::malformed_reply));
    CHECK(fetch_error("* 9 FETCH (ENVELOPE (NIL NIL \"from\" NIL NIL NIL NIL NIL NIL NIL))\r\n") ==
          make_error_code(errc::malformed_reply));
}

TEST_CASE("FETCH items: values, sections, unknown items") {
    auto m = fetch("* 12 FETCH (UID 4294967295 FLAGS () RFC822.SIZE 9223372036854775807 MODSEQ (18) "
                   "EMAILID (M6d99ac3275bb4e) THREADID NIL X-GM-LABELS (\\Inbox) PREVIEW \"hi\" "
                   "BODY[HEADER.FIELDS (FROM TO)] {5}\r\nab\r\n\r BODY[1]<10> \"quoted\" BODY[2] NIL "
                   "RFC822.TEXT \"t\" RFC822 \"whole\" BINARY[1.2] ~{3}\r\n\x00\x01\x02)\r\n"s);
    CHECK(m.seq == 12);
    CHECK(m.uid == 4294967295u);
    CHECK(m.flags->empty());
    CHECK(m.rfc822_size == 9223372036854775807ull);
    CHECK(m.modseq == 18u);
    CHECK(m.email_id == "M6d99ac3275bb4e");
    CHECK_FALSE(m.thread_id);
    REQUIRE(m.sections.size() == 6);
    CHECK(m.sections[0].section == "HEADER.FIELDS (FROM TO)");
    CHECK(m.sections[0].bytes == "ab\r\n\r");
    CHECK(m.sections[1].section == "1");
    CHECK(m.sections[1].origin == 10u);
    CHECK(m.sections[1].bytes == "quoted");
    CHECK(m.sections[2].nil);
    CHECK(m.sections[2].size == 0);
    CHECK(m.sections[3].section == "TEXT");
    CHECK(m.sections[4].section == "");
    CHECK(m.sections[4].item == "RFC822");
    CHECK(m.sections[5].binary);
    CHECK(m.sections[5].bytes == std::string("\x00\x01\x02", 3));
    CHECK(m.find_section("1.2", true) == &m.sections[5]);
    CHECK(m.find_section("1.2") == nullptr);
    // Not a FETCH: nullopt and no error.
    std::error_code ec;
    CHECK_FALSE(parse_fetch(parse_one("* 3 EXISTS\r\n"), ec));
    CHECK_FALSE(ec);
    CHECK_FALSE(parse_fetch(parse_one("A1 OK FETCH done\r\n"), ec));
    CHECK_FALSE(ec);
}

TEST_CASE("FETCH: wrong types and shapes are errors") {
    const auto bad = make_error_code(errc::malformed_reply);
    for (const char* in : {
             "* 0 FETCH (UID 1)\r\n",                      // message 0
             "* 1 FETCH UID 1\r\n",                        // not a list
             "* 1 FETCH (UID 1) (FLAGS ())\r\n",           // two lists
             "* 1 FETCH (UID)\r\n",                        // name without value
             "* 1 FETCH (UID 0)\r\n",
             "* 1 FETCH (UID 4294967296)\r\n",
             "* 1 FETCH (UID \"7\")\r\n",
             "* 1 FETCH (UID (7))\r\n",
             "* 1 FETCH (\"UID\" 7)\r\n",                  // item name is a string
             "* 1 FETCH (FLAGS \\Seen)\r\n",
             "* 1 FETCH (FLAGS (\"\\\\Seen\"))\r\n",
             "* 1 FETCH (RFC822.SIZE 18446744073709551615)\r\n",
             "* 1 FETCH (RFC822.SIZE -1)\r\n",
             "* 1 FETCH (INTERNALDATE \"yesterday\")\r\n",
             "* 1 FETCH (INTERNALDATE 17)\r\n",
             "* 1 FETCH (MODSEQ 7)\r\n",
             "* 1 FETCH (MODSEQ (7 8))\r\n",
             "* 1 FETCH (MODSEQ (9223372036854775808))\r\n",
             "* 1 FETCH (BODY[] (a))\r\n",
             "* 1 FETCH (BODY[] 12)\r\n",
             "* 1 FETCH (BODY[1]<x> \"a\")\r\n",
             "* 1 FETCH (BODY[1]<> \"a\")\r\n",
             "* 1 FETCH (BODY[1]0 \"a\")\r\n",
             "* 1 FETCH (BINARY.SIZE[1] \"3\")\r\n",
             "* 1 FETCH (BINARY.SIZE[1]<0> 3)\r\n",
             "* 1 FETCH (EMAILID NIL)\r\n",
             "* 1 FETCH (BODY NIL)\r\n",
             "* 1 FETCH (BODYSTRUCTURE ())\r\n",
         }) {
        INFO(in);
        CHECK(fetch_error(in) == bad);
    }
    body_limits lim;
    lim.max_depth = 1;
    CHECK(fetch_error("* 1 FETCH (BODY ((\"a\" \"b\" NIL NIL NIL \"7bit\" 1) \"mixed\"))\r\n", lim) ==
          make_error_code(errc::too_deep));
}

TEST_CASE("section specs") {
    CHECK(parse_section("") == section_spec{});
    CHECK(parse_section("1.2") == section_spec{{1, 2}, ""});
    CHECK(parse_section("HEADER") == section_spec{{}, "HEADER"});
    CHECK(parse_section("3.header") == section_spec{{3}, "HEADER"});
    CHECK(parse_section("4.1.MIME") == section_spec{{4, 1}, "MIME"});
    CHECK(parse_section("1.TEXT") == section_spec{{1}, "TEXT"});
    CHECK(parse_section("HEADER.FIELDS (FROM TO)") == section_spec{{}, "HEADER.FIELDS (FROM TO)"});
    CHECK(parse_section("2.header.fields.not (Received)") == section_spec{{2}, "HEADER.FIELDS.NOT (Received)"});
    for (const char* bad : {"MIME", "1.", "0", "1..2", "BODY", "HEADER.FIELDS", "HEADER.FIELDS ()", "HEADERX",
                            "TEXT ", "1.2x", "01"}) {
        INFO(bad);
        CHECK_FALSE(parse_section(bad));
    }
}

TEST_CASE("parse_fetch of a response given up moves its strings and gives the same result as a copy") {
    const std::string long_name(200, 'n');
    const std::string in =
        "* 7 FETCH (UID 42 FLAGS (\\Seen $Forwarded \\Answered) ENVELOPE (\"Fri, 06 Dec 2026 10:00:00 +0000\" "
        "{31}\r\nA subject long enough for heaps"
        " ((\"" + long_name + "\" NIL \"someone.with.a.long.mailbox\" \"mail.example.org\")) NIL NIL "
        "((\"group-name-that-is-long\" NIL \"undisclosed\" NIL)(NIL NIL \"member\" \"example.com\")(NIL NIL NIL NIL)) "
        "NIL NIL \"<parent@example.org>\" \"<0123456789abcdef@example.org>\") "
        "BODY[HEADER.FIELDS (X)] {25}\r\nX: a value that is long\r\n BODY[1] NIL)\r\n";
    const pigeon::imap::response r = parse_one(in);
    std::error_code ec;
    auto copied = parse_fetch(r, ec);
    REQUIRE(copied);
    REQUIRE(!ec);
    pigeon::imap::response given = r;
    auto moved = parse_fetch(std::move(given), ec);
    REQUIRE(moved);
    REQUIRE(!ec);
    CHECK(moved->uid == copied->uid);
    CHECK(moved->flags == copied->flags);
    CHECK(moved->envelope == copied->envelope);
    CHECK(moved->sections == copied->sections);
    CHECK(copied->flags->size() == 3);
    CHECK(copied->envelope->subject == "A subject long enough for heaps");
    REQUIRE(copied->envelope->from.size() == 1);
    CHECK(std::get<pigeon::imap::address>(copied->envelope->from[0]).name == long_name);
    REQUIRE(copied->envelope->to.size() == 1);
    const auto& group = std::get<pigeon::imap::address_group>(copied->envelope->to[0]);
    CHECK(group.name == "undisclosed");
    REQUIRE(group.members.size() == 1);
    CHECK(group.members[0].addr_spec() == "member@example.com");
    REQUIRE(copied->sections.size() == 2);
    CHECK(copied->sections[0].bytes == "X: a value that is long\r\n");
    CHECK(copied->sections[1].nil);
    // The copy's source is untouched; the one given up lost its strings.
    CHECK(r.data[0].items[5].items[1].text == "A subject long enough for heaps");
    CHECK(given.data[0].items[5].items[1].text.empty());
}
