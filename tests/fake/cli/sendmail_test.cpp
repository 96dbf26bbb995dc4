// pigeon sendmail (and the binary run as "sendmail") against scripted
// servers: -t with Bcc removed, added From/Date/Message-ID, cron's and git's
// command lines, dot handling with and without -i, bare names and aliases,
// historic flags, usage errors.
#include <doctest/doctest.h>

#include "fake/cli/send_support.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;

namespace {

std::map<std::string, std::string> env_for(const script_server& s, std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> e{{"PIGEON_SERVER", "smtp://127.0.0.1:" + std::to_string(s.port())},
                                         {"PIGEON_TLS", "none"}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
}

const char* const cron_message =
    "To: alice@example.org\n"
    "Cc: Carol <carol@example.org>\n"
    "Bcc: bob@example.org\n"
    "Subject: Cron <root@host> run-parts\n"
    "X-Cron-Env: <SHELL=/bin/sh>\n"
    "\n"
    "output of the job\n"
    ".a line starting with a dot\n";

} // namespace

TEST_CASE("sendmail: cron's command line: -t takes To/Cc/Bcc, Bcc removed, From/Date/Message-ID added") {
    temp_dir dir;
    auto s = script_server::from_file("cli/sendmail_t_bcc.txt");
    // cronie: sendmail -FCronDaemon -i -odi -oem -oi -t -f root
    dir.write("xdg/pigeon/config.toml", "[accounts.cron]\ndomain = \"example.org\"\n", 0600);
    auto r = run_pigeon(dir, {"sendmail", "-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f", "root"}, env_for(s),
                        cron_message);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    for (const auto& l : res.client_lines) CHECK(l.find("Bcc") == std::string::npos);
}

TEST_CASE("sendmail: invoked as sendmail (argv 0), Debian cron style with -B8BITMIME") {
    temp_dir dir;
    auto s = script_server::from_file("cli/sendmail_t_bcc.txt");
    dir.write("xdg/pigeon/config.toml", "[accounts.cron]\ndomain = \"example.org\"\n", 0600);
    auto r = run_pigeon(dir, {"-FCronDaemon", "-B8BITMIME", "-oem", "-t", "-froot", "-ti"}, env_for(s), cron_message,
                        "/usr/sbin/sendmail");
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
}

TEST_CASE("sendmail: git send-email style (-i, recipients as arguments): the header unchanged") {
    temp_dir dir;
    auto s = script_server::from_file("cli/sendmail_keep_headers.txt");
    const std::string patch =
        "From: Dev Eloper <dev@example.org>\n"
        "To: alice@example.org\n"
        "Cc: bob@example.org\n"
        "Subject: [PATCH] fix it\n"
        "Date: Thu, 1 Jan 2026 00:00:00 +0000\n"
        "Message-ID: <patch-1@example.org>\n"
        "\n"
        "---\n"
        " a.c | 1 +\n";
    auto r = run_pigeon(dir, {"sendmail", "-i", "alice@example.org", "bob@example.org"}, env_for(s), patch);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
}

TEST_CASE("sendmail: without -i a lone dot line ends the input, with -i it is content") {
    const std::string msg =
        "Subject: dots\r\n"
        "Date: Thu, 1 Jan 2026 00:00:00 +0000\r\n"
        "Message-ID: <dots-1@example.org>\r\n"
        "\r\n"
        "before\r\n"
        ".x\r\n"
        ".\r\n"
        "after\r\n";
    const std::map<std::string, std::string> from{{"PIGEON_FROM", "Alice <alice@example.org>"}};
    {
        temp_dir dir;
        auto s = script_server::from_file("cli/sendmail_dot_ends.txt");
        auto r = run_pigeon(dir, {"sendmail", "bob@example.org"}, env_for(s, from), msg);
        auto res = s.wait();
        INFO("stderr: " << r.err);
        CHECK_MESSAGE(res.ok, res.error);
        CHECK(r.exit_code == 0);
    }
    {
        temp_dir dir;
        auto s = script_server::from_file("cli/sendmail_dot_kept.txt");
        auto r = run_pigeon(dir, {"sendmail", "-oi", "bob@example.org"}, env_for(s, from), msg);
        auto res = s.wait();
        INFO("stderr: " << r.err);
        CHECK_MESSAGE(res.ok, res.error);
        CHECK(r.exit_code == 0);
    }
    {
        // Bare LF input, dot at the very end without a line end: content.
        temp_dir dir;
        script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250 fake
C: MAIL FROM:<alice@example.org>
S: 250 ok
C: RCPT TO:<bob@example.org>
S: 250 ok
C: DATA
S: 354 go
C: Subject: s
C: Date: Thu, 1 Jan 2026 00:00:00 +0000
C: Message-ID: <m@example.org>
C: From: Alice <alice@example.org>
C:
C: a
C: ..
C: .
S: 250 ok
C: QUIT
S: 221 bye
)");
        auto r = run_pigeon(dir, {"sendmail", "bob@example.org"}, env_for(s, from),
                            "Subject: s\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <m@example.org>\n\na\n.");
        auto res = s.wait();
        INFO("stderr: " << r.err);
        CHECK_MESSAGE(res.ok, res.error);
        CHECK(r.exit_code == 0);
    }
}

