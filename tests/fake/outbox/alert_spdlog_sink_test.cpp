// The spdlog sink (outbox/alert_spdlog_sink.hpp) end to end: a logger's
// records at or above the mailer's threshold reach a scripted SMTP server as
// a digest, with the logger's name as the subject key.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <memory>

#include <spdlog/logger.h>

#include "pigeon/outbox/alert_spdlog_sink.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace std::chrono_literals;

TEST_CASE("alert_sink: an spdlog logger mails its errors through the alert mailer") {
    test::script_server srv(R"(
        S: 220 fake.example ESMTP
        C: EHLO localhost
        S: 250 fake.example
        C: MAIL FROM:<alerts@lab.test>
        S: 250 2.1.0 Ok
        C: RCPT TO:<ops@lab.test>
        S: 250 2.1.5 Ok
        C: DATA
        S: 354 go ahead
        C~ Date: .*
        C: From: alerts@lab.test
        C: To: ops@lab.test
        C: Subject: [alert] billing error
        C~ Message-ID: <.*@lab.test>
        C: MIME-Version: 1.0
        C~ Content-Type: text/plain.*
        C~ Content-Transfer-Encoding: 7bit
        C:
        C~ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ error: payment gateway down: timeout after 30 s
        C: .
        S: 250 2.0.0 Ok: queued
        C: QUIT
        S: 221 2.0.0 Bye
    )");
    outbox::alert_options o;
    o.server = "smtp://127.0.0.1:" + std::to_string(srv.port());
    o.clear_text = true;
    o.from = "alerts@lab.test";
    o.to = {"ops@lab.test"};
    o.threshold = outbox::alert_level::error;
    o.send.client.net.connect.connect_timeout = 5s;
    o.send.client.net.connect.io_timeout = 5s;
    auto mailer = std::make_shared<outbox::alert_mailer>(o);
    auto sink = std::make_shared<outbox::alert_sink_mt>(mailer);
    CHECK(sink->level() == spdlog::level::err);
    spdlog::logger log("billing", sink);
    log.set_level(spdlog::level::trace);
    log.info("started");                  // below the mailer's threshold
    log.warn("slow answer: {} ms", 900);  // below it too
    log.error("payment gateway down: {}", "timeout after 30 s");
    const auto s = mailer->close(10s);
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(s.queued == 1);
    CHECK(s.sent == 1);
    CHECK(s.listed == 1);
    CHECK(s.dropped == 0);
}

TEST_CASE("alert_sink: spdlog levels map to alert levels") {
    CHECK(outbox::alert_level_of(spdlog::level::warn) == outbox::alert_level::warning);
    CHECK(outbox::alert_level_of(spdlog::level::critical) == outbox::alert_level::critical);
    CHECK(outbox::spdlog_level_of(outbox::alert_level::error) == spdlog::level::err);
    for (auto l : {outbox::alert_level::trace, outbox::alert_level::debug, outbox::alert_level::info,
                   outbox::alert_level::warning, outbox::alert_level::error, outbox::alert_level::critical})
        CHECK(outbox::alert_level_of(outbox::spdlog_level_of(l)) == l);
}
