#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_files.hpp"
#include "compose_test_util.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/compose_builder.hpp>
#include <pigeon/mime/compose_content.hpp>
#include <pigeon/mime/compose_date.hpp>
#include <pigeon/mime/compose_media_type.hpp>

#include <chrono>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;
using namespace std::chrono_literals;

namespace {

compose_options seeded(std::uint64_t seed = 1)
{
    compose_options o;
    o.seed = seed;
    return o;
}

const auto fixed_time = std::chrono::system_clock::time_point(std::chrono::seconds(1709211909)); // 2024-02-29 13:05:09Z

// Invariants every composed message keeps.
void check_invariants(const composed_message& m, bool allow_8bit = false)
{
    const std::string s = m.str();
    CHECK(tc::only_crlf(s));
    CHECK(tc::max_line(s) <= 998);
    CHECK(s.substr(s.size() - 2) == "\r\n");
    const auto sz = m.size();
    REQUIRE(sz.has_value());
    CHECK(*sz == s.size());
    if (!allow_8bit) {
        bool seven = true;
        for (unsigned char c : s) seven = seven && c < 0x80;
        CHECK_MESSAGE(seven, "8-bit byte in a 7-bit message");
    }
    // Header lines: at most 78 unless a single word is longer.
    const auto head = s.substr(0, s.find("\r\n\r\n"));
    for (auto l : tc::crlf_lines(head))
        if (l.find(' ', 1) != std::string_view::npos) CHECK(l.size() <= 78);
    // The pull source gives the same bytes whatever the buffer size.
    for (std::size_t cap : {1u, 7u, 4096u, 1u << 20}) {
        auto src = m.source();
        std::string got;
        std::string buf(cap, '\0');
        for (;;) {
            const std::size_t n = src(buf.data(), cap);
            if (n == 0) break;
            CHECK(n <= cap);
            got.append(buf.data(), n);
        }
        CHECK(got == s);
    }
}

tc::entity top(const composed_message& m) { return tc::parse_entity(m.str()); }

std::string decode_body(const tc::entity& e)
{
    const std::string cte = e.get("Content-Transfer-Encoding");
    if (cte == "base64") return tc::decode_base64(e.body);
    if (cte == "quoted-printable") return tc::decode_qp(e.body);
    return e.body;
}

std::vector<tc::entity> parts_of(const tc::entity& e)
{
    const std::string b = tc::param_value(e.get("Content-Type"), "boundary");
    REQUIRE(!b.empty());
    bool closed = false;
    auto raw = tc::split_multipart(e.body, b, closed);
    CHECK(closed);
    std::vector<tc::entity> out;
    for (const auto& r : raw) out.push_back(tc::parse_entity(r));
    return out;
}

} // namespace

