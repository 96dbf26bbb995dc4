// NUL bytes in the message given to pigeon sendmail (SM-04): exit 65 and no
// end of data reaches the server (it sees the connection close in the middle
// of DATA, so nothing is delivered); --strip-nul sends the message without
// them. Also: pigeon send accepts --strip-nul.
#include <doctest/doctest.h>

#include "fake/cli/send_support.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;
using namespace std::string_literals;

namespace {

std::map<std::string, std::string> env_for(const script_server& s) {
    return {{"PIGEON_SERVER", "smtp://127.0.0.1:" + std::to_string(s.port())}, {"PIGEON_TLS", "none"}};
}

const std::string head =
    "From: alice@example.org\n"
    "Subject: s\n"
    "Date: Thu, 1 Jan 2026 00:00:00 +0000\n"
    "Message-ID: <nul-1@example.org>\n"
    "\n";

const char* const until_data = R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250 fake
C: MAIL FROM:<alice@example.org>
S: 250 ok
C: RCPT TO:<bob@example.org>
S: 250 ok
C: DATA
S: 354 go
)";

} // namespace

TEST_CASE("sendmail: a NUL in the body -> exit 65, the server sees no end of data") {
    temp_dir dir;
    script_server s(std::string(until_data) + "EXPECT-CLOSE\n");
    auto r = run_pigeon(dir, {"sendmail", "-i", "bob@example.org"}, env_for(s), head + "bo\0dy\n"s);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, "NUL"));
    CHECK(contains(r.err, "--strip-nul"));
    for (const auto& l : res.client_lines) {
        CHECK(l != ".");
        CHECK(l.find('\0') == std::string::npos);
    }
}

TEST_CASE("sendmail: a NUL in the header block -> exit 65 too") {
    temp_dir dir;
    script_server s(std::string(until_data) + "EXPECT-CLOSE\n");
    auto r = run_pigeon(dir, {"sendmail", "-i", "bob@example.org"}, env_for(s),
                        "From: alice@example.org\nSubject: a\0b\nDate: Thu, 1 Jan 2026 00:00:00 +0000\n"
                        "Message-ID: <nul-2@example.org>\n\nbody\n"s);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 65);
    for (const auto& l : res.client_lines) CHECK(l != ".");
}

TEST_CASE("sendmail --strip-nul: the message arrives without its NULs") {
    temp_dir dir;
    script_server s(std::string(until_data) + R"(
C: From: alice@example.org
C: Subject: s
C: Date: Thu, 1 Jan 2026 00:00:00 +0000
C: Message-ID: <nul-1@example.org>
C:
C: body
C: ..
C: end
C: .
S: 250 ok
C: QUIT
S: 221 bye
)");
    auto r = run_pigeon(dir, {"sendmail", "--strip-nul", "-i", "bob@example.org"}, env_for(s),
                        head + "bo\0dy\n\0.\n\0\0end\0\n"s);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
}

TEST_CASE("sendmail: --strip-nul is a long option only, and --help names it") {
    temp_dir dir;
    auto r = run_pigeon(dir, {"sendmail", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "--strip-nul"));
    r = run_pigeon(dir, {"sendmail", "-strip-nul", "a@example.org"}, {{"PIGEON_SERVER", "smtp://127.0.0.1:1"}}, "x\n");
    CHECK(r.exit_code == 64);
}

TEST_CASE("send: --strip-nul is accepted, text with NUL is base64-encoded, so no NUL reaches the server") {
    temp_dir dir;
    dir.write("body.txt", "hello\0world\n"s);
    auto r = run_pigeon(dir, {"send", "--dry-run", "--strip-nul", "--from", "a@example.org", "--to", "b@example.org",
                              "--body", "@" + dir.path() + "/body.txt"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find('\0') == std::string::npos);
    CHECK(contains(r.out, "Content-Transfer-Encoding: base64"));
}
