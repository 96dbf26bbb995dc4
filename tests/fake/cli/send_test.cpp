// pigeon send against scripted servers: partial success, refusals and their
// exit codes, authentication, TLS requirements, the JSON result, the trace.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "fake/cli/send_support.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;

namespace {

std::string url(const char* scheme, const script_server& s) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(s.port());
}

std::vector<std::string> base_args(const script_server& s, const char* scheme = "smtp") {
    return {"send", "--server", url(scheme, s), "--timeout", "5", "--from", "alice@lab.test"};
}

/// A port on 127.0.0.1 that was free a moment ago: nothing listens there.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("send: one refused recipient of three -> exit 67, the data still sent, the refusal reported") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_rcpt_one_refused.txt");
    auto args = base_args(s);
    args.insert(args.end(), {"--tls", "none", "--to", "bob@lab.test, nobody@lab.test", "--to", "carol@lab.test",
                             "-s", "hello", "--body", "first line\n.dot-stuffed line\n", "--json"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 67);
    CHECK(contains(r.err, "recipient refused: nobody@lab.test: 550"));
    CHECK(contains(r.err, "User unknown in virtual mailbox table"));
    CHECK(contains(r.err, "queued as 4XyZ12"));
    // The header lines as sent.
    auto sent = joined(res.client_lines);
    CHECK(contains(sent, "\nFrom: alice@lab.test\n"));
    CHECK(contains(sent, "\nTo: bob@lab.test, nobody@lab.test, carol@lab.test\n"));
    CHECK(contains(sent, "\nSubject: hello\n"));
    CHECK(contains(sent, "\nMIME-Version: 1.0\n"));
    CHECK(contains(sent, "\nMessage-ID: <"));
    CHECK(contains(sent, "\nDate: "));

    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "partial");
    CHECK(j["exit_code"] == 67);
    CHECK(j["queue_id"] == "4XyZ12");
    CHECK(j["final_reply"]["code"] == 250);
    REQUIRE(j["recipients"].size() == 3);
    CHECK(j["recipients"][0]["address"] == "bob@lab.test");
    CHECK(j["recipients"][0]["accepted"] == true);
    CHECK(j["recipients"][1]["address"] == "nobody@lab.test");
    CHECK(j["recipients"][1]["accepted"] == false);
    CHECK(j["recipients"][1]["rcpt_reply"]["code"] == 550);
    CHECK(j["recipients"][1]["rcpt_reply"]["enhanced"] == "5.1.1");
    CHECK(j["recipients"][2]["accepted"] == true);
    CHECK(j["tls"].is_null());
}

TEST_CASE("send: MAIL FROM answered 451 -> exit 75") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_mail_transient.txt");
    auto args = base_args(s);
    args.insert(args.end(), {"--tls", "none", "--to", "bob@lab.test", "--body", "x"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 75);
    CHECK(contains(r.err, "451 4.7.1"));
}

TEST_CASE("send: every recipient refused with 4xx -> exit 75, each reported") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_rcpt_all_transient.txt");
    auto args = base_args(s);
    args.insert(args.end(), {"--tls", "none", "--to", "bob@lab.test,carol@lab.test", "--body", "x", "--json"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 75);
    CHECK(contains(r.err, "bob@lab.test: 450 4.2.1"));
    CHECK(contains(r.err, "carol@lab.test: 452 4.2.2"));
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "failed");
    CHECK(j["exit_code"] == 75);
    CHECK(j["recipients"].size() == 2);
    CHECK(j["recipients"][1]["rcpt_reply"]["code"] == 452);
    CHECK(j["error"]["stage"] == "send");
}

TEST_CASE("send: data refused with 451 after the dot -> exit 75") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_data_transient.txt");
    auto args = base_args(s);
    args.insert(args.end(), {"--tls", "none", "--to", "bob@lab.test", "-s", "s", "--body", "hello"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 75);
}

TEST_CASE("send: AUTH refused with 535 -> exit 77, the password nowhere") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_auth_failed.txt");
    auto ca = s.write_ca_file();
    auto args = base_args(s);
    args.insert(args.end(), {"--tls-ca", ca, "--user", "alice@lab.test", "--to", "bob@lab.test", "--body", "x", "-v"});
    auto r = run_pigeon(dir, args, {{"PIGEON_PASSWORD", "wrong-Pa55"}});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 77);
    CHECK(contains(r.err, "535"));
    CHECK_FALSE(contains(r.err, "wrong-Pa55"));
    CHECK_FALSE(contains(r.err, "AGFsaWNlQGxhYi50ZXN0AHdyb25nLVBhNTU="));  // base64 of the PLAIN payload
}