TEST_CASE("sendmail: PHP mail() style (-t -i), no From: the configured one is added, aliases map bare names") {
    temp_dir dir;
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250 fake
C: MAIL FROM:<www@example.org>
S: 250 ok
C: RCPT TO:<admin@example.net>
S: 250 ok
C: RCPT TO:<ops@example.net>
S: 250 ok
C: RCPT TO:<cc@example.org>
S: 250 ok
C: DATA
S: 354 go
C: To: root
C: Cc: cc
C: Subject: =?UTF-8?B?w6k=?=
C: X-PHP-Originating-Script: 0:mail.php
C: From: Web Site <www@example.org>
C~ Date: .*
C~ Message-ID: <.*@example\.org>
C:
C: body
C: .
S: 250 ok
C: QUIT
S: 221 bye
)");
    dir.write("xdg/pigeon/config.toml",
              "[accounts.web]\nfrom = \"Web Site <www@example.org>\"\n"
              "[aliases]\nroot = [\"admin@example.net\", \"ops@example.net\"]\n",
              0600);
    auto r = run_pigeon(dir, {"sendmail", "-t", "-i"}, env_for(s),
                        "To: root\nCc: cc\nSubject: =?UTF-8?B?w6k=?=\nX-PHP-Originating-Script: 0:mail.php\n\nbody\n");
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
}

TEST_CASE("sendmail: one refused recipient -> exit 67 and the refusal on stderr") {
    temp_dir dir;
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250 PIPELINING
C: MAIL FROM:<alice@example.org>
C: RCPT TO:<bob@example.org>
C: RCPT TO:<nobody@example.org>
S: 250 ok
S: 250 ok
S: 550 5.1.1 no such user
C: DATA
S: 354 go
C: Subject: s
C: Date: Thu, 1 Jan 2026 00:00:00 +0000
C: Message-ID: <m@example.org>
C: From: alice@example.org
C:
C: x
C: .
S: 250 queued as Q1
C: QUIT
S: 221 bye
)");
    auto r = run_pigeon(dir, {"sendmail", "-i", "-f", "alice@example.org", "--", "bob@example.org, nobody@example.org"},
                        env_for(s),
                        "Subject: s\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <m@example.org>\n\nx\n");
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 67);
    CHECK(contains(r.err, "nobody@example.org: 550 5.1.1 no such user"));
}

TEST_CASE("sendmail: a message without a header block, and a long header field folded") {
    temp_dir dir;
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250 fake
C: MAIL FROM:<alice@example.org>
S: 250 ok
C: RCPT TO:<bob@example.org>
S: 250 ok
C: DATA
S: 354 go
C: From: alice@example.org
C~ Date: .*
C~ Message-ID: <.*>
C:
C: just a line, no header
C: .
S: 250 ok
C: QUIT
S: 221 bye
)");
    auto r = run_pigeon(dir, {"sendmail", "-i", "-falice@example.org", "bob@example.org"}, env_for(s),
                        "just a line, no header\n");
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
}

TEST_CASE("sendmail: refusals before any connection") {
    temp_dir dir;
    const std::map<std::string, std::string> env{{"PIGEON_SERVER", "smtp://127.0.0.1:1"},
                                                 {"PIGEON_FROM", "a@example.org"}};
    // No recipients.
    auto r = run_pigeon(dir, {"sendmail", "-i"}, env, "Subject: x\n\nx\n");
    CHECK(r.exit_code == 64);
    r = run_pigeon(dir, {"sendmail", "-t"}, env, "Subject: x\n\nx\n");
    CHECK(r.exit_code == 65);
    // Unsupported modes and unknown flags.
    r = run_pigeon(dir, {"sendmail", "-bs"}, env);
    CHECK(r.exit_code == 64);
    r = run_pigeon(dir, {"sendmail", "-Z", "a@example.org"}, env);
    CHECK(r.exit_code == 64);
    r = run_pigeon(dir, {"sendmail", "-f"}, env);
    CHECK(r.exit_code == 64);
    // A bare name without a domain or alias.
    r = run_pigeon(dir, {"sendmail", "root"}, {{"PIGEON_SERVER", "smtp://127.0.0.1:1"}}, "x\n");
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "root"));
    // Header injection through -F and -f.
    r = run_pigeon(dir, {"sendmail", "-F", "Cron\r\nBcc: x@evil.example", "a@example.org"}, env, "x\n");
    CHECK(r.exit_code == 65);
    r = run_pigeon(dir, {"sendmail", "-f", "a@example.org\r\nRCPT TO:<x@evil.example>", "a@example.org"}, env, "x\n");
    CHECK(r.exit_code == 64);
    r = run_pigeon(dir, {"sendmail", "a@example.org\nRCPT TO:<x@evil.example>"}, env, "x\n");
    CHECK(r.exit_code == 64);
    // No server configured at all.
    r = run_pigeon(dir, {"sendmail", "a@example.org"}, {}, "x\n");
    CHECK(r.exit_code == 78);
    // A header block over 1 MiB.
    std::string big = "Subject: big\n";
    while (big.size() < 1100 * 1024) big += "X-Filler: " + std::string(200, 'x') + "\n";
    r = run_pigeon(dir, {"sendmail", "-i", "a@example.org"}, env, big + "\nbody\n");
    CHECK(r.exit_code == 65);
    // --help
    r = run_pigeon(dir, {"sendmail", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "-t"));
}
