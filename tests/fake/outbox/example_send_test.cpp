// The README example (README.md, "Sending mail with the library"): an alert
// sent in one call, compiled as written there and run against a scripted
// server; and the bridge from SMTP results and failures to the spool's
// per-recipient outcomes (outbox/attempt.hpp).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

// ---- the example (README.md, "Sending mail with the library") -----------
#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/outbox/send.hpp"

using namespace pigeon;

smtp::send_result send_alert(const std::string& server, const sasl::credentials& who, const std::string& text,
                             const outbox::send_options& opts = {}) {
    auto msg = mime::message_builder{}.from("alerts@lab.test").to("ops@lab.test").bcc("audit@lab.test")
                   .subject("disk almost full").text(text).build();
    return outbox::send(server, who, msg, opts);  // Bcc: in the envelope only, never in the message
}
// The same through an account of ~/.config/pigeon/config.toml (server, TLS, login):
smtp::send_result send_alert(const outbox::account_ref& account, const std::string& text) {
    auto msg = mime::message_builder{}.from("alerts@lab.test").to("ops@lab.test").subject("disk almost full")
                   .text(text).build();
    return outbox::send(account, msg);  // e.g. send_alert(outbox::account_ref("alerts"), text)
}
// ---- end of the example --------------------------------------------------

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "pigeon/outbox/attempt.hpp"
#include "pigeon/smtp/error.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

TEST_CASE("README example: an alert in one call, Bcc in the envelope only, a result per recipient") {
    test::script_server srv(R"(
        TLS
        S: 220 fake.example ESMTP
        C: EHLO localhost
        S: 250-fake.example
        S: 250-PIPELINING
        S: 250-AUTH PLAIN
        S: 250 ENHANCEDSTATUSCODES
        C: AUTH PLAIN %b64{\x00alice@lab.test\x00alice-pass-1}
        S: 235 2.7.0 Authentication successful
        C: MAIL FROM:<alerts@lab.test>
        C: RCPT TO:<ops@lab.test>
        C: RCPT TO:<audit@lab.test>
        S: 250 2.1.0 Ok
        S: 250 2.1.5 Ok
        S: 450 4.2.1 <audit@lab.test>: mailbox busy
        C: DATA
        S: 354 End data with <CR><LF>.<CR><LF>
        C~ Date: .*
        C: From: alerts@lab.test
        C: To: ops@lab.test
        C: Subject: disk almost full
        C~ Message-ID: <.*@lab.test>
        C: MIME-Version: 1.0
        C~ Content-Type: text/plain.*
        C~ Content-Transfer-Encoding: 7bit
        C:
        C: /var is at 97%%
        C: .
        S: 250 2.0.0 Ok: queued as 4XyZ12
        C: QUIT
        S: 221 2.0.0 Bye
    )");
    outbox::send_options opts;
    opts.client.net = test::script_session_options(srv);
    const auto r = send_alert("smtps://127.0.0.1:" + std::to_string(srv.port()), test::alice(), "/var is at 97%\n", opts);
    test::check_script(srv);  // no Bcc line: every message line is matched
    REQUIRE(r.recipients.size() == 2);
    CHECK(r.recipients[0].accepted());
    CHECK_FALSE(r.recipients[1].accepted());
    REQUIRE(r.recipients[1].refusal() != nullptr);
    CHECK(r.recipients[1].refusal()->code == 450);

    const auto outcomes = outbox::outcomes_of(r);
    REQUIRE(outcomes.size() == 2);
    CHECK(outcomes[0].result == store::outcome::accepted);
    CHECK(outcomes[0].reply == "250 2.0.0 Ok: queued as 4XyZ12");
    CHECK(outcomes[1].result == store::outcome::temporary);
    CHECK(outcomes[1].reply == "450 4.2.1 <audit@lab.test>: mailbox busy");
}

