// AUTH through sasl::exchange with the SMTP binding; secrets masked in the
// trace and absent from error messages.
#include <doctest/doctest.h>

#include <ostream>

#include "harness.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/sasl/error.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using pigeon::smtp::testing::harness;

namespace {

std::string b64(std::string_view in) {
    static constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += t[(v >> 18) & 63];
        out += t[(v >> 12) & 63];
        out += t[(v >> 6) & 63];
        out += t[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += t[(v >> 18) & 63];
        out += t[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += t[(v >> 18) & 63];
        out += t[(v >> 12) & 63];
        out += t[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

const std::string user = "alice@lab.test";
const std::string password = "s3cr3t-Pa55";

sasl::credentials creds(std::string pw = password) {
    sasl::credentials c;
    c.username = user;
    c.password = std::move(pw);
    return c;
}

/// Neither the password nor any base64 form of it appears in text.
void check_no_secret(const std::string& text, const std::string& pw) {
    CHECK(text.find(pw) == std::string::npos);
    CHECK(text.find(b64(pw)) == std::string::npos);
    CHECK(text.find(b64(std::string(1, '\0') + user + std::string(1, '\0') + pw)) == std::string::npos);
    // base64 of the password at the three possible alignments inside a blob
    for (int shift = 1; shift < 3; ++shift) {
        const std::string enc = b64(std::string(static_cast<std::size_t>(shift), 'x') + pw);
        CHECK(text.find(enc.substr(4, enc.size() - 8)) == std::string::npos);
    }
}

} // namespace

TEST_CASE("AUTH PLAIN after STARTTLS: the initial response is masked in the trace") {
    harness h("auth_plain.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::starttls), h.options());
    c.authenticate(creds());
    CHECK(c.info().auth_mechanism.empty() == false);
    CHECK(c.info().auth_mechanism == "PLAIN");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    const std::string trace = h.trace_text();
    check_no_secret(trace, password);
    CHECK(trace.find("C: AUTH PLAIN ") != std::string::npos);  // the command is traced, its payload is not
    CHECK(trace.find(std::string(net::redacted)) != std::string::npos);
}

TEST_CASE("AUTH LOGIN: every response is masked") {
    harness h("auth_login.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::starttls), h.options());
    c.authenticate(creds());
    CHECK(c.info().auth_mechanism == "LOGIN");
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    const std::string trace = h.trace_text();
    check_no_secret(trace, password);
    CHECK(trace.find(b64(user)) == std::string::npos);  // the user name response is masked as well
    CHECK(trace.find("S: 334 UGFzc3dvcmQ6") != std::string::npos);
}

TEST_CASE("show_secrets reveals the payload (for --trace-secrets)") {
    harness h("auth_plain.txt");
    client c;
    auto o = h.options();
    o.net.trace.show_secrets = true;
    c.connect(h.endpoint(net::tls_mode::starttls), o);
    c.authenticate(creds());
    c.quit();
    (void)h.finish();
    CHECK(h.trace_text().find(b64(std::string(1, '\0') + user + std::string(1, '\0') + password)) !=
          std::string::npos);
}

TEST_CASE("a wrong password: auth_error with the 535 reply / no secret in the message") {
    harness h("auth_failed.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::starttls), h.options());
    try {
        c.authenticate(creds("wrong-password"));
        FAIL("authenticate() succeeded");
    } catch (const auth_error& e) {
        CHECK(e.code() == errc::auth_failed);
        CHECK(e.server_reply().code == 535);
        CHECK(e.is_permanent());
        CHECK(e.server_reply().response_code == "5.7.8");
        CHECK(e.mechanism() == "PLAIN");
        CHECK(e.sasl_code() == sasl::errc::rejected);
        check_no_secret(e.what(), "wrong-password");
    }
    CHECK(c.is_connected());
    CHECK_FALSE(c.info().auth_mechanism.empty() == false);
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    check_no_secret(h.trace_text(), "wrong-password");
}

TEST_CASE("a temporary authentication failure is transient") {
    harness h("auth_temporary.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::starttls), h.options());
    try {
        c.authenticate(creds());
        FAIL("authenticate() succeeded");
    } catch (const auth_error& e) {
        CHECK(e.code() == errc::auth_failed);
        CHECK(e.is_transient());
        CHECK(e.server_reply().code == 454);
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("INJ-07: PLAIN/LOGIN without TLS are not used / nothing is sent") {
    harness h("auth_plain_cleartext.txt");
    client c;
    c.connect(h.endpoint(net::tls_mode::none), h.options());
    try {
        c.authenticate(creds());
        FAIL("credentials sent in clear text");
    } catch (const auth_error& e) {
        // The same code as POP3, IMAP and NNTP: only mechanisms that need TLS.
        CHECK(e.code() == errc::cleartext_refused);
        CHECK(e.server_reply().empty());
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.client_lines == std::vector<std::string>{"EHLO localhost", "QUIT"});
}

TEST_CASE("no AUTH offered at all") {
    harness h("eightbitmime_absent.txt");
    client c;
    c.connect(h.endpoint(), h.options());
    try {
        c.authenticate(creds());
        FAIL("authenticate() succeeded");
    } catch (const auth_error& e) {
        CHECK(e.code() == errc::no_mechanism);
    }
    c.quit();
    auto r = h.finish();
    CHECK_MESSAGE(r.ok, r.error);
}
