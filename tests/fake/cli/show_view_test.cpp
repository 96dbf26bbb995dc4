// pigeon show, the reader's view: exact output for corpus messages, every
// corpus and malformed file shown without a crash, HTML-only messages
// reduced to text, --headers, standard input, exit codes, binary junk and
// terminal escape injection.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <thread>
#include <string>

#include "show_support.hpp"

using namespace pigeon::test;
using namespace pigeon::test::show;

TEST_CASE("show: exact view of a quoted-printable text message (plain-qp.eml)") {
    auto r = run_show({corpus("plain-qp.eml")});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "From: Alic\xc3\xa9 Martin <alice@example.org>\n"
          "To: Bob <bob@example.net>, \"Carol, C.\" <carol@example.net>\n"
          "Date: Tue, 02 Jan 2024 10:00:00 +0100\n"
          "Subject: Caf\xc3\xa9 \xc3\xa0 Paris \xe2\x82\xac\n"
          "\n"
          "Bonjour Bob,\n"
          "\n"
          "Le caf\xc3\xa9 co\xc3\xbbte 3 \xe2\x82\xac. Une tr\xc3\xa8s longue ligne qui doit \xc3\xaatre "
          "coup\xc3\xa9" "e par un saut de ligne doux.\n"
          "-- \n"
          "Alice\n");
}

