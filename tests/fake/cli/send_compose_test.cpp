// pigeon send --dry-run: what would be sent parses back (pigeon's own MIME
// reader) to the same subject, texts, inline image and attachments; header
// injection through any option is refused before anything is written.
#include <doctest/doctest.h>

#include "fake/cli/send_support.hpp"
#include "pigeon/mime/builder.hpp"
#include "pigeon/mime/reader.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;

namespace {

std::string decoded(const pigeon::mime::message& m, const pigeon::mime::entity& e) {
    std::string out;
    pigeon::mime::decode_body(m, e, [&out](std::string_view b) { out.append(b); });
    return out;
}

std::string binary_blob(std::size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 12345;
    for (auto& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 23);
    }
    return s;
}

} // namespace

TEST_CASE("send --dry-run: text + HTML + inline image + attachments parse back exactly") {
    temp_dir dir;
    const std::string png = "\x89PNG\r\n\x1a\n" + binary_blob(3000);
    const std::string pdf = binary_blob(70000);
    auto img = dir.write("logo.png", png);
    auto att1 = dir.write("report.pdf", pdf);
    auto att2 = dir.write("notes.txt", "plain notes\n");
    auto html = dir.write("body.html", "<p>Hi <img src=\"cid:logo.png\" alt=x></p>\n");
    auto r = run_pigeon(dir, {"send", "--dry-run", "--from", "Zoë Ümlaut <zoe@example.org>", "--to",
                              "\"Doe, John\" <john@example.org>, mary@example.org", "--cc", "Ĉu Ne <cu@example.org>",
                              "--bcc", "secret@example.org", "-s", "Grüße – résumé", "--body",
                              "Hello,\nsee the attachments.\n", "--html", html, "--inline", img, "--attach", att1,
                              "--attach", att2, "--header", "X-Mailer-Test: yes", "--reply-to", "list@example.org"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());

    // Every line ends in CRLF and no line is longer than 998 octets.
    std::size_t start = 0;
    bool crlf = true, short_lines = true;
    while (start < r.out.size()) {
        auto nl = r.out.find('\n', start);
        if (nl == std::string::npos) break;
        if (nl == 0 || r.out[nl - 1] != '\r') crlf = false;
        if (nl - start > 1000) short_lines = false;
        start = nl + 1;
    }
    CHECK(crlf);
    CHECK(short_lines);
    CHECK_FALSE(contains(r.out, "secret@example.org"));
    CHECK_FALSE(contains(r.out, "\nBcc:"));

    auto m = pigeon::mime::parse_message(r.out);
    pigeon::mime::message_reader rd(m);
    CHECK(rd.subject() == "Grüße – résumé");
    auto from = rd.from().mailboxes();
    REQUIRE(from.size() == 1);
    CHECK(from[0].display_name == "Zoë Ümlaut");
    CHECK(from[0].address() == "zoe@example.org");
    auto to = rd.to().mailboxes();
    REQUIRE(to.size() == 2);
    CHECK(to[0].display_name == "Doe, John");
    CHECK(rd.cc().mailboxes().at(0).display_name == "Ĉu Ne");
    CHECK(rd.header_text("X-Mailer-Test") == "yes");
    CHECK(rd.reply_to().mailboxes().at(0).address() == "list@example.org");
    CHECK(rd.text_body() == "Hello,\r\nsee the attachments.\r\n");
    CHECK(rd.html_body().find("<p>Hi <img src=\"cid:") != std::string::npos);

    const auto& atts = rd.attachments();
    REQUIRE(atts.size() == 3);
    const pigeon::mime::attachment_info* logo = nullptr;
    for (const auto& a : atts) {
        if (a.filename == "logo.png") logo = &a;
        if (a.filename == "report.pdf") {
            CHECK(a.mime_type == "application/pdf");
            CHECK(decoded(m, *a.part) == pdf);
        }
        if (a.filename == "notes.txt") CHECK(decoded(m, *a.part) == "plain notes\n");
    }
    REQUIRE(logo != nullptr);
    CHECK(logo->is_inline);
    CHECK(logo->mime_type == "image/png");
    CHECK(decoded(m, *logo->part) == png);
    // The HTML refers to the image by its generated Content-ID.
    REQUIRE_FALSE(logo->content_id.empty());
    CHECK(rd.html_body().find("cid:" + logo->content_id + "\"") != std::string::npos);
}

TEST_CASE("send --dry-run: --body @FILE and --body - read the text") {
    temp_dir dir;
    auto body = dir.write("b.txt", "from a file\n");
    auto r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@example.org", "--to", "b@example.org", "--body",
                              "@" + body});
    REQUIRE(r.exit_code == 0);
    CHECK(pigeon::mime::message_reader(pigeon::mime::parse_message(r.out)).text_body() == "from a file\r\n");
    r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@example.org", "--to", "b@example.org", "--body", "-"}, {},
                   "from stdin\n");
    REQUIRE(r.exit_code == 0);
    auto m = pigeon::mime::parse_message(r.out);
    CHECK(pigeon::mime::message_reader(m).text_body() == "from stdin\r\n");
}