TEST_CASE("compose: a plain text message, its headers and envelope")
{
    auto m = message_builder(seeded())
                 .from("Ann Smith <ann@example.org>")
                 .to("bob@example.net, \"Doe, Cy\" <cy@example.com>")
                 .cc("Dee <dee@example.com>")
                 .bcc("hidden@example.com, BOB@EXAMPLE.NET")
                 .to("bob@Example.Net")
                 .reply_to("list@example.org")
                 .subject("Hello")
                 .date(fixed_time, 90min)
                 .header("X-Mailer", "pigeon")
                 .text("Line one\nLine two\n")
                 .build();
    check_invariants(m);
    const auto e = top(m);
    CHECK(e.get("Date") == "Thu, 29 Feb 2024 14:35:09 +0130");
    CHECK(e.get("From") == "Ann Smith <ann@example.org>");
    CHECK(e.get("To") == "bob@example.net, \"Doe, Cy\" <cy@example.com>, bob@Example.Net");
    CHECK(e.get("Cc") == "Dee <dee@example.com>");
    CHECK(e.get("Reply-To") == "list@example.org");
    CHECK(e.get("Subject") == "Hello");
    CHECK(e.get("X-Mailer") == "pigeon");
    CHECK(e.get("MIME-Version") == "1.0");
    CHECK(e.get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(e.get("Content-Transfer-Encoding") == "7bit");
    CHECK(e.count("Bcc") == 0);
    CHECK(m.str().find("hidden") == std::string::npos);
    CHECK(e.body == "Line one\r\nLine two\r\n");
    const std::string mid = e.get("Message-ID");
    CHECK(mid == "<" + m.message_id() + ">");
    CHECK(m.message_id().size() > 20);
    CHECK(m.message_id().substr(m.message_id().find('@')) == "@example.org");
    CHECK(m.envelope_sender() == "ann@example.org");
    CHECK(m.envelope_recipients() ==
          std::vector<std::string>{"bob@example.net", "cy@example.com", "dee@example.com", "hidden@example.com",
                                   "BOB@EXAMPLE.NET"});
    CHECK_FALSE(m.needs_8bitmime());
    CHECK_FALSE(m.needs_smtputf8());
    CHECK(m.headers() + "\r\n" == m.str().substr(0, m.headers().size() + 2));
}

TEST_CASE("compose: envelope sender, Message-ID and its domain")
{
    auto b = message_builder(seeded()).from("a@example.org").to("b@example.net").text("x");
    b.envelope_from("bounces@example.org");
    CHECK(b.build().envelope_sender() == "bounces@example.org");
    b.message_id("<custom.1@host.example>");
    CHECK(b.build().message_id() == "custom.1@host.example");
    CHECK_THROWS_AS(b.message_id("no-at-sign"), compose_error);
    CHECK_THROWS_AS(b.message_id("a b@c"), compose_error);

    compose_options o = seeded();
    o.message_id_domain = "mid.example";
    auto m = message_builder(o).from("a@example.org").build();
    CHECK(m.message_id().substr(m.message_id().find('@')) == "@mid.example");
    // Two builds without a seed give different ids and boundaries.
    auto u = message_builder().from("a@example.org").text("t").attach_data("x.bin", std::string("\x01\x02", 2));
    CHECK(u.build().message_id() != u.build().message_id());
    CHECK_THROWS_AS(message_builder().to("b@example.net").build(), compose_error);
}

TEST_CASE("compose: date formats")
{
    CHECK(compose_date(fixed_time, 0min) == "Thu, 29 Feb 2024 13:05:09 +0000");
    CHECK(compose_date(fixed_time, -330min) == "Thu, 29 Feb 2024 07:35:09 -0530");
    CHECK(compose_date(std::chrono::system_clock::time_point(std::chrono::seconds(0)), 0min) ==
          "Thu, 1 Jan 1970 00:00:00 +0000");
    const std::string local = compose_date(fixed_time);
    CHECK(local.size() >= 30);
    CHECK((local[local.size() - 5] == '+' || local[local.size() - 5] == '-'));
}

TEST_CASE("compose: transfer encoding chosen by content")
{
    auto enc_of = [](std::string_view text, compose_options o = seeded()) {
        auto m = message_builder(o).from("a@example.org").text(text).build();
        check_invariants(m, o.allow_8bit);
        const auto e = top(m);
        CHECK(decode_body(e) == normalize_crlf(text));
        return e.get("Content-Transfer-Encoding");
    };
    CHECK(enc_of("plain ascii\n") == "7bit");
    CHECK(enc_of("Voil\xc3\xa0 un caf\xc3\xa9 tr\xc3\xa8s bon, merci beaucoup.\n") == "quoted-printable");
    CHECK(enc_of("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0\xe3\x81\xa7\xe3\x81\x99\n") ==
          "base64");
    CHECK(enc_of(std::string(2000, 'a') + "\n") == "quoted-printable");
    CHECK(enc_of(std::string(998, 'a') + "\n") == "7bit");
    compose_options safe = seeded();
    safe.from_safe = true;
    CHECK(enc_of("Hi\nFrom here\n", safe) == "quoted-printable");
    compose_options eight = seeded();
    eight.allow_8bit = true;
    CHECK(enc_of("caf\xc3\xa9\n", eight) == "8bit");
    auto m = message_builder(eight).from("a@example.org").text("caf\xc3\xa9").build();
    CHECK(m.needs_8bitmime());
    CHECK_THROWS_AS(message_builder().text("bad \xff utf-8"), compose_error);
    // A declared charset other than UTF-8 takes the bytes as they are.
    auto l1 = message_builder(seeded()).from("a@example.org").text("caf\xe9\n", "iso-8859-1").build();
    CHECK(top(l1).get("Content-Type") == "text/plain; charset=iso-8859-1");
    CHECK(decode_body(top(l1)) == "caf\xe9\r\n");
}

TEST_CASE("compose: a body without a final line break ends the message cleanly")
{
    auto qp = message_builder(seeded()).from("a@example.org").text("caf\xc3\xa9 sans fin").build();
    check_invariants(qp);
    // The soft break adds nothing to the decoded text.
    CHECK(decode_body(top(qp)) == "caf\xc3\xa9 sans fin");
    auto sb = message_builder(seeded()).from("a@example.org").text("no newline").build();
    CHECK(top(sb).body == "no newline\r\n");
    auto empty = message_builder(seeded()).from("a@example.org").build();
    check_invariants(empty);
    CHECK(top(empty).body.empty());
}

TEST_CASE("compose: text and HTML make multipart/alternative")
{
    auto m = message_builder(seeded()).from("a@example.org").to("b@example.net")
                 .text("Hello\n").html("<p>Hello</p>\n").build();
    check_invariants(m);
    const auto e = top(m);
    CHECK(e.get("Content-Type").rfind("multipart/alternative; boundary=\"=_", 0) == 0);
    CHECK(e.count("Content-Transfer-Encoding") == 0);
    const auto parts = parts_of(e);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(parts[0].body == "Hello\r\n");
    CHECK(parts[1].get("Content-Type") == "text/html; charset=utf-8");
    CHECK(parts[1].body == "<p>Hello</p>\r\n");
}

TEST_CASE("compose: attachments make multipart/mixed, files are streamed base64")
{
    const std::string bin = tc::random_bytes(200 * 1024 + 17, 3);
    tc::temp_file f("photo.png", bin);
    const std::string csv = "a,b\r\n1,2\r\n";
    compose_options o = seeded();
    o.chunk_size = 4096; // many chunks
    auto m = message_builder(o)
                 .from("a@example.org").to("b@example.net").subject("files")
                 .text("see attached\n")
                 .attach_file(f.path())
                 .attach_data("data.csv", csv)
                 .attach_data("r\xc3\xa9sum\xc3\xa9.pdf", std::string("%PDF-1.4\n\xe2\xe3\xcf\xd3", 13))
                 .build();
    check_invariants(m);
    const auto e = top(m);
    CHECK(e.get("Content-Type").rfind("multipart/mixed; boundary=", 0) == 0);
    const auto parts = parts_of(e);
    REQUIRE(parts.size() == 4);
    CHECK(parts[0].get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(parts[1].get("Content-Type") == "image/png; name=photo.png");
    CHECK(parts[1].get("Content-Disposition") == "attachment; filename=photo.png");
    CHECK(parts[1].get("Content-Transfer-Encoding") == "base64");
    CHECK(decode_body(parts[1]) == bin);
    CHECK(tc::max_line(parts[1].body) == 76);
    CHECK(parts[2].get("Content-Type") == "text/csv; name=data.csv");
    CHECK(parts[2].get("Content-Transfer-Encoding") == "7bit");
    CHECK(parts[2].body == csv); // exact, including its final CRLF
    CHECK(parts[3].get("Content-Type").rfind("application/pdf; name=\"=?UTF-8?", 0) == 0);
    CHECK(parts[3].get("Content-Disposition").rfind("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf; filename=\"", 0) == 0);
    CHECK(decode_body(parts[3]) == std::string("%PDF-1.4\n\xe2\xe3\xcf\xd3", 13));
}

TEST_CASE("compose: inline images make multipart/related with Content-ID")
{
    tc::temp_file img("logo.gif", std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13));
    message_builder b(seeded());
    b.from("a@example.org").to("b@example.net");
    const std::string cid = b.inline_file(img.path());
    CHECK(cid.find("@example.org") != std::string::npos);
    b.text("plain\n").html("<img src=\"cid:" + cid + "\">\n");
    b.attach_data("notes.txt", "n\r\n");
    auto m = b.build();
    check_invariants(m);
    const auto mixed = parts_of(top(m));
    REQUIRE(mixed.size() == 2);
    CHECK(mixed[0].get("Content-Type").rfind("multipart/alternative;", 0) == 0);
    const auto alt = parts_of(mixed[0]);
    REQUIRE(alt.size() == 2);
    CHECK(alt[0].get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(alt[1].get("Content-Type").rfind("multipart/related; type=\"text/html\"; boundary=", 0) == 0);
    const auto rel = parts_of(alt[1]);
    REQUIRE(rel.size() == 2);
    CHECK(rel[0].get("Content-Type") == "text/html; charset=utf-8");
    CHECK(rel[1].get("Content-ID") == "<" + cid + ">");
    CHECK(rel[1].get("Content-Disposition") == "inline; filename=logo.gif");
    CHECK(rel[1].get("Content-Type") == "image/gif; name=logo.gif");
    CHECK(decode_body(rel[1]) == std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13));
    CHECK(mixed[1].get("Content-Disposition") == "attachment; filename=notes.txt");
    // Three different boundaries, none a prefix of another.
    const std::string b1 = tc::param_value(top(m).get("Content-Type"), "boundary");
    const std::string b2 = tc::param_value(mixed[0].get("Content-Type"), "boundary");
    const std::string b3 = tc::param_value(alt[1].get("Content-Type"), "boundary");
    CHECK(b1.size() == b2.size());
    CHECK(b2.size() == b3.size());
    CHECK(b1 != b2);
    CHECK(b2 != b3);
    CHECK(b1 != b3);
}

TEST_CASE("compose: html only, and inline parts without HTML")
{
    auto h = message_builder(seeded()).from("a@example.org").html("<b>x</b>").build();
    check_invariants(h);
    CHECK(top(h).get("Content-Type") == "text/html; charset=utf-8");
    message_builder b(seeded());
    b.from("a@example.org").text("t");
    b.inline_data("i.png", std::string("\x89PNG", 4));
    auto m = b.build();
    check_invariants(m);
    const auto parts = parts_of(top(m));
    REQUIRE(parts.size() == 2);
    CHECK(parts[1].get("Content-Disposition") == "inline; filename=i.png");
}

TEST_CASE("compose: a boundary found in an unencoded part is drawn again")
{
    // With a fixed seed the builder draws the same tokens; learn the first
    // boundary, then put it in the text.
    auto probe = message_builder(seeded(9)).from("a@example.org").text("x").attach_data("a.txt", "y").build();
    const std::string boundary = tc::param_value(top(probe).get("Content-Type"), "boundary");
    REQUIRE(boundary.rfind("=_", 0) == 0);
    const std::string evil = "before\r\n--" + boundary + "\r\nContent-Type: text/html\r\n\r\nowned\r\n--" + boundary + "--\r\n";
    auto m = message_builder(seeded(9)).from("a@example.org").text(evil).attach_data("a.txt", "y").build();
    check_invariants(m);
    const std::string b2 = tc::param_value(top(m).get("Content-Type"), "boundary");
    CHECK(b2 != boundary);
    const auto parts = parts_of(top(m));
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].get("Content-Transfer-Encoding") == "7bit");
    CHECK(parts[0].body == evil);
}