TEST_CASE("show: exact view with inline parts and attachments (related-inline.eml)") {
    auto r = run_show({corpus("related-inline.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "From: design@example.com\n"
          "To: client@example.net\n"
          "Date: Fri, 05 Jan 2024 09:00:00 +0200\n"
          "Subject: Mockup\n"
          "\n"
          "See the mockup below.\n"
          "\n"
          "Attachments:\n"
          "  [1.2.2] image/png, 108 bytes, inline, cid:logo@example.com\n"
          "  [2] \"data.csv\" text/csv, 8 bytes\n");
}

TEST_CASE("show: exact view of an RFC 2231 attachment and an obsolete Latin-1 message") {
    auto r = run_show({corpus("attachment-2231.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "From: Alice <alice@example.org>\n"
          "To: bob@example.net\n"
          "Date: Thu, 04 Jan 2024 12:00:00 +0000\n"
          "Subject: Report\n"
          "\n"
          "See the attached report. \xc3\x89t\xc3\xa9.\n"
          "\n"
          "Attachments:\n"
          "  [2] \"r\xc3\xa9sum\xc3\xa9 .pdf\" application/pdf, 2048 bytes (2.0 KiB)\n");
    r = run_show({corpus("latin1-obsolete.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "From: Jos\xc3\xa9 <jose@example.es>\n"
          "To: undisclosed-recipients:;\n"
          "Date: Sun, 07 Jan 2024 10:00:00 -0500\n"
          "Subject: Ol\xc3\xa1 Jos\xc3\xa9\n"
          "\n"
          "Ol\xc3\xa1, ma\xc3\xb1" "ana.\n");
}

TEST_CASE("show: enclosed messages are listed with their subjects (digest.eml, forwarded.eml)") {
    auto r = run_show({corpus("digest.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "From: list@example.org\n"
          "To: subscriber@example.net\n"
          "Subject: List digest, Vol 1, Issue 2\n"
          "\n"
          "Attachments:\n"
          "  [1] message/rfc822, 51 bytes, subject \"first\"\n"
          "  [2] message/rfc822, 137 bytes, subject \"second\"\n");
    r = run_show({corpus("forwarded.eml")});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "\nForwarding this.\n\nAttachments:\n  [2] message/rfc822, 229 bytes, inline, subject \"Report\"\n"));
}

TEST_CASE("show: alternative with only HTML is reduced to text") {
    temp_dir d;
    const std::string msg =
        "From: news@example.com\r\n"
        "Subject: HTML only\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
        "\r\n"
        "--alt\r\n"
        "Content-Type: text/html; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "<html><head><title>ignored</title><style>p {color: red}</style></head><body>\r\n"
        "<h1>Caf=E9 news</h1><p>First&nbsp;line<br>second line with a\r\n"
        "<a href=3D\"https://example.org/a?x=3D1&amp;y=3D2\">link</a>.</p>\r\n"
        "<ul><li>one</li><li>two &amp; three</li></ul>\r\n"
        "<blockquote>quoted</blockquote><script>alert('x')</script>\r\n"
        "<p>Escape: &#27;[2J done</p></body></html>\r\n"
        "--alt--\r\n";
    auto r = run_show({d.write("html.eml", msg)});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "From: news@example.com\n"
          "Subject: HTML only\n"
          "\n"
          "Caf\xc3\xa9 news\n"
          "\n"
          "First line\n"
          "second line with a link <https://example.org/a?x=1&y=2>.\n"
          "\n"
          "* one\n"
          "* two & three\n"
          "\n"
          "> quoted\n"
          "\n"
          "Escape: \xef\xbf\xbd[2J done\n");
}

TEST_CASE("show: a single-part HTML message and one without any body") {
    temp_dir d;
    auto r = run_show({d.write("h.eml", "Content-Type: text/html\r\n\r\n<p>Hello <i>there</i></p>\r\n")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "Hello there\n");
    r = run_show({d.write("b.eml", "Subject: only a header\r\n")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "Subject: only a header\n\n");
}

TEST_CASE("show: every corpus and malformed message is shown without a crash") {
    namespace fs = std::filesystem;
    int files = 0;
    for (const char* dir : {"", "malformed/"}) {
        for (const auto& e : fs::directory_iterator(corpus(dir))) {
            if (e.path().extension() != ".eml") continue;
            ++files;
            const std::string path = e.path().string();
            const bool empty = fs::file_size(e.path()) == 0;
            for (std::vector<std::string> extra : {std::vector<std::string>{}, {"--headers"}, {"--json"}}) {
                extra.insert(extra.begin(), path);
                auto r = run_show(extra);
                INFO(path << " " << (extra.size() > 1 ? extra[1] : "") << " stderr: " << r.err);
                CHECK_FALSE(r.timed_out);
                CHECK(r.exit_code == (empty ? 65 : 0));
                if (!empty) CHECK(r.err.empty());
                for (char c : r.out) {
                    auto u = static_cast<unsigned char>(c);
                    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
                        FAIL("control character " << int(u) << " in the output");
                        break;
                    }
                }
            }
        }
    }
    CHECK(files >= 19);
}

TEST_CASE("show: malformed messages give their best-effort view") {
    auto r = run_show({corpus("malformed/eight-bit-headers.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "From: J\xc3\xb6rg <joerg@example.de>\n"
                   "Subject: caf\xc3\xa9 and \xc3\xa9t\xc3\xa9\n"
                   "\n"
                   "X-Bin\xc3\xa4r: not a header name, so the body starts here\n"
                   "Content-Type: text/plain\n"
                   "\n"
                   "body\n");
    r = run_show({corpus("malformed/bad-base64.eml")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "Attachments:\n  [0] application/octet-stream, 11 bytes\n");
    r = run_show({corpus("malformed/missing-final-boundary.eml")});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Subject: missing close\n"));
    r = run_show({corpus("malformed/deep-nesting-200.eml")});
    CHECK(r.exit_code == 0);
}

TEST_CASE("show --headers: every field, unfolded and decoded") {
    auto r = run_show({corpus("plain-qp.eml"), "--headers"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("Return-Path: <alice@example.org>\n"
                      "Received: from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net with ESMTPS "
                      "id 12345 for <bob@example.net>; Tue, 2 Jan 2024 10:00:00 +0100\n"
                      "From: Alic\xc3\xa9 Martin <alice@example.org>\n",
                      0) == 0);
    CHECK(contains(r.out, "\nSubject: Caf\xc3\xa9 \xc3\xa0 Paris \xe2\x82\xac\n"));
    CHECK(contains(r.out, "\nContent-Transfer-Encoding: quoted-printable\n\nBonjour Bob,\n"));
}

TEST_CASE("show: standard input, pipes and FIFOs") {
    const std::string msg = read_file(corpus("related-inline.eml"));
    auto from_file = run_show({corpus("related-inline.eml")});
    auto r = run_show({"-"}, msg);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == from_file.out);
    r = run_show({"-", "--json"}, msg);
    CHECK(r.exit_code == 0);
    CHECK(r.out == run_show({corpus("related-inline.eml"), "--json"}).out);
    r = run_show({"-"}, "");
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, "standard input is empty"));
    // A FIFO given by name is copied like standard input.
    temp_dir d;
    std::string fifo = d.file("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::ofstream f(fifo, std::ios::binary);
        f << msg;
    });
    r = run_show({fifo});
    writer.join();
    CHECK(r.exit_code == 0);
    CHECK(r.out == from_file.out);
    // TMPDIR is honoured for the copy; an unusable one is an I/O error.
    process_options o;
    o.input = msg;
    o.env = {{"TMPDIR", d.file("missing-dir")}};
    r = run_process(pigeon_cli(), {"show", "-"}, o);
    CHECK(r.exit_code == 74);
    CHECK(contains(r.err, "temporary file"));
}

TEST_CASE("show: exit codes for usage, missing and empty input") {
    temp_dir d;
    auto r = run_show({});
    CHECK(r.exit_code == 64);
    r = run_show({d.file("missing.eml")});
    CHECK(r.exit_code == 66);
    CHECK(contains(r.err, "missing.eml"));
    r = run_show({d.path()});
    CHECK(r.exit_code == 66);
    CHECK(contains(r.err, "directory"));
    r = run_show({corpus("malformed/empty.eml")});
    CHECK(r.exit_code == 65);
    r = run_show({corpus("plain-qp.eml"), "--json", "--headers"});
    CHECK(r.exit_code == 64);
    r = run_show({corpus("plain-qp.eml"), "--part", "1", "--json"});
    CHECK(r.exit_code == 64);
    r = run_show({corpus("plain-qp.eml"), "--part", "1", "--save-attachments", d.path()});
    CHECK(r.exit_code == 64);
    r = run_show({corpus("plain-qp.eml"), "--no-such-option"});
    CHECK(r.exit_code == 64);
    if (::geteuid() != 0) { // root reads anything
        std::string locked = d.write("locked.eml", "Subject: x\r\n\r\nx\r\n");
        ::chmod(locked.c_str(), 0);
        r = run_show({locked});
        CHECK(r.exit_code == 66);
    }
}

TEST_CASE("show: terminal escape injection is printed escaped") {
    temp_dir d;
    // Raw ESC in the Subject is replaced by the decoder; encoded C1 CSI
    // (U+009B) and ESC in the body and in a file name reach the CLI, which
    // escapes them.
    const std::string msg =
        "From: =?utf-8?q?Evil=C2=9B2J?= <evil@example.org>\r\n"
        "Subject: \x1b[2Jraw =?utf-8?q?and=1B]0;title=07_encoded=C2=9B31m?=\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n"
        "\r\n"
        "--b\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "body \x1b[2J clear \x1b]0;title\x07 bell \xc2\x9b" "31m csi \r\n"
        "--b\r\n"
        "Content-Type: application/octet-stream; name=\"x\xc2\x9b" "1mname\"\r\n"
        "Content-ID: <id\x1b[5m@x>\r\n"
        "\r\n"
        "data\r\n"
        "--b--\r\n";
    const std::string path = d.write("evil.eml", msg);
    for (auto args : {std::vector<std::string>{path}, {path, "--headers"}}) {
        auto r = run_show(args);
        CHECK(r.exit_code == 0);
        INFO(r.out);
        CHECK_FALSE(contains(r.out, "\x1b"));
        CHECK_FALSE(contains(r.out, "\x07"));
        CHECK_FALSE(contains(r.out, "\xc2\x9b"));
        CHECK(contains(r.out, "\\xc2\\x9b"));
        CHECK(contains(r.out, "body \\x1b[2J clear \\x1b]0;title\\x07 bell \\xc2\\x9b31m csi \n"));
    }
    auto r = run_show({path});
    CHECK(contains(r.out, "Subject: \xef\xbf\xbd[2Jraw and\xef\xbf\xbd]0;title\xef\xbf\xbd encoded\\xc2\\x9b31m\n"));
    CHECK(contains(r.out, "\"x\\xc2\\x9b1mname\" application/octet-stream, 4 bytes, cid:id\\x1b[5m@x\n"));
    // On a real terminal too.
    r = show_on_terminal({path});
    CHECK(r.exit_code == 0);
    CHECK_FALSE(contains(r.out, "\x1b"));
    CHECK(contains(r.out, "body \\x1b[2J clear"));
}

TEST_CASE("show: binary junk and huge lines never crash or hang") {
    temp_dir d;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        std::string junk = random_bytes(20000 + seed * 977, seed);
        if (seed % 2 == 0) junk = "Content-Type: multipart/mixed; boundary=\"\x01\"\r\n\r\n" + junk;
        if (seed % 3 == 0) junk = "Content-Type: text/html\r\n\r\n<p>" + junk;
        auto path = d.write("junk" + std::to_string(seed) + ".eml", junk);
        for (std::vector<std::string> args : {std::vector<std::string>{path}, {path, "--json"}, {path, "--headers"}}) {
            auto r = run_show(args);
            INFO("seed " << seed << " " << args.back() << ": " << r.err);
            CHECK_FALSE(r.timed_out);
            CHECK(r.exit_code == 0);
            CHECK_FALSE(contains(r.out, "\x1b"));
        }
    }
    // A 5 MB line without a line end in the text body, and in HTML.
    std::string long_line = "Subject: long\r\n\r\n" + std::string(5 << 20, 'x');
    auto r = run_show({d.write("long.eml", long_line)});
    CHECK(r.exit_code == 0);
    CHECK(r.out.size() == 5u * 1024 * 1024 + std::string("Subject: long\n\n\n").size());
    r = run_show({d.write("long.html.eml", "Content-Type: text/html\r\n\r\n<p>" + std::string(3 << 20, 'y'))});
    CHECK(r.exit_code == 0);
    CHECK(r.out.size() == 3u * 1024 * 1024 + 1);
}
