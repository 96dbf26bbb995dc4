// pigeon sendmail through the real lab: cron's command line (-t, Bcc
// stripped but delivered), git send-email --sendmail-cmd, PHP's mail(), and
// a body whose dots and line ends must survive; the account comes from a
// configuration file.
#include <doctest/doctest.h>

#include "integration/send_lab.hpp"

using namespace pigeon::test;
using namespace pigeon::test::send_lab;

TEST_CASE("sendmail: a cron-style message (-t, Bcc) reaches To and Bcc, no copy shows Bcc") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("cron");
    const std::string msg =
        "From: root (Cron Daemon)\n"
        "To: alice@lab.test\n"
        "Bcc: bob@lab.test\n"
        "Subject: Cron <root@lab> /usr/local/bin/nightly " + token + "\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "X-Cron-Env: <SHELL=/bin/sh>\n"
        "X-Cron-Env: <HOME=/root>\n"
        "\n"
        "nightly: 3 files rotated – ok\n";
    // cronie's exact command line.
    auto r = run_pigeon(dir, {"sendmail", "--config", cfg, "-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f",
                              "root"},
                        {}, msg);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* user : {"alice", "bob"}) {
        CAPTURE(user);
        const std::string path = wait_for_mail(dir, user, token);
        REQUIRE(!path.empty());
        const std::string raw = read_file(path);
        auto head = raw.substr(0, raw.find("\n\n"));
        CHECK(head.find("\nBcc:") == std::string::npos);
        CHECK(head.find("bob@lab.test") == std::string::npos);
        CHECK(head.find("\nDate: ") != std::string::npos);
        CHECK(head.find("\nMessage-ID: <") != std::string::npos);
        auto v = python_view(path);
        CHECK(v["has_bcc"] == false);
        CHECK(v["text"] == "nightly: 3 files rotated – ok\n");
        auto g = gmime_view(path);
        CHECK(g["has_bcc"] == false);
    }
}

TEST_CASE("sendmail: git send-email --sendmail-cmd delivers a patch") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("patch");
    const std::string repo = dir.path() + "/repo";
    std::map<std::string, std::string> genv{{"HOME", dir.path()},
                                            {"XDG_CONFIG_HOME", dir.path() + "/xdg"},
                                            {"GIT_CONFIG_NOSYSTEM", "1"},
                                            {"GIT_AUTHOR_NAME", "Alice Lab"},
                                            {"GIT_AUTHOR_EMAIL", "alice@lab.test"},
                                            {"GIT_COMMITTER_NAME", "Alice Lab"},
                                            {"GIT_COMMITTER_EMAIL", "alice@lab.test"},
                                            {"PIGEON_CONFIG", ""},
                                            {"PIGEON_SERVER", ""},
                                            {"PIGEON_PASSWORD", ""}};
    auto git = [&](std::vector<std::string> args) {
        process_options o;
        o.timeout = std::chrono::seconds(120);
        o.env = genv;
        args.insert(args.begin(), {"-C", repo});
        return run_process("/usr/bin/git", args, o);
    };
    std::filesystem::create_directories(repo);
    REQUIRE(git({"init", "-q"}).exit_code == 0);
    dir.write("repo/hello.c", "int main(void) { return 0; }\n");
    REQUIRE(git({"add", "hello.c"}).exit_code == 0);
    REQUIRE(git({"commit", "-q", "-m", "initial"}).exit_code == 0);
    dir.write("repo/hello.c", "int main(void) { return 1; }\n.\n");
    REQUIRE(git({"commit", "-q", "-a", "-m", "fix: return 1 " + token}).exit_code == 0);

    const std::string cmd = "'" + pigeon_cli() + "' sendmail --config '" + cfg + "'";
    auto r = git({"send-email", "--to", "alice@lab.test", "--from", "Alice Lab <alice@lab.test>", "--sendmail-cmd",
                  cmd, "--confirm=never", "--suppress-cc=all", "--no-validate", "--quiet", "HEAD^..HEAD"});
    INFO("git send-email: " << r.exit_code << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string path = wait_for_mail(dir, "alice", token);
    REQUIRE(!path.empty());
    auto v = python_view(path);
    CHECK(v["subject"] == "[PATCH] fix: return 1 " + token);
    CHECK(v["from_addr"] == "alice@lab.test");
    const std::string text = v["text"];
    CHECK(text.find("-int main(void) { return 0; }") != std::string::npos);
    CHECK(text.find("+int main(void) { return 1; }\n+.\n") != std::string::npos);
}

TEST_CASE("sendmail: PHP mail() style (-t -i) through implicit TLS, From added from the account") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submissions_port, lab::bob,
                                             "[aliases]\nwebmaster = \"alice@lab.test\"\n");
    const std::string token = unique_token("php");
    auto r = run_pigeon(dir, {"sendmail", "-t", "-i"}, {{"PIGEON_CONFIG", cfg}},
                        "To: webmaster\nSubject: contact form " + token +
                            "\nX-PHP-Originating-Script: 1000:contact.php\nMIME-Version: 1.0\n"
                            "Content-Type: text/plain; charset=UTF-8\n\nName: Zoë\nMessage: hello\n");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string path = wait_for_mail(dir, "alice", token);
    REQUIRE(!path.empty());
    auto v = python_view(path);
    CHECK(v["from_addr"] == "bob@lab.test");
    CHECK(v["text"] == "Name: Zoë\nMessage: hello\n");
}

TEST_CASE("sendmail -i: bare LF/CR and dot lines arrive as meant, one unknown recipient -> 67") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("smdots");
    const std::string msg = "Subject: " + token + "\r\n\r\nA\nB\rC\r\n.\r\n.\nD\n..E\nlast";
    auto r = run_pigeon(dir, {"sendmail", "--config", cfg, "-i", "alice@lab.test", std::string(lab::unknown_address),
                              "bob@lab.test"},
                        {}, msg);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 67);
    CHECK(r.err.find(std::string(lab::unknown_address)) != std::string::npos);
    for (const char* user : {"alice", "bob"}) {
        CAPTURE(user);
        const std::string path = wait_for_mail(dir, user, token);
        REQUIRE(!path.empty());
        const std::string raw = read_file(path);
        CHECK(raw.substr(raw.find("\n\n") + 2) == "A\nB\nC\n.\n.\nD\n..E\nlast\n");
    }
}