TEST_CASE("compose: encoded parts cannot hold the boundary")
{
    // QP of text full of "--=_" and base64 of anything never produce "=_".
    std::string text;
    for (int i = 0; i < 50; ++i) text += "--=_ looks like a boundary line, caf\xc3\xa9\n";
    auto m = message_builder(seeded()).from("a@example.org").text(text).attach_data("x.bin", text + "\x01").build();
    check_invariants(m);
    const auto parts = parts_of(top(m));
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].get("Content-Transfer-Encoding") == "quoted-printable");
    CHECK(parts[0].body.find("=_") == std::string::npos);
    CHECK(decode_body(parts[0]) == normalize_crlf(text));
    CHECK(decode_body(parts[1]) == text + "\x01");
}

TEST_CASE("compose: the same message twice gives the same bytes")
{
    tc::temp_file f("a.bin", tc::random_bytes(5000, 1));
    auto m = message_builder(seeded()).from("a@example.org").text("t").attach_file(f.path()).date(fixed_time, 0min).build();
    const std::string one = m.str();
    std::string two;
    m.write([&](std::string_view p) { two.append(p); });
    CHECK(one == two);
    auto again = message_builder(seeded()).from("a@example.org").text("t").attach_file(f.path()).date(fixed_time, 0min).build();
    CHECK(again.str() == one);
}