TEST_CASE("README example: the same alert through a configured account (the default config file)") {
    test::script_server srv(R"(
        TLS
        S: 220 fake.example ESMTP
        C: EHLO localhost
        S: 250-fake.example
        S: 250-AUTH PLAIN SCRAM-SHA-256
        S: 250 ENHANCEDSTATUSCODES
        C: AUTH PLAIN %b64{\x00alice@lab.test\x00alice-pass-1}
        S: 235 2.7.0 Authentication successful
        C: MAIL FROM:<alerts@lab.test>
        S: 250 2.1.0 Ok
        C: RCPT TO:<ops@lab.test>
        S: 250 2.1.5 Ok
        C: DATA
        S: 354 End data with <CR><LF>.<CR><LF>
        C~ Date: .*
        C: From: alerts@lab.test
        C: To: ops@lab.test
        C: Subject: disk almost full
        C~ Message-ID: <.*@lab.test>
        C: MIME-Version: 1.0
        C~ Content-Type: text/plain.*
        C~ Content-Transfer-Encoding: 7bit
        C:
        C: /var is at 98%%
        C: .
        S: 250 2.0.0 Ok: queued as 5AbC34
        C: QUIT
        S: 221 2.0.0 Bye
    )");
    // $XDG_CONFIG_HOME/pigeon/config.toml, as a user's would be; mode 0600
    // (it holds a password); auth_mech picks PLAIN over SCRAM.
    char tmpl[] = "/tmp/pigeon-account-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::filesystem::path home(tmpl);
    std::filesystem::create_directories(home / "pigeon");
    const std::string cfg = (home / "pigeon" / "config.toml").string();
    {
        std::ofstream f(cfg);
        f << "[accounts.alerts]\nserver = \"smtps://127.0.0.1:" << srv.port() << "\"\ntls_ca = \""
          << srv.write_ca_file() << "\"\nuser = \"alice@lab.test\"\npassword = \"alice-pass-1\"\n"
          << "auth_mech = \"PLAIN\"\ntimeout = 5\n";
    }
    ::chmod(cfg.c_str(), 0600);
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CONFIG_HOME", home.c_str(), 1);
    smtp::send_result r;
    std::string error;
    try {
        r = send_alert(outbox::account_ref("alerts"), "/var is at 98%\n");
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (old) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
    else ::unsetenv("XDG_CONFIG_HOME");
    std::filesystem::remove_all(home);
    REQUIRE_MESSAGE(error.empty(), error);
    test::check_script(srv);
    REQUIRE(r.recipients.size() == 1);
    CHECK(r.recipients[0].accepted());
}

TEST_CASE("outbox::send: a bad URL is refused before anything happens") {
    const auto msg = mime::message_builder{}.from("a@lab.test").to("b@lab.test").text("x").build();
    CHECK_THROWS_AS(outbox::send("http://example.org", {}, msg), smtp::request_error);
    CHECK(outbox::envelope_of(msg).recipients.size() == 1);
}

TEST_CASE("attempt: what a failure means for each recipient") {
    const std::vector<std::string> rcpts = {"a@lab.test", "b@lab.test"};
    SUBCASE("no connection: everyone stays pending") {
        const auto msg = mime::message_builder{}.from("a@lab.test").to("b@lab.test").text("x").build();
        outbox::send_options o;
        o.client.net.connect.connect_timeout = std::chrono::seconds(5);
        try {
            (void)outbox::send("smtp://127.0.0.1:1", {}, msg, o);
            FAIL("sent to a closed port");
        } catch (const std::exception& e) {
            const auto f = outbox::outcomes_of_failure(e, rcpts);
            CHECK(f.outcomes.empty());
            CHECK_FALSE(f.error.empty());
        }
    }
    SUBCASE("every recipient refused: each keeps its own reply") {
        smtp::recipient_result a, b;
        a.address = "a@lab.test";
        a.rcpt_reply = {550, smtp::enhanced_status{5, 1, 1}, {"5.1.1 no such user"}};
        b.address = "b@lab.test";
        b.rcpt_reply = {451, smtp::enhanced_status{4, 3, 0}, {"4.3.0 later"}};
        const smtp::send_error e(smtp::errc::recipients_refused, "refused", a.rcpt_reply, {a, b});
        const auto f = outbox::outcomes_of_failure(e, rcpts);
        REQUIRE(f.outcomes.size() == 2);
        CHECK(f.outcomes[0].result == store::outcome::permanent);
        CHECK(f.outcomes[1].result == store::outcome::temporary);
        CHECK(f.outcomes[1].reply == "451 4.3.0 later");
    }
    SUBCASE("MAIL FROM refused 4xx: the deciding reply for all, temporary") {
        smtp::recipient_result a;
        a.address = "a@lab.test";
        const smtp::reply mail{421, std::nullopt, {"busy"}};
        const smtp::send_error e(smtp::errc::sender_refused, "refused", mail, {a});
        const auto f = outbox::outcomes_of_failure(e, {"a@lab.test"});
        REQUIRE(f.outcomes.size() == 1);
        CHECK(f.outcomes[0].result == store::outcome::temporary);
    }
    SUBCASE("refused locally (over SIZE, extension missing): permanent for all") {
        const smtp::request_error e(smtp::errc::invalid_parameter, "DSN not offered");
        const auto f = outbox::outcomes_of_failure(e, rcpts);
        REQUIRE(f.outcomes.size() == 2);
        CHECK(f.outcomes[1].result == store::outcome::permanent);
    }
    SUBCASE("authentication refused: a configuration to fix, kept pending") {
        const smtp::auth_error e(smtp::errc::auth_failed, "535 refused", smtp::to_server_reply({535, std::nullopt, {"no"}}));
        CHECK(outbox::outcomes_of_failure(e, rcpts).outcomes.empty());
    }
}
