// pigeon probe against every service of the real lab (Dovecot, Postfix,
// INN), with verification on, and the refusals the issue names.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/lab.hpp"
#include "support/run_process.hpp"

using namespace pigeon::test;

namespace {

process_result probe(std::vector<std::string> args) {
    args.insert(args.begin(), "probe");
    args.push_back("--timeout");
    args.push_back("20");
    process_options o;
    o.timeout = std::chrono::seconds(60);
    return run_process(pigeon_cli(), args, o);
}

std::string url(const char* scheme, std::uint16_t port) {
    return std::string(scheme) + "://localhost:" + std::to_string(port);
}

} // namespace

TEST_CASE("probe succeeds against every lab service, STARTTLS and implicit TLS, verified") {
    struct svc {
        const char* scheme;
        std::uint16_t port;
        bool starttls;
        const char* cap; // a capability only shown after TLS
    } services[] = {
        {"smtp", lab::submission_port, true, "AUTH"},
        {"smtps", lab::submissions_port, false, "AUTH"},
        {"imap", lab::imap_port, true, "AUTH=PLAIN"},
        {"imaps", lab::imaps_port, false, "AUTH=PLAIN"},
        {"pop3", lab::pop3_port, true, "USER"},
        {"pop3s", lab::pop3s_port, false, "USER"},
        {"nntp", lab::nntp_port, true, "READER"},
        {"nntps", lab::nntps_port, false, "READER"},
    };
    for (const auto& s : services) {
        auto u = url(s.scheme, s.port);
        CAPTURE(u);
        auto r = probe({u, "--tls-ca", lab::ca_file(), "--json"});
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["tls"]["verified"] == true);
        CHECK(j["tls"]["starttls"] == s.starttls);
        CHECK(j["tls"]["version"].get<std::string>().rfind("TLSv1.", 0) == 0);
        CHECK(j["tls"]["certificate"]["issuer"].get<std::string>().find("pigeon lab CA") != std::string::npos);
        CHECK(j["tls"]["certificate"]["sha256"] == lab::server_cert_sha256());
        CHECK(j["capabilities"].dump().find(s.cap) != std::string::npos);
        if (s.starttls) CHECK(!j["capabilities_before_tls"].empty());
        else CHECK(j["capabilities_before_tls"].empty());
        // The human form names the same certificate.
        auto t = probe({u, "--tls-ca", lab::ca_file()});
        CHECK(t.exit_code == 0);
        CHECK(t.out.find(lab::server_cert_sha256()) != std::string::npos);
        CHECK(t.out.find("verified:    yes") != std::string::npos);
    }
}

TEST_CASE("probe refuses bad certificates and names the reason") {
    auto wrong = probe({url("smtps", lab::smtps_wrong_host_port), "--tls-ca", lab::ca_file()});
    CHECK(wrong.exit_code == 69);
    CHECK(wrong.err.find("not valid for host name localhost") != std::string::npos);

    auto expired = probe({url("smtps", lab::smtps_expired_port), "--tls-ca", lab::ca_file()});
    CHECK(expired.exit_code == 69);
    CHECK(expired.err.find("expired") != std::string::npos);

    auto self = probe({url("smtps", lab::smtps_self_signed_port), "--tls-ca", lab::ca_file()});
    CHECK(self.exit_code == 69);
    CHECK(self.err.find("self-signed") != std::string::npos);

    // The lab CA is not in the system store: without --tls-ca it is untrusted,
    // on the STARTTLS path exactly as on the implicit one.
    for (auto u : {url("smtps", lab::submissions_port), url("imap", lab::imap_port), url("nntp", lab::nntp_port)}) {
        auto r = probe({u});
        CAPTURE(u);
        CHECK(r.exit_code == 69);
        CHECK(r.err.find("issuer is not trusted") != std::string::npos);
        CHECK(r.out.empty());
    }
}

TEST_CASE("probe with a certificate pin") {
    std::string bad = "sha256:" + std::string(64, '0');
    auto r = probe({url("imaps", lab::imaps_port), "--tls-ca", lab::ca_file(), "--pin", bad});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("pinned SHA-256 fingerprint") != std::string::npos);

    // The right pin is enough on its own, even without the CA.
    auto ok = probe({url("pop3s", lab::pop3s_port), "--pin", lab::server_cert_sha256(), "--json"});
    INFO("stderr: " << ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(nlohmann::json::parse(ok.out)["tls"]["pinned"] == true);

    auto malformed = probe({url("pop3s", lab::pop3s_port), "--pin", "xyz"});
    CHECK(malformed.exit_code == 78);
}

TEST_CASE("probe: --tls none on a clear port, --insecure says it is unverified") {
    auto r = probe({url("smtp", lab::smtp_port), "--tls", "none", "--json"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)["tls"].is_null());

    auto i = probe({url("imaps", lab::imaps_port), "--insecure"});
    CHECK(i.exit_code == 0);
    CHECK(i.out.find("NO (--insecure)") != std::string::npos);
    CHECK(i.err.find("not verified") != std::string::npos);
}

TEST_CASE("probe: a stopped service is a temporary failure") {
    auto r = probe({"smtp://127.0.0.1:1"});
    CHECK(r.exit_code == 75);
}
