// The exchange loop against a fake in-memory binding.
#include <doctest/doctest.h>

#include <memory>
#include <ostream>  // lets doctest print std::error_code
#include <string>

#include "fake_binding.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/scram.hpp"

using namespace std::string_literals;
using pigeon::sasl::credentials;
using pigeon::sasl::errc;
using pigeon::sasl::exchange;
using pigeon::sasl::exchange_limits;
using pigeon::sasl::make_mechanism;
using sasl_test::b64;
using sasl_test::fake_binding;

namespace {

credentials tim() {
    credentials c;
    c.username = "tim";
    c.password = "tanstaaftanstaaf";
    return c;
}

credentials user_pencil() {
    credentials c;
    c.username = "user";
    c.password = "pencil";
    return c;
}

std::unique_ptr<pigeon::sasl::mechanism> rfc7677_scram() {
    pigeon::sasl::scram_options o;
    o.client_nonce = "rOprNGfwEbeRWgbNEkqO";
    return pigeon::sasl::make_scram(pigeon::sasl::scram_hash::sha256, user_pencil(), {}, o);
}

const char* const scram_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const char* const scram_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const char* const scram_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

} // namespace

TEST_CASE("exchange: initial response on the start line") {
    fake_binding b;
    b.success();
    auto m = make_mechanism("PLAIN", tim());
    const auto r = exchange(*m, b);
    CHECK(r.ok);
    CHECK_FALSE(r.error);
    CHECK(b.start_mech == "PLAIN");
    REQUIRE(b.start_initial);
    CHECK(*b.start_initial == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");  // RFC 4616 section 4
    CHECK(b.responses.empty());
    CHECK(b.pending() == 0);
}

TEST_CASE("exchange: an empty initial response is '=' on the start line") {
    fake_binding b;
    b.success();
    auto m = make_mechanism("EXTERNAL", credentials{});
    CHECK(exchange(*m, b).ok);
    REQUIRE(b.start_initial);
    CHECK(*b.start_initial == "=");
}

TEST_CASE("exchange: initial response after an empty challenge when it does not fit") {
    SUBCASE("no room at all (IMAP without SASL-IR)") {
        fake_binding b;
        b.start_line_room = 0;
        b.challenge("");
        b.success();
        auto m = make_mechanism("PLAIN", tim());
        CHECK(exchange(*m, b).ok);
        CHECK_FALSE(b.start_initial);
        CHECK(b.responses == std::vector<std::string>{"AHRpbQB0YW5zdGFhZnRhbnN0YWFm"});
    }
    SUBCASE("too long for the line") {
        fake_binding b;
        b.start_line_room = 10;
        b.challenge("");
        b.success();
        auto m = make_mechanism("PLAIN", tim());
        CHECK(exchange(*m, b).ok);
        CHECK_FALSE(b.start_initial);
        CHECK(b.responses.size() == 1);
    }
    SUBCASE("an empty deferred response is an empty line, not '='") {
        fake_binding b;
        b.start_line_room = 0;
        b.challenge("");
        b.success();
        auto m = make_mechanism("EXTERNAL", credentials{});
        CHECK(exchange(*m, b).ok);
        CHECK(b.responses == std::vector<std::string>{""});
    }
}

TEST_CASE("exchange: LOGIN's two challenges") {
    fake_binding b;
    b.challenge("VXNlcm5hbWU6");  // "Username:"
    b.challenge("UGFzc3dvcmQ6");  // "Password:"
    b.success();
    auto m = make_mechanism("LOGIN", tim());
    const auto r = exchange(*m, b);
    CHECK(r.ok);
    CHECK(b.start_mech == "LOGIN");
    CHECK_FALSE(b.start_initial);
    CHECK(b.responses == std::vector<std::string>{b64("tim"), b64("tanstaaftanstaaf")});
}

TEST_CASE("exchange: CRAM-MD5 RFC 2195 on the wire") {
    fake_binding b;
    b.challenge("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    b.success();
    auto m = make_mechanism("CRAM-MD5", tim());
    CHECK(exchange(*m, b).ok);
    CHECK(b.responses == std::vector<std::string>{"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"});
}

TEST_CASE("exchange: XOAUTH2 error challenge gets an empty response, then rejected") {
    fake_binding b;
    b.challenge(b64(R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})"));
    b.failure();
    credentials c;
    c.username = "someuser@example.com";
    c.oauth_token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
    auto m = make_mechanism("XOAUTH2", c);
    const auto r = exchange(*m, b);
    CHECK_FALSE(r.ok);
    CHECK(r.error == errc::rejected);
    REQUIRE(b.start_initial);
    CHECK(*b.start_initial ==
          "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
    CHECK(b.responses == std::vector<std::string>{""});
    CHECK(b.cancels == 0);
}

TEST_CASE("exchange: failure reply is errc::rejected") {
    fake_binding b;
    b.failure();
    auto m = make_mechanism("PLAIN", tim());
    const auto r = exchange(*m, b);
    CHECK_FALSE(r.ok);
    CHECK(r.error == errc::rejected);
    CHECK(r.final_reply.type == pigeon::sasl::reply::kind::failure);
}

TEST_CASE("exchange: the challenge limit") {
    fake_binding b;
    b.challenge("");
    b.challenge("");
    b.failure();  // the answer to the cancel
    credentials c;
    c.username = "u";
    c.oauth_token = "t";
    // OAUTHBEARER answers one error challenge; with a limit of 1 the second
    // challenge must end the exchange with a cancel.
    exchange_limits limits;
    limits.max_challenges = 1;
    auto m = make_mechanism("OAUTHBEARER", c);
    const auto r = exchange(*m, b, limits);
    CHECK_FALSE(r.ok);
    CHECK(r.error == errc::too_many_challenges);
    CHECK(b.cancels == 1);
    CHECK(b.responses == std::vector<std::string>{"AQ==", "*"});
    CHECK(r.final_reply.type == pigeon::sasl::reply::kind::failure);
}

TEST_CASE("exchange: an endless server stops at the default limit") {
    fake_binding b;
    for (int i = 0; i < 50; ++i) b.challenge("VXNlcm5hbWU6");
    b.failure();
    struct endless final : pigeon::sasl::mechanism {
        std::string_view name() const noexcept override { return "X-ENDLESS"; }
        std::optional<std::string> initial_response(std::error_code& ec) override {
            ec.clear();
            return std::nullopt;
        }
        std::string respond(std::string_view, std::error_code& ec) override {
            ec.clear();
            return "again";
        }
        bool exposes_secret() const noexcept override { return false; }
    } m;
    const auto r = exchange(m, b);
    CHECK(r.error == errc::too_many_challenges);
    CHECK(b.responses.size() == exchange_limits{}.max_challenges + 1);
    CHECK(b.responses.back() == "*");
}

TEST_CASE("exchange: cancel on a mechanism error") {
    SUBCASE("LOGIN asked a third time") {
        fake_binding b;
        b.challenge("VXNlcm5hbWU6");
        b.challenge("UGFzc3dvcmQ6");
        b.challenge("UGFzc3dvcmQ6");
        b.failure();
        auto m = make_mechanism("LOGIN", tim());
        const auto r = exchange(*m, b);
        CHECK(r.error == errc::bad_challenge);
        CHECK(b.cancels == 1);
        CHECK(b.responses.back() == "*");
        CHECK(b.pending() == 0);
    }
    SUBCASE("SCRAM with a bad server nonce") {
        fake_binding b;
        b.challenge(b64("r=someone-else,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        b.failure();
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK(r.error == errc::bad_server_nonce);
        CHECK(b.responses == std::vector<std::string>{"*"});
    }
    SUBCASE("a challenge that is not base64") {
        for (const char* bad : {"not base64!", "QUJD\r\n", "QUJ", "Q===", " QUJD", "QU=D", "QR==", "QUJE="}) {
            CAPTURE(bad);
            fake_binding b;
            b.challenge(bad);
            b.failure();
            auto m = make_mechanism("LOGIN", tim());
            const auto r = exchange(*m, b);
            CHECK(r.error == errc::bad_challenge);
            CHECK(b.responses == std::vector<std::string>{"*"});
        }
    }
    SUBCASE("the mechanism fails before anything is sent") {
        fake_binding b;
        auto m = make_mechanism("PLAIN", credentials{});
        const auto r = exchange(*m, b);
        CHECK(r.error == errc::missing_credentials);
        CHECK_FALSE(b.started);
        CHECK(b.reads == 0);
    }
}

TEST_CASE("exchange: SCRAM-SHA-256 full exchange") {
    SUBCASE("server-final as a challenge") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.challenge(b64(scram_server_final));
        b.success();
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK(r.ok);
        REQUIRE(b.start_initial);
        CHECK(*b.start_initial == b64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        CHECK(b.responses == std::vector<std::string>{b64(scram_client_final), ""});
    }
    SUBCASE("server-final data delivered with the success reply") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.success(b64(scram_server_final));
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK(r.ok);
        CHECK_FALSE(r.error);
        CHECK(b.responses == std::vector<std::string>{b64(scram_client_final)});
        CHECK(m->server_verified());
    }
    SUBCASE("wrong signature with the success reply") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.success(b64("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK_FALSE(r.ok);
        CHECK(r.error == errc::bad_server_signature);
    }
    SUBCASE("wrong signature as a challenge: cancel") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.challenge(b64("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
        b.failure();
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK(r.error == errc::bad_server_signature);
        CHECK(b.responses.back() == "*");
    }
    SUBCASE("success before verification is refused") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.success();  // no server-final at all
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK_FALSE(r.ok);
        CHECK(r.error == errc::bad_server_signature);
        CHECK(r.final_reply.type == pigeon::sasl::reply::kind::success);
    }
    SUBCASE("success right after the client-first is refused") {
        fake_binding b;
        b.success();
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK_FALSE(r.ok);
        CHECK(r.error == errc::bad_server_signature);
    }
    SUBCASE("success data that is not base64") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.success("v=???");
        auto m = rfc7677_scram();
        CHECK(exchange(*m, b).error == errc::bad_challenge);
    }
    SUBCASE("server error in the server-final") {
        fake_binding b;
        b.challenge(b64(scram_server_first));
        b.challenge(b64("e=invalid-proof"));
        b.failure();
        auto m = rfc7677_scram();
        const auto r = exchange(*m, b);
        CHECK(r.error == errc::rejected);
        CHECK(b.responses.back() == "*");
    }
}

TEST_CASE("exchange: transport errors propagate") {
    fake_binding b;  // empty script: read_reply throws
    auto m = make_mechanism("PLAIN", tim());
    CHECK_THROWS_AS(exchange(*m, b), std::runtime_error);
}

TEST_CASE("exchange: no secret in what a failure reports") {
    const std::string password = "tanstaaftanstaaf";
    fake_binding b;
    b.challenge("VXNlcm5hbWU6");
    b.challenge("UGFzc3dvcmQ6");
    b.failure();
    auto m = make_mechanism("LOGIN", tim());
    const auto r = exchange(*m, b);
    REQUIRE(r.error == errc::rejected);
    const std::string msg = r.error.message();
    CHECK(msg.find(password) == std::string::npos);
    CHECK(msg.find(b64(password)) == std::string::npos);
    CHECK(r.final_reply.payload.find(b64(password)) == std::string::npos);
}
