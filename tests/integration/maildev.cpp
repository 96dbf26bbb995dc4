// pigeon send to the lab's MailDev (lab/lab.sh: maildev, maildev_auth), the
// SMTP capture server test suites run in a container, checked through its
// REST API (GET /email): the plain variant (no STARTTLS, no AUTH) needs an
// explicit --tls none; the authenticated one an explicit
// --allow-cleartext-login, and refuses a wrong password or none.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/lab.hpp"
#include "support/run_process.hpp"

using nlohmann::json;
namespace lab = pigeon::test::lab;

namespace {

constexpr int smtp_port = lab::maildev_port, web_port = lab::maildev_web_port;
constexpr int auth_smtp_port = lab::maildev_auth_port, auth_web_port = lab::maildev_auth_web_port;
const std::string user{lab::maildev_user.name}, password{lab::maildev_user.password};

std::string unique_token() {
    static std::mt19937_64 rng{std::random_device{}()};
    return "pm-maildev-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000);
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

pigeon::test::process_result send(int port, std::vector<std::string> extra, const std::string& subject,
                                  const std::string& password_env = {}) {
    std::vector<std::string> args{"send",   "--server", "smtp://127.0.0.1:" + std::to_string(port),
                                  "--from", "App <app@lab.test>", "--to", "Tester <tester@lab.test>",
                                  "--subject", subject, "--body", "Willkommen, Grüße\n"};
    args.insert(args.end(), extra.begin(), extra.end());
    pigeon::test::process_options o;
    if (!password_env.empty()) o.env["PIGEON_PASSWORD"] = password_env;
    return pigeon::test::run_process(pigeon::test::pigeon_cli(), args, o);
}

/// The captured messages whose subject holds token (GET /email).
std::vector<json> captured(int web, const std::string& token) {
    auto r = pigeon::test::run_process("/usr/bin/curl", {"-sf", "http://127.0.0.1:" + std::to_string(web) + "/email"});
    REQUIRE_MESSAGE(r.exit_code == 0, "MailDev's REST API does not answer on port " << web
                                                                                  << ": is the lab (lab/lab.sh start) up?");
    std::vector<json> out;
    for (const auto& e : json::parse(r.out))
        if (contains(e.value("subject", ""), token)) out.push_back(e);
    return out;
}

} // namespace

TEST_CASE("maildev: plain SMTP without STARTTLS needs --tls none, the message arrives whole") {
    const std::string token = unique_token();
    // Without --tls none pigeon insists on STARTTLS, which MailDev lacks: nothing is sent.
    auto refused = send(smtp_port, {}, "refused " + token);
    CHECK(refused.exit_code != 0);
    CHECK(captured(web_port, token).empty());

    const std::string dir = "/tmp/" + token;
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir + "/report.csv", std::ios::binary);
        f << "a,b\n1,2\n";
    }
    auto r = send(smtp_port, {"--tls", "none", "--attach", dir + "/report.csv", "--header", "X-Test-Run: " + token},
                  "Grüße " + token);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::filesystem::remove_all(dir);
    auto got = captured(web_port, token);
    REQUIRE(got.size() == 1);
    const json& m = got[0];
    CHECK(m["subject"] == "Grüße " + token);  // RFC 2047 decoded by MailDev
    CHECK(m["from"][0]["address"] == "app@lab.test");
    CHECK(m["from"][0]["name"] == "App");
    CHECK(m["to"][0]["address"] == "tester@lab.test");
    CHECK(m["envelope"]["from"]["address"] == "app@lab.test");
    CHECK(m["envelope"]["to"][0]["address"] == "tester@lab.test");
    CHECK(contains(m.value("text", ""), "Willkommen, Grüße"));
    CHECK(m["headers"]["x-test-run"] == token);
    REQUIRE(m["attachments"].size() == 1);
    CHECK(m["attachments"][0]["fileName"] == "report.csv");
    CHECK(m["attachments"][0]["length"] == 8);
}

TEST_CASE("maildev: AUTH on a plain connection only when asked, with the right password") {
    const std::string token = unique_token();
    // No user: MailDev refuses the sender (530), pigeon says AUTH is wanted.
    auto none = send(auth_smtp_port, {"--tls", "none"}, "none " + token);
    CHECK(none.exit_code == 77);
    CHECK(contains(none.err, "authentication"));
    // A user, but no permission to send the password in clear: nothing is sent.
    auto cautious = send(auth_smtp_port, {"--tls", "none", "--user", user}, "cautious " + token, password);
    CHECK(cautious.exit_code == 77);
    CHECK(contains(cautious.err, "without TLS"));
    // The wrong password.
    auto wrong = send(auth_smtp_port, {"--tls", "none", "--user", user, "--allow-cleartext-login"}, "wrong " + token,
                      "not-" + password);
    CHECK(wrong.exit_code == 77);
    CHECK(captured(auth_web_port, token).empty());

    auto ok = send(auth_smtp_port, {"--tls", "none", "--user", user, "--allow-cleartext-login", "--json"},
                   "ok " + token, password);
    REQUIRE_MESSAGE(ok.exit_code == 0, ok.err);
    CHECK(json::parse(ok.out)["auth_mechanism"] == "PLAIN");
    auto got = captured(auth_web_port, token);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["subject"] == "ok " + token);
}
