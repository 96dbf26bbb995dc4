// pigeon show against the lab: a message sent through the real Postfix
// (delivered by Dovecot's LMTP into alice's Maildir), and one dropped into
// the Maildir by hand, shown from the Maildir file: decoded subject, the
// text, the attachment list, JSON with the headers the servers added, and
// the attachments saved byte for byte.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "pigeon/net/endpoint.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/lab.hpp"
#include "support/run_process.hpp"

using namespace pigeon;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string unique_token() {
    static std::mt19937_64 rng{std::random_device{}()};
    return "pigeon-show-it-" + std::to_string(::getpid()) + "-" + std::to_string(rng());
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string base64_lines(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        b += t[v >> 18];
        b += t[(v >> 12) & 63];
        b += i + 1 < in.size() ? t[(v >> 6) & 63] : '=';
        b += i + 2 < in.size() ? t[v & 63] : '=';
    }
    std::string out;
    for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
    return out;
}

std::string pseudo_random(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
}

struct test_message {
    std::string token, text, pdf, png;
    std::string bytes;
};

// Subject "Résumé <token>" (encoded word), a text part, a PDF attachment with
// an RFC 2231 name, an inline PNG with a Content-ID, and a hostile name.
test_message make_message() {
    test_message m;
    m.token = unique_token();
    m.pdf = pseudo_random(100000, 1);
    m.png = "\x89PNG\r\n\x1a\n" + pseudo_random(3000, 2);
    m.bytes = "From: Alice Example <alice@lab.test>\r\n"
              "To: Alice <alice@lab.test>\r\n"
              "Subject: =?utf-8?q?R=C3=A9sum=C3=A9?= " + m.token + "\r\n"
              "Date: Tue, 2 Jan 2024 10:00:00 +0100\r\n"
              "Message-ID: <" + m.token + "@lab.test>\r\n"
              "MIME-Version: 1.0\r\n"
              "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n"
              "\r\n"
              "--=_outer\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n"
              "\r\n"
              "Voil=C3=A0 the r=C3=A9sum=C3=A9.\r\n"
              "--=_outer\r\n"
              "Content-Type: application/pdf\r\n"
              "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n"
              "Content-Transfer-Encoding: base64\r\n"
              "\r\n" + base64_lines(m.pdf) +
              "--=_outer\r\n"
              "Content-Type: image/png\r\n"
              "Content-Disposition: inline\r\n"
              "Content-ID: <logo." + m.token + "@lab.test>\r\n"
              "Content-Transfer-Encoding: base64\r\n"
              "\r\n" + base64_lines(m.png) +
              "--=_outer\r\n"
              "Content-Type: text/plain; name=\"../../evil.txt\"\r\n"
              "Content-Disposition: attachment; filename=\"../../evil.txt\"\r\n"
              "\r\n"
              "evil\r\n"
              "--=_outer--\r\n";
    return m;
}

