// pigeon send through the real lab (Postfix submission with STARTTLS+AUTH,
// implicit TLS, Dovecot delivery): the big round trip read back with Python's
// email package and with GMime, partial refusal, wrong password, a stopped
// server, exact body bytes, and traces that never show the password.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <doctest/doctest.h>

#include "integration/send_lab.hpp"

using namespace pigeon::test;
using namespace pigeon::test::send_lab;

namespace {

std::string server(std::uint16_t port) {
    return std::string(port == lab::submissions_port ? "smtps" : "smtp") + "://127.0.0.1:" + std::to_string(port);
}

std::vector<std::string> send_args(std::uint16_t port, const lab::account& user) {
    return {"send", "--server", server(port), "--tls-ca", lab::ca_file(), "--user", std::string(user.name),
            "--timeout", "60"};
}

std::map<std::string, std::string> password_env(const lab::account& user) {
    return {{"PIGEON_PASSWORD", std::string(user.password)}};
}

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

const nlohmann::json* part_named(const nlohmann::json& view, const std::string& filename) {
    for (const auto& p : view["parts"])
        if (p["filename"].is_string() && p["filename"] == filename) return &p;
    return nullptr;
}

void round_trip(std::uint16_t port) {
    temp_dir dir;
    const std::string token = unique_token("rt");
    const std::string subject = "Grüße aus dem Labor – Ünïcödé ✓ " + token;
    const std::string text = "Hello Alice,\nthe report is attached.\nÄÖÜ äöü ß – “quoted” €\n";
    const std::string html_src =
        "<html><body><p>Hello <b>Alice</b> – äöü</p><p><img src=\"cid:logo.png\" alt=\"logo\"></p></body></html>\n";
    const std::string text_file = dir.write("body.txt", text);
    const std::string html_file = dir.write("body.html", html_src);
    std::string png = std::string("\x89PNG\r\n\x1a\n", 8);
    for (int i = 0; i < 5000; ++i) png += static_cast<char>((i * 7919) >> 3);
    const std::string logo = dir.write("logo.png", png);
    const std::string small = dir.path() + "/Übersicht März 2026.pdf";
    write_blob(small, 150 * 1024 + 7, 42);
    const std::string big = dir.path() + "/big-data.bin";
    write_blob(big, 40ull * 1024 * 1024, 4242);

    auto args = send_args(port, lab::alice);
    args.insert(args.end(), {"--from", "Zoë Ünïcode <alice@lab.test>", "--to", "Ålice Lab <alice@lab.test>", "-s",
                             subject, "--body", "@" + text_file, "--html", html_file, "--inline", logo, "--attach",
                             small, "--attach", big, "--json"});
    auto r = run_pigeon(dir, args, password_env(lab::alice), {}, std::chrono::seconds(300));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "sent");
    CHECK(j["tls"]["verified"] == true);
    CHECK(j["auth_mechanism"] == "SCRAM-SHA-256");
    CHECK(j["queue_id"].is_string());
    CHECK(j["message_bytes"].get<std::uint64_t>() > 40ull * 1024 * 1024 * 4 / 3);
    REQUIRE(j["inline"].size() == 1);
    const std::string cid = j["inline"][0]["content_id"];
    const std::string mid = j["message_id"];

    const std::string path = wait_for_mail(dir, "alice", "<" + mid + ">", std::chrono::seconds(120));
    REQUIRE_MESSAGE(!path.empty(), "message " << mid << " not delivered; see " << lab::log_dir());

    const std::string sha_png = sha256_hex(png);
    const std::string sha_small = sha256_file(small);
    const std::string sha_big = sha256_file(big);
    for (const char* parser : {"python", "gmime"}) {
        CAPTURE(parser);
        nlohmann::json v = std::string(parser) == "python" ? python_view(path) : gmime_view(path);
        CHECK(v["subject"] == subject);
        CHECK(v["from_name"] == "Zoë Ünïcode");
        CHECK(v["from_addr"] == "alice@lab.test");
        REQUIRE(v["to_names"].size() == 1);
        CHECK(v["to_names"][0] == "Ålice Lab");
        CHECK(v["has_bcc"] == false);
        REQUIRE(v["text"].is_string());
        CHECK(lf(v["text"].get<std::string>()) == text);
        REQUIRE(v["html"].is_string());
        const std::string html = v["html"];
        CHECK(html.find("cid:" + cid + "\"") != std::string::npos);
        CHECK(html.find("Hello <b>Alice</b> – äöü") != std::string::npos);
        CHECK(v["defects"].empty());

        REQUIRE(v["parts"].size() == 3);
        const auto* p_logo = part_named(v, "logo.png");
        const auto* p_small = part_named(v, "Übersicht März 2026.pdf");
        const auto* p_big = part_named(v, "big-data.bin");
        REQUIRE(p_logo != nullptr);
        REQUIRE(p_small != nullptr);
        REQUIRE(p_big != nullptr);
        CHECK((*p_logo)["content_type"] == "image/png");
        CHECK((*p_logo)["content_id"] == cid);
        CHECK((*p_logo)["sha256"] == sha_png);
        CHECK((*p_small)["content_type"] == "application/pdf");
        CHECK((*p_small)["disposition"] == "attachment");
        CHECK((*p_small)["sha256"] == sha_small);
        CHECK((*p_big)["size"] == 40ull * 1024 * 1024);
        CHECK((*p_big)["sha256"] == sha_big);
    }
}

} // namespace

TEST_CASE("send: text+HTML, inline image, two attachments (40 MB) via submission (STARTTLS+AUTH)") {
    round_trip(lab::submission_port);
}

TEST_CASE("send: the same via implicit TLS (smtps)") {
    round_trip(lab::submissions_port);
}