TEST_CASE("send: STARTTLS required but not offered -> exit 76, nothing sent") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_starttls_missing.txt");
    auto args = base_args(s);
    args.insert(args.end(), {"--to", "bob@lab.test", "--body", "x"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "STARTTLS"));
}

TEST_CASE("send: a server that wants AUTH when no user is configured -> exit 77 and a hint") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_auth_required.txt");
    auto ca = s.write_ca_file();
    auto args = base_args(s);
    args.insert(args.end(), {"--tls-ca", ca, "--to", "bob@lab.test", "--body", "x"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 77);
    CHECK(contains(r.err, "530"));
    CHECK(contains(r.err, "requires authentication"));
    CHECK(contains(r.err, "--user"));
}

TEST_CASE("send: AUTH PLAIN over TLS, -v trace masked, JSON with TLS, mechanism and queue id") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_auth_plain_ok.txt");
    auto ca = s.write_ca_file();
    auto args = base_args(s);
    args.insert(args.end(), {"--tls-ca", ca, "--user", "alice@lab.test", "--password-command",
                             "printf 's3cr3t-Pa55\\n'", "--to", "bob@lab.test", "-s", "s", "--body", "hello", "-v", "-v",
                             "--json"});
    auto r = run_pigeon(dir, args);
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "AUTH PLAIN"));
    CHECK(contains(r.err, "<redacted>"));
    CHECK_FALSE(contains(r.err, "s3cr3t"));
    CHECK_FALSE(contains(r.err, "AGFsaWNlQGxhYi50ZXN0AHMzY3IzdC1QYTU1"));
    CHECK(contains(r.err, "-> hello"));  // -vv shows the data
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "sent");
    CHECK(j["exit_code"] == 0);
    CHECK(j["auth_mechanism"] == "PLAIN");
    CHECK(j["tls"]["verified"] == true);
    CHECK(j["queue_id"] == "QID42");
    CHECK(j["message_id"].get<std::string>().find("@lab.test") != std::string::npos);
}

TEST_CASE("send: --trace-secrets shows the AUTH payload (explicit opt-in)") {
    temp_dir dir;
    auto s = script_server::from_file("cli/send_auth_plain_ok.txt");
    auto ca = s.write_ca_file();
    auto args = base_args(s);
    args.insert(args.end(), {"--tls-ca", ca, "--user", "alice@lab.test", "--to", "bob@lab.test", "-s", "s", "--body",
                             "hello", "-v", "--trace-secrets"});
    auto r = run_pigeon(dir, args, {{"PIGEON_PASSWORD", "s3cr3t-Pa55"}});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "AGFsaWNlQGxhYi50ZXN0AHMzY3IzdC1QYTU1"));
}

TEST_CASE("send: a connection refused -> exit 75 naming the server") {
    temp_dir dir;
    const int port = closed_port();
    auto r = run_pigeon(dir, {"send", "--server", "smtp://127.0.0.1:" + std::to_string(port), "--from", "a@b.example",
                              "--to", "c@d.example", "--body", "x", "--timeout", "5"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 75);
    CHECK(contains(r.err, "127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("send: usage errors exit 64") {
    temp_dir dir;
    // No server and no account.
    auto r = run_pigeon(dir, {"send", "--from", "a@b.example", "--to", "c@d.example", "--body", "x"});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "no server"));
    // No recipient.
    r = run_pigeon(dir, {"send", "--server", "smtp://127.0.0.1:1", "--from", "a@b.example", "--body", "x"});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "no recipients"));
    // No sender.
    r = run_pigeon(dir, {"send", "--server", "smtp://127.0.0.1:1", "--to", "a@b.example", "--body", "x"});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "no sender"));
    // Not an SMTP URL.
    r = run_pigeon(dir, {"send", "--server", "imap://127.0.0.1", "--from", "a@b.example", "--to", "c@d.example"});
    CHECK(r.exit_code == 64);
    // --inline without --html.
    auto img = dir.write("i.png", "x");
    r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@b.example", "--to", "c@d.example", "--inline", img});
    CHECK(r.exit_code == 64);
    // An unknown option.
    r = run_pigeon(dir, {"send", "--no-such-option"});
    CHECK(r.exit_code == 64);
    // Each --to takes one value: a stray second word is an error, not a recipient.
    r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@b.example", "--to", "c@d.example", "e@f.example"});
    CHECK(r.exit_code == 64);
    // A missing attachment: no input.
    r = run_pigeon(dir, {"send", "--dry-run", "--from", "a@b.example", "--to", "c@d.example", "--attach",
                         dir.path() + "/missing.pdf"});
    CHECK(r.exit_code == 66);
}