TEST_CASE("compose: attachment files that vanish or change are errors, not silent damage")
{
    CHECK_THROWS_AS(message_builder().attach_file("/nonexistent/pigeon/file.bin"), compose_error);
    try {
        message_builder().attach_file(std::filesystem::temp_directory_path());
        FAIL("a directory was accepted");
    } catch (const compose_error& e) {
        CHECK(e.code() == compose_errc::file_error);
    }
    tc::temp_file f("grow.bin", std::string(10000, 'g'));
    auto m = message_builder(seeded()).from("a@example.org").attach_file(f.path()).build();
    CHECK(m.str().size() == *m.size());
    f.append("more");
    try {
        (void)m.str();
        FAIL("a grown file was sent");
    } catch (const compose_error& e) {
        CHECK(e.code() == compose_errc::file_changed);
    }
    f.write("short");
    auto src = m.source();
    char buf[512];
    CHECK_THROWS_AS(
        [&] {
            while (src(buf, sizeof buf) != 0) {
            }
        }(),
        compose_error);
    std::filesystem::remove(f.path());
    try {
        (void)m.str();
        FAIL("a removed file was sent");
    } catch (const compose_error& e) {
        CHECK(e.code() == compose_errc::file_error);
    }
    // A file cannot be sent unencoded (it would need a second read).
    attachment_options raw;
    raw.encoding = compose_encoding::seven_bit;
    tc::temp_file g("g.txt", "text");
    CHECK_THROWS_AS(message_builder().attach_file(g.path(), raw), compose_error);
}