/// The file in user's Maildir (new/ or cur/) whose header holds token, "" after ~20 s.
std::string find_in_maildir(std::string_view user, const std::string& token) {
    const fs::path md = lab::maildir(user);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        for (const char* sub : {"new", "cur"}) {
            std::error_code ec;
            for (fs::directory_iterator it(md / sub, ec), end; !ec && it != end; it.increment(ec)) {
                std::ifstream f(it->path(), std::ios::binary);
                std::string head(16 * 1024, '\0');
                f.read(head.data(), static_cast<std::streamsize>(head.size()));
                head.resize(static_cast<std::size_t>(f.gcount()));
                if (contains(head, "Message-ID: <" + token + "@lab.test>")) return it->path().string();
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

/// pigeon show ARGS FILE, where FILE is the Maildir file holding token
/// (looked up again if another client moved it from new/ to cur/ meanwhile).
test::process_result show_from_maildir(std::string_view user, const std::string& token,
                                       std::vector<std::string> args) {
    test::process_result r;
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::string path = find_in_maildir(user, token);
        REQUIRE_MESSAGE(!path.empty(), "message " << token << " not delivered; see " << lab::log_dir());
        std::vector<std::string> a{"show"};
        a.insert(a.end(), args.begin(), args.end());
        a.push_back(path);
        test::process_options o;
        o.timeout = std::chrono::seconds(60);
        r = test::run_process(test::pigeon_cli(), a, o);
        if (r.exit_code != 66) break; // 66: the file moved between lookup and open
    }
    return r;
}

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "pigeon-show-it-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

void check_shown(std::string_view user, const test_message& m, bool through_postfix) {
    auto r = show_from_maildir(user, m.token, {});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "From: Alice Example <alice@lab.test>\n"));
    CHECK(contains(r.out, "To: Alice <alice@lab.test>\n"));
    CHECK(contains(r.out, "Date: Tue, 02 Jan 2024 10:00:00 +0100\n"));
    CHECK(contains(r.out, "Subject: R\xc3\xa9sum\xc3\xa9 " + m.token + "\n\nVoil\xc3\xa0 the r\xc3\xa9sum\xc3\xa9.\n\n"));
    CHECK(contains(r.out, "\nAttachments:\n"
                          "  [2] \"r\xc3\xa9sum\xc3\xa9.pdf\" application/pdf, 100000 bytes (97.7 KiB)\n"
                          "  [3] image/png, 3008 bytes (2.9 KiB), inline, cid:logo." + m.token + "@lab.test\n"
                          "  [4] \"../../evil.txt\" text/plain, 4 bytes\n"));

    r = show_from_maildir(user, m.token, {"--json"});
    REQUIRE(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["subject"] == "R\xc3\xa9sum\xc3\xa9 " + m.token);
    CHECK(j["from"] == json::parse(R"([{"name": "Alice Example", "address": "alice@lab.test"}])"));
    CHECK(j["message_id"] == m.token + "@lab.test");
    CHECK(j["date"] == "2024-01-02T10:00:00+01:00");
    CHECK(j["parts"].size() == 5);
    CHECK(j["attachments"].size() == 3);
    CHECK(j["attachments"][0]["size"] == m.pdf.size());
    CHECK(j["attachments"][1]["size"] == m.png.size());
    CHECK(j["text"] == "Voil\xc3\xa0 the r\xc3\xa9sum\xc3\xa9.");
    if (through_postfix) {
        bool received = false, return_path = false;
        for (const auto& h : j["headers"]) {
            received = received || h["name"] == "Received";
            return_path = return_path || h["name"] == "Return-Path";
        }
        CHECK(received);     // added by Postfix
        CHECK(return_path);  // added by Dovecot's delivery
    }

    temp_dir out;
    r = show_from_maildir(user, m.token, {"--save-attachments", out.path()});
    INFO("stdout: " << r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(out.path() + "/r\xc3\xa9sum\xc3\xa9.pdf") == m.pdf);
    CHECK(read_file(out.path() + "/part-3.png") == m.png);
    CHECK(read_file(out.path() + "/evil.txt") == "evil");
    CHECK_FALSE(fs::exists(fs::path(out.path()).parent_path().parent_path() / "evil.txt"));

    r = show_from_maildir(user, m.token, {"--part", "2"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == m.pdf);
}

} // namespace

TEST_CASE("show: a message sent through Postfix, shown from alice's Maildir") {
    const test_message m = make_message();
    smtp::client c;
    net::endpoint ep;
    ep.proto = net::protocol::smtp;
    ep.host = std::string(lab::host);
    ep.port = lab::smtp_port;
    ep.tls = net::tls_mode::none;
    smtp::client_options o;
    o.net.connect.connect_timeout = std::chrono::seconds(10);
    o.net.connect.io_timeout = std::chrono::seconds(30);
    c.connect(ep, o);
    smtp::envelope env;
    env.from = std::string(lab::alice.name);
    env.recipients.push_back({std::string(lab::alice.name), smtp::notify::none, {}});
    CHECK(c.send(env, m.bytes).all_accepted());
    c.quit();
    check_shown(lab::alice.name, m, true);
}

TEST_CASE("show: a message dropped into bob's Maildir, shown from there") {
    const test_message m = make_message();
    const fs::path md = lab::maildir(lab::bob.name);
    REQUIRE(fs::is_directory(md / "tmp"));
    // Maildir delivery: write in tmp/, then rename into new/.
    const std::string name = std::to_string(std::time(nullptr)) + ".P" + std::to_string(::getpid()) + "." +
                             m.token + ".pigeon-test";
    {
        std::ofstream f(md / "tmp" / name, std::ios::binary);
        f << m.bytes;
    }
    fs::rename(md / "tmp" / name, md / "new" / name);
    check_shown(lab::bob.name, m, false);
    std::error_code ec;
    fs::remove(md / "new" / name, ec);
    fs::remove(md / "cur" / (name + ":2,"), ec);
}
