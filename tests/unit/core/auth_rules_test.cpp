// The client core's authentication rules, the same for all four protocols:
// the strongest usable SASL mechanism; PLAIN / LOGIN / password commands
// never without TLS unless allowed; the password command only when no SASL
// mechanism may be used and the caller did not restrict mechanisms (or named
// it); fallback to the next mechanism only when the server refuses the
// mechanism itself. Each client runs against an in-memory server.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pigeon/core/error.hpp"
#include "pigeon/imap/client.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/pop3/client.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using pigeon::test::code_of;

namespace {

// What the server offers when the client is ready to authenticate.
struct offer {
    std::vector<std::string> mechanisms;
    bool password_command = true;  // USER / LOGIN (no LOGINDISABLED) / AUTHINFO USER
    bool tls = false;              // reached through a (pretend) STARTTLS
};

std::string join(const std::vector<std::string>& v, const std::string& prefix, const std::string& sep) {
    std::string out;
    for (const auto& m : v) out += (out.empty() ? "" : sep) + prefix + m;
    return out;
}

std::vector<std::string> opening_pop3(const offer& o) {
    std::string caps = "+OK\r\n";
    if (o.password_command) caps += "USER\r\n";
    if (!o.mechanisms.empty()) caps += "SASL " + join(o.mechanisms, "", " ") + "\r\n";
    caps += "AUTH-RESP-CODE\r\n.\r\n";
    if (!o.tls) return {"+OK ready\r\n", caps};
    return {"+OK ready\r\n", "+OK\r\nSTLS\r\n.\r\n", "+OK go\r\n", caps};
}

std::vector<std::string> opening_imap(const offer& o) {
    std::string caps = "IMAP4rev1";
    if (!o.mechanisms.empty()) caps += " " + join(o.mechanisms, "AUTH=", " ");
    if (!o.password_command) caps += " LOGINDISABLED";
    if (!o.tls) return {"* OK [CAPABILITY " + caps + "] ready\r\n"};
    return {"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "A1 OK go\r\n",
            "* CAPABILITY " + caps + "\r\nA2 OK done\r\n"};
}

std::vector<std::string> opening_nntp(const offer& o) {
    std::string caps = "101 caps\r\nVERSION 2\r\nREADER\r\n";
    std::string authinfo;
    if (o.password_command) authinfo += " USER";
    if (!o.mechanisms.empty()) authinfo += " SASL";
    if (!authinfo.empty()) caps += "AUTHINFO" + authinfo + "\r\n";
    if (!o.mechanisms.empty()) caps += "SASL " + join(o.mechanisms, "", " ") + "\r\n";
    caps += ".\r\n";
    if (!o.tls) return {"200 ready\r\n", caps};
    return {"200 ready\r\n", "101 caps\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n", "382 go\r\n", caps};
}

std::vector<std::string> opening_smtp(const offer& o) {
    std::string ehlo = "250-mx\r\n";
    if (!o.mechanisms.empty()) ehlo += "250-AUTH " + join(o.mechanisms, "", " ") + "\r\n";
    ehlo += "250 8BITMIME\r\n";
    if (!o.tls) return {"220 ready\r\n", ehlo};
    return {"220 ready\r\n", "250-mx\r\n250 STARTTLS\r\n", "220 go\r\n", ehlo};
}

sasl::credentials alice() {
    sasl::credentials c;
    c.username = "alice@lab.test";
    c.password = "alice-pass-1";
    return c;
}

// Connects the client to a server playing opening + after, then authenticates.
template <class Client, class Options>
struct run {
    test::duplex_fixture<Client> f;
    std::error_code ec;
    core::auth_result result;
};

template <class Client, class Options>
run<Client, Options> attempt(std::vector<std::string> chunks, bool tls, const sasl::selection_options& sel,
                             Options opts, const std::vector<std::string>& after = {}) {
    for (const auto& a : after) chunks.push_back(a);
    test::duplex_options d;
    d.pretend_tls = tls;
    net::endpoint ep;
    run<Client, Options> r{test::start_on_duplex<Client>(std::move(chunks), tls ? net::tls_mode::starttls
                                                                                 : net::tls_mode::none,
                                                         d, opts),
                           {}, {}};
    r.ec = code_of([&] { r.result = r.f.c->authenticate(alice(), sel); });
    return r;
}

imap::client_options imap_opts() {
    imap::client_options o;
    o.tag_prefix = "A";
    return o;
}

// The same rule checked on every protocol: `expect` is the mechanism used, or
// empty when authenticate() must fail with `code` having sent nothing.
void check_rule(const offer& o, const sasl::selection_options& sel, const std::string& expect, core::errc code) {
    const std::vector<std::string> ok_pop3 = {"+OK welcome\r\n", "+OK\r\n.\r\n"};
    {
        std::vector<std::string> ok = ok_pop3;
        if (expect == "PASSWORD") ok.insert(ok.begin(), "+OK user\r\n");  // USER, then PASS
        auto r = attempt<pop3::client>(opening_pop3(o), o.tls, sel, pop3::client_options{},
                                       expect.empty() ? std::vector<std::string>{} : ok);
        INFO("POP3");
        if (expect.empty()) {
            CHECK(r.ec == make_error_code(code));
            CHECK(r.f.c->state() == pop3::state::authorization);
        } else {
            CHECK_FALSE(r.ec);
            CHECK(r.result.mechanism == (expect == "PASSWORD" ? "USER" : expect));
        }
    }
    {
        // Success replies: the tagged OK for AUTHENTICATE / LOGIN, then CAPABILITY.
        const std::string t = o.tls ? "A3" : "A1";
        const std::string t2 = o.tls ? "A4" : "A2";
        std::vector<std::string> ok = {t + " OK done\r\n", "* CAPABILITY IMAP4rev1\r\n" + t2 + " OK\r\n"};
        if (expect == "SCRAM-SHA-256" || expect == "CRAM-MD5") ok.clear();  // not exercised below
        auto r = attempt<imap::client>(opening_imap(o), o.tls, sel, imap_opts(),
                                       expect.empty() ? std::vector<std::string>{} : ok);
        INFO("IMAP");
        if (expect.empty()) {
            CHECK(r.ec == make_error_code(code == core::errc::no_mechanism && !o.password_command && o.mechanisms.empty()
                                              ? core::errc::no_mechanism
                                              : code));
        } else if (!ok.empty()) {
            CHECK_FALSE(r.ec);
            CHECK(r.result.mechanism == (expect == "PASSWORD" ? "LOGIN" : expect));
        }
    }
    {
        std::vector<std::string> ok = {expect == "PASSWORD" ? "381 more\r\n" : "", "281 ok\r\n",
                                       "101 caps\r\nVERSION 2\r\nREADER\r\n.\r\n"};
        auto r = attempt<nntp::client>(opening_nntp(o), o.tls, sel, nntp::client_options{},
                                       expect.empty() ? std::vector<std::string>{} : ok);
        INFO("NNTP");
        if (expect.empty()) CHECK(r.ec == make_error_code(code));
        else {
            CHECK_FALSE(r.ec);
            CHECK(r.result.mechanism == (expect == "PASSWORD" ? "AUTHINFO USER" : expect));
        }
    }
    if (expect != "PASSWORD") {
        // SMTP has no password command: without SASL it has nothing.
        auto r = attempt<smtp::client>(opening_smtp(o), o.tls, sel, smtp::client_options{},
                                       expect.empty() ? std::vector<std::string>{} : std::vector<std::string>{"235 ok\r\n"});
        INFO("SMTP");
        // Nothing but a password offered: SMTP has no password command at all.
        if (expect.empty()) CHECK(r.ec == make_error_code(o.mechanisms.empty() ? core::errc::no_mechanism : code));
        else {
            CHECK_FALSE(r.ec);
            CHECK(r.result.mechanism == expect);
        }
    }
}

} // namespace

