// pigeon probe against scripted servers: what a real server will not do
// (no STARTTLS, response injection after the go-ahead), and the happy path.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;

namespace {

process_result probe(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"probe", url, "--timeout", "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    process_options o;
    o.timeout = std::chrono::seconds(20);
    return run_process(pigeon_cli(), args, o);
}

std::string url(const char* scheme, const script_server& s) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(s.port());
}

} // namespace

TEST_CASE("probe smtp: STARTTLS not offered -> refused, nothing sent but QUIT") {
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250 AUTH PLAIN LOGIN
EXPECT-CLOSE QUIT
)");
    auto r = probe(url("smtp", s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("STARTTLS") != std::string::npos);
}

TEST_CASE("probe smtp: injected reply after the STARTTLS go-ahead -> abort before the handshake") {
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250 STARTTLS
C: STARTTLS
S: 220 go ahead
S: 250-evil
S: 250 AUTH PLAIN
EXPECT-CLOSE
)");
    auto r = probe(url("smtp", s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("injection") != std::string::npos);
}

TEST_CASE("probe imap: STARTTLS not offered -> refused") {
    script_server s(R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready
EXPECT-CLOSE LOGOUT
)");
    auto r = probe(url("imap", s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("STARTTLS") != std::string::npos);
}

TEST_CASE("probe pop3: injected lines after +OK to STLS -> abort") {
    script_server s(R"(
S: +OK fake POP3
C: CAPA
S: +OK
S: STLS
S: SASL PLAIN
S: .
C: STLS
S: +OK begin TLS
S: +OK
S: SASL PLAIN
S: .
EXPECT-CLOSE
)");
    auto r = probe(url("pop3", s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("injection") != std::string::npos);
}

TEST_CASE("probe nntp: STARTTLS not offered -> refused") {
    script_server s(R"(
S: 200 fake news server ready
C: CAPABILITIES
S: 101 Capability list:
S: VERSION 2
S: READER
S: AUTHINFO USER
S: .
EXPECT-CLOSE QUIT
)");
    auto r = probe(url("nntp", s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("STARTTLS") != std::string::npos);
}

TEST_CASE("probe smtp: STARTTLS, verified certificate, capabilities re-read, JSON") {
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250-SIZE 10
S: 250 STARTTLS
C: STARTTLS
S: 220 go ahead
TLS
C: EHLO localhost
S: 250-fake
S: 250-SIZE 10000000
S: 250 AUTH SCRAM-SHA-256
C: QUIT
S: 221 bye
)");
    auto ca = s.write_ca_file();
    auto r = probe(url("smtp", s), {"--tls-ca", ca, "--json"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["tls"]["verified"] == true);
    CHECK(j["tls"]["starttls"] == true);
    CHECK(j["tls"]["certificate"]["subject"].get<std::string>().find("localhost") != std::string::npos);
    CHECK(j["tls"]["certificate"]["sha256"].get<std::string>().size() == 95);
    auto caps = j["capabilities"].dump();
    CHECK(caps.find("SIZE 10000000") != std::string::npos);
    CHECK(caps.find("SCRAM-SHA-256") != std::string::npos);
    CHECK(j["capabilities_before_tls"].dump().find("SIZE 10\"") != std::string::npos);
}

TEST_CASE("probe: an untrusted certificate is refused with the reason, nothing sent after") {
    script_server s(R"(
S: 220 fake ESMTP
C: EHLO localhost
S: 250-fake
S: 250 STARTTLS
C: STARTTLS
S: 220 go ahead
TLS
EXPECT-CLOSE
)");
    auto r = probe(url("smtp", s));
    s.wait();
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("TLS") != std::string::npos);
    CHECK((r.err.find("self-signed") != std::string::npos || r.err.find("not trusted") != std::string::npos));
}

TEST_CASE("probe: usage errors exit 64") {
    auto r = run_process(pigeon_cli(), {"probe", "http://example.com"});
    CHECK(r.exit_code == 64);
    r = run_process(pigeon_cli(), {"probe"});
    CHECK(r.exit_code == 64);
}