TEST_CASE("send: one unknown recipient among three -> exit 67, the two others receive it") {
    temp_dir dir;
    auto args = send_args(lab::submission_port, lab::alice);
    args.insert(args.end(), {"--from", "alice@lab.test", "--to", "alice@lab.test", "--to",
                             std::string(lab::unknown_address), "--cc", "bob@lab.test", "-s",
                             unique_token("partial"), "--body", "to three, one unknown\n", "--json"});
    auto r = run_pigeon(dir, args, password_env(lab::alice));
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 67);
    CHECK(r.err.find(std::string(lab::unknown_address) + ": 550") != std::string::npos);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "partial");
    REQUIRE(j["recipients"].size() == 3);
    CHECK(j["recipients"][1]["accepted"] == false);
    CHECK(j["recipients"][1]["rcpt_reply"]["enhanced"] == "5.1.1");
    const std::string mid = "<" + j["message_id"].get<std::string>() + ">";
    CHECK_FALSE(wait_for_mail(dir, "alice", mid).empty());
    CHECK_FALSE(wait_for_mail(dir, "bob", mid).empty());
}

TEST_CASE("send: a wrong password -> exit 77, no user on submission -> 77 with a hint") {
    temp_dir dir;
    auto args = send_args(lab::submission_port, lab::alice);
    args.insert(args.end(), {"--from", "alice@lab.test", "--to", "alice@lab.test", "--body", "x"});
    auto r = run_pigeon(dir, args, {{"PIGEON_PASSWORD", "not-alice-pass"}});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 77);
    CHECK(r.err.find("535") != std::string::npos);
    CHECK(r.err.find("not-alice-pass") == std::string::npos);

    r = run_pigeon(dir, {"send", "--server", server(lab::submission_port), "--tls-ca", lab::ca_file(), "--from",
                         "alice@lab.test", "--to", "alice@lab.test", "--body", "x"});
    CHECK(r.exit_code == 77);
    CHECK(r.err.find("requires authentication") != std::string::npos);
}

TEST_CASE("send: a stopped server (closed port) -> exit 75") {
    temp_dir dir;
    auto r = run_pigeon(dir, {"send", "--server", "smtp://127.0.0.1:" + std::to_string(closed_port()), "--from",
                              "alice@lab.test", "--to", "alice@lab.test", "--body", "x", "--timeout", "10"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 75);
}

TEST_CASE("send: bare LF, bare CR, LF.LF and CRLF.CRLF in the body arrive exactly as meant") {
    temp_dir dir;
    const std::string body = "line one\nbare LF follows\nbare CR follows\rnext\n.\nafter dot-LF\r\n.\r\n"
                             "after dot-CRLF\r\n..two dots\r\n.\rafter dot-CR\nlast line";
    // What the reader must get: every line end CRLF, nothing lost (LF in the
    // Maildir copy, where Dovecot stores LF line ends).
    const std::string expected_lf =
        "line one\nbare LF follows\nbare CR follows\nnext\n.\nafter dot-LF\n.\nafter dot-CRLF\n..two dots\n.\n"
        "after dot-CR\nlast line\n";
    const std::string file = dir.write("body.txt", body);
    const std::string token = unique_token("dots");
    auto args = send_args(lab::submission_port, lab::alice);
    args.insert(args.end(), {"--from", "alice@lab.test", "--to", "alice@lab.test", "-s", token, "--body", "@" + file,
                             "--json"});
    auto r = run_pigeon(dir, args, password_env(lab::alice));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    const std::string path = wait_for_mail(dir, "alice", "<" + j["message_id"].get<std::string>() + ">");
    REQUIRE(!path.empty());
    const std::string raw = read_file(path);
    auto sep = raw.find("\n\n");
    REQUIRE(sep != std::string::npos);
    CHECK(raw.substr(sep + 2) == expected_lf);
    CHECK(raw.find('\r') == std::string::npos);
    auto v = python_view(path);
    CHECK(v["text"] == expected_lf);
    auto g = gmime_view(path);
    CHECK(lf(g["text"].get<std::string>()) == expected_lf);
}

TEST_CASE("send -vv: AUTH PLAIN and SCRAM-SHA-256 traces hold no password in any form") {
    struct login {
        const char* mech;
        lab::account user;
    } logins[] = {{"PLAIN", lab::alice}, {"SCRAM-SHA-256", lab::bob}, {"PLAIN", lab::carol}};
    for (const auto& l : logins) {
        CAPTURE(l.mech);
        CAPTURE(l.user.name);
        temp_dir dir;
        auto args = send_args(lab::submission_port, l.user);
        args.insert(args.end(), {"--auth-mech", l.mech, "--from", std::string(l.user.name), "--to", "alice@lab.test",
                                 "-s", unique_token("trace"), "--body", "traced\n", "-vv", "--json"});
        auto r = run_pigeon(dir, args, password_env(l.user));
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["auth_mechanism"] == l.mech);
        CHECK(r.err.find(std::string("AUTH ") + l.mech) != std::string::npos);
        CHECK(r.err.find("-> traced") != std::string::npos);  // -vv: data shown
        const std::string pw(l.user.password);
        const std::string all = r.out + r.err;
        CHECK(all.find(pw) == std::string::npos);
        for (const auto& needle : base64_needles(pw)) {
            CAPTURE(needle);
            CHECK(all.find(needle) == std::string::npos);
        }
        const std::string plain = std::string(1, '\0') + std::string(l.user.name) + '\0' + pw;
        CHECK(all.find(base64(plain)) == std::string::npos);
        for (const auto& needle : base64_needles(plain)) CHECK(all.find(needle) == std::string::npos);
    }
}