TEST_CASE("compose: a file sent quoted-printable on request keeps its bytes")
{
    const std::string content = "line one\r\nline two has a bare\nLF and = sign \r\n" + std::string(300, 'z');
    tc::temp_file f("doc.txt", content);
    attachment_options o;
    o.encoding = compose_encoding::quoted_printable;
    o.charset = "us-ascii";
    auto m = message_builder(seeded()).from("a@example.org").attach_file(f.path(), o).build();
    CHECK_FALSE(m.size().has_value()); // not known without reading the file
    const auto parts = parts_of(top(m));
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].get("Content-Type") == "text/plain; charset=us-ascii; name=doc.txt");
    CHECK(decode_body(parts[0]) == content);
    CHECK(tc::max_line(parts[0].body) <= 76);
}

TEST_CASE("compose: explicit encodings for data are checked against the content")
{
    attachment_options seven;
    seven.encoding = compose_encoding::seven_bit;
    CHECK_NOTHROW(message_builder().attach_data("a.txt", "ascii\r\n", seven));
    CHECK_THROWS_AS(message_builder().attach_data("a.txt", "caf\xc3\xa9", seven), compose_error);
    CHECK_THROWS_AS(message_builder().attach_data("a.txt", std::string(1200, 'x'), seven), compose_error);
    attachment_options b64;
    b64.encoding = compose_encoding::base64;
    auto m = message_builder(seeded()).from("a@example.org").attach_data("a.txt", "hi", b64).build();
    CHECK(parts_of(top(m))[0].get("Content-Transfer-Encoding") == "base64");
    attachment_options mt;
    mt.media_type = "not a type";
    CHECK_THROWS_AS(message_builder().attach_data("a.bin", "x", mt), compose_error);
    CHECK_THROWS_AS(message_builder().attach_data("", "x"), compose_error);
}