TEST_CASE("send --dry-run: an inline image the HTML does not mention gets a warning") {
    temp_dir dir;
    auto img = dir.write("pic.jpg", "jpeg");
    auto html = dir.write("h.html", "<p>no image here; cid:pic.jpgx is another name</p>");
    auto r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@example.org", "--to", "b@example.org", "--html", html,
                              "--inline", img});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "does not refer to cid:pic.jpg"));
    CHECK(contains(r.out, "cid:pic.jpgx"));
}

TEST_CASE("send: header injection through any option is refused, nothing written") {
    temp_dir dir;
    const std::vector<std::string> base{"send", "--dry-run"};
    struct vec {
        const char* what;
        std::vector<std::string> args;
    };
    auto crlf_file = dir.write("evil\r\nBcc: x@evil.example.txt", "x");
    auto lf_file = dir.write("evil\nX-Injected: yes.png", "x");
    auto html = dir.write("h.html", "<img src=\"cid:x\">");
    std::vector<vec> vectors = {
        {"subject CRLF", {"--from", "a@example.org", "--to", "b@example.org", "-s", "hi\r\nBcc: x@evil.example"}},
        {"subject LF", {"--from", "a@example.org", "--to", "b@example.org", "-s", "hi\nX-Injected: yes"}},
        {"subject CR", {"--from", "a@example.org", "--to", "b@example.org", "-s", "hi\rX-Injected: yes"}},
        {"to CRLF", {"--from", "a@example.org", "--to", "b@example.org\r\nBcc: x@evil.example"}},
        {"to display name LF", {"--from", "a@example.org", "--to", "\"B\nX: y\" <b@example.org>"}},
        {"cc LF", {"--from", "a@example.org", "--to", "b@example.org", "--cc", "c@example.org\nX: y"}},
        {"bcc CR", {"--from", "a@example.org", "--to", "b@example.org", "--bcc", "c@example.org\rX: y"}},
        {"from CRLF", {"--from", "a@example.org\r\nX-Injected: yes", "--to", "b@example.org"}},
        {"from name LF", {"--from", "Ann\nX-Injected: yes <a@example.org>", "--to", "b@example.org"}},
        {"reply-to LF", {"--from", "a@example.org", "--to", "b@example.org", "--reply-to", "r@example.org\nX: y"}},
        {"header value CRLF", {"--from", "a@example.org", "--to", "b@example.org", "--header",
                               "X-Test: a\r\nBcc: x@evil.example"}},
        {"header value LF", {"--from", "a@example.org", "--to", "b@example.org", "--header", "X-Test: a\nX-B: c"}},
        {"header name with space", {"--from", "a@example.org", "--to", "b@example.org", "--header", "X Bad: v"}},
        {"header NUL-free CR in name", {"--from", "a@example.org", "--to", "b@example.org", "--header", "X\rB: v"}},
        {"reserved header", {"--from", "a@example.org", "--to", "b@example.org", "--header", "Bcc: x@evil.example"}},
        {"attachment name CRLF", {"--from", "a@example.org", "--to", "b@example.org", "--attach", crlf_file}},
        {"inline name LF", {"--from", "a@example.org", "--to", "b@example.org", "--html", html, "--inline", lf_file}},
        {"envelope-from LF", {"--from", "a@example.org", "--to", "b@example.org", "--envelope-from",
                              "a@example.org\nRCPT TO:<x@evil.example>"}},
    };
    for (const auto& v : vectors) {
        auto args = base;
        args.insert(args.end(), v.args.begin(), v.args.end());
        args.insert(args.end(), {"--body", "x"});
        auto r = run_pigeon(dir, args);
        INFO(v.what << ": exit " << r.exit_code << ", stderr: " << r.err);
        CHECK((r.exit_code == 65 || r.exit_code == 64));
        CHECK(r.out.empty());
        CHECK_FALSE(r.err.empty());
        // The message names the problem without echoing raw control bytes.
        CHECK(r.err.find('\r') == std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 2);
    }
}

TEST_CASE("send: body text is not a header: CR/LF and dot lines in it are fine") {
    temp_dir dir;
    auto r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@example.org", "--to", "b@example.org", "--body",
                              "Bcc: not-a-header@example.org\r\n.\r\nend"});
    REQUIRE(r.exit_code == 0);
    auto m = pigeon::mime::parse_message(r.out);
    pigeon::mime::message_reader rd(m);
    // A single-part body gets its final line end from the composer.
    CHECK(rd.text_body() == "Bcc: not-a-header@example.org\r\n.\r\nend\r\n");
    CHECK(rd.bcc().mailboxes().empty());
}