TEST_CASE("PLAIN over TLS, with the initial response on the command line") {
    check_rule({{"PLAIN"}, true, true}, {}, "PLAIN", core::errc::ok);
}

TEST_CASE("PLAIN and password commands are refused without TLS") {
    check_rule({{"PLAIN"}, true, false}, {}, "", core::errc::cleartext_refused);
    check_rule({{}, true, false}, {}, "", core::errc::cleartext_refused);
}

TEST_CASE("allow_cleartext_secrets lets PLAIN through without TLS") {
    sasl::selection_options clear;
    clear.allow_cleartext_secrets = true;
    check_rule({{"PLAIN"}, true, false}, clear, "PLAIN", core::errc::ok);
}

TEST_CASE("no SASL mechanism: the password command, over TLS") {
    check_rule({{}, true, true}, {}, "PASSWORD", core::errc::ok);
}

TEST_CASE("a caller who names mechanisms gets no password fallback") {
    sasl::selection_options only;
    only.allowed = {"SCRAM-SHA-1"};
    check_rule({{"PLAIN"}, true, true}, only, "", core::errc::no_mechanism);
}

TEST_CASE("nothing offered at all") {
    check_rule({{}, false, true}, {}, "", core::errc::no_mechanism);
}

TEST_CASE("fallback: only when the server refuses the mechanism itself") {
    sasl::selection_options clear;
    clear.allow_cleartext_secrets = true;
    // SMTP 504 for CRAM-MD5, then PLAIN succeeds.
    {
        auto r = attempt<smtp::client>(opening_smtp({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                       smtp::client_options{}, {"504 5.5.4 unrecognized\r\n", "235 ok\r\n"});
        CHECK_FALSE(r.ec);
        CHECK(r.result.mechanism == "PLAIN");
    }
    // SMTP 535 (credentials refused) ends it: no second try with the same password.
    {
        auto r = attempt<smtp::client>(opening_smtp({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                       smtp::client_options{}, {"535 5.7.8 bad\r\n", "235 ok\r\n"});
        CHECK(r.ec == make_error_code(core::errc::auth_failed));
        CHECK(r.f.peer.written().find("AUTH PLAIN") == std::string::npos);
    }
    // NNTP 503 falls back; 481 does not.
    {
        auto r = attempt<nntp::client>(opening_nntp({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                       nntp::client_options{},
                                       {"503 no such mechanism\r\n", "281 ok\r\n", "101 caps\r\nVERSION 2\r\n.\r\n"});
        CHECK_FALSE(r.ec);
        CHECK(r.result.mechanism == "PLAIN");
        auto r2 = attempt<nntp::client>(opening_nntp({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                        nntp::client_options{}, {"481 bad\r\n"});
        CHECK(r2.ec == make_error_code(core::errc::auth_failed));
    }
    // IMAP BAD falls back; NO does not.
    {
        auto r = attempt<imap::client>(opening_imap({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear, imap_opts(),
                                       {"A1 BAD unsupported\r\n", "A2 OK done\r\n", "* CAPABILITY IMAP4rev1\r\nA3 OK\r\n"});
        CHECK_FALSE(r.ec);
        CHECK(r.result.mechanism == "PLAIN");
        auto r2 = attempt<imap::client>(opening_imap({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear, imap_opts(),
                                        {"A1 NO [AUTHENTICATIONFAILED] bad\r\n"});
        CHECK(r2.ec == make_error_code(core::errc::auth_failed));
    }
    // POP3 with AUTH-RESP-CODE: a bare -ERR falls back, -ERR [AUTH] does not.
    {
        auto r = attempt<pop3::client>(opening_pop3({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                       pop3::client_options{},
                                       {"-ERR unsupported\r\n", "+OK in\r\n", "+OK\r\n.\r\n"});
        CHECK_FALSE(r.ec);
        CHECK(r.result.mechanism == "PLAIN");
        auto r2 = attempt<pop3::client>(opening_pop3({{"CRAM-MD5", "PLAIN"}, true, false}), false, clear,
                                        pop3::client_options{}, {"-ERR [AUTH] bad\r\n"});
        CHECK(r2.ec == make_error_code(core::errc::auth_failed));
    }
}

TEST_CASE("one error category and hierarchy for every protocol") {
    CHECK(&pop3::make_error_code(pop3::errc::auth_failed).category() ==
          &imap::make_error_code(imap::errc::auth_failed).category());
    CHECK(&nntp::make_error_code(nntp::errc::auth_failed).category() ==
          &smtp::make_error_code(smtp::errc::auth_failed).category());
    CHECK(std::string(core::client_category().name()) == "pigeon.client");
    core::server_reply r;
    r.response_code = "SYS/TEMP";
    CHECK(r.has_code("SYS"));
    CHECK(r.has_code("sys/temp"));
    CHECK_FALSE(r.has_code("SY"));
}