TEST_CASE("compose: non-ASCII subject and display names are RFC 2047-encoded and folded")
{
    std::string subject = "R\xc3\xa9union tr\xc3\xa8s importante: ";
    for (int i = 0; i < 8; ++i) subject += "\xc3\xa9l\xc3\xa9ment " + std::to_string(i) + " ";
    auto m = message_builder(seeded())
                 .from("Andr\xc3\xa9 M\xc3\xbcller <andre@example.org>")
                 .to("\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e <yamada@example.jp>")
                 .subject(subject)
                 .header("X-Note", "\xc3\xa7" "a va")
                 .text("x")
                 .build();
    check_invariants(m);
    const auto e = top(m);
    CHECK(tc::decode_header_text(e.get("Subject")) == subject);
    const std::string from = e.get("From");
    CHECK(from.substr(from.find(" <")) == " <andre@example.org>");
    CHECK(tc::decode_header_text(from.substr(0, from.find(" <"))) == "Andr\xc3\xa9 M\xc3\xbcller");
    const std::string to = e.get("To");
    CHECK(to.substr(to.find(" <")) == " <yamada@example.jp>");
    CHECK(tc::decode_header_text(to.substr(0, to.find(" <"))) == "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e");
    CHECK(tc::decode_header_text(e.get("X-Note")) == "\xc3\xa7" "a va");
}

TEST_CASE("compose: internationalised addresses need the smtputf8 option")
{
    const std::string idn = "J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbc" "cher.example>";
    try {
        message_builder().to(idn);
        FAIL("accepted without smtputf8");
    } catch (const compose_error& e) {
        CHECK(e.code() == compose_errc::needs_smtputf8);
    }
    compose_options o = seeded();
    o.smtputf8 = true;
    auto m = message_builder(o).from("a@example.org").to(idn).text("hi").build();
    CHECK(m.needs_smtputf8());
    CHECK(m.needs_8bitmime());
    CHECK(m.envelope_recipients() == std::vector<std::string>{"j\xc3\xb6rg@b\xc3\xbc" "cher.example"});
    check_invariants(m, true);
    CHECK(top(m).get("To").find("<j\xc3\xb6rg@b\xc3\xbc" "cher.example>") != std::string::npos);
}

TEST_CASE("media types from file names")
{
    CHECK(media_type_for_filename("report.PDF") == "application/pdf");
    CHECK(media_type_for_filename("/tmp/a.tar.gz") == "application/gzip");
    CHECK(media_type_for_filename("photo.jpeg") == "image/jpeg");
    CHECK(media_type_for_filename("README") == "application/octet-stream");
    CHECK(media_type_for_filename(".bashrc") == "application/octet-stream");
    CHECK(media_type_for_filename("x.unknownext", false) == "application/octet-stream");
    CHECK(is_valid_media_type("text/plain"));
    CHECK_FALSE(is_valid_media_type("text"));
    CHECK_FALSE(is_valid_media_type("text/pl ain"));
}
