// Bearer tokens over NNTP (AUTHINFO SASL, RFC 4643) with the library's
// refresh-and-retry login (oauth2::authenticate_with_token): what the lab
// shows for SMTP, IMAP and POP3 against Dovecot, against scripted servers
// here, since INN offers no bearer mechanism.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pigeon/nntp/client.hpp"
#include "pigeon/oauth2/token_source.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"
#include "support/secrets.hpp"

using namespace pigeon;
using pigeon::test::check_script;
using pigeon::test::script_server;

namespace {

/// Hands out token-1, token-2, ... and counts the renewals.
class numbered_tokens final : public oauth2::token_source {
public:
    std::string access_token() override { return "token-" + std::to_string(current_); }
    bool renew_after_rejection(const std::string& rejected) override {
        rejections.push_back(rejected);
        if (current_ >= limit) return false;
        ++current_;
        return true;
    }
    int limit = 2;
    std::vector<std::string> rejections;

private:
    int current_ = 1;
};

nntp::client connect(const script_server& srv, const net::trace_options& trace = {}) {
    nntp::client_options o;
    o.net = test::script_session_options(srv);
    o.net.trace = trace;
    return test::connected<nntp::client>(test::script_endpoint(srv, net::protocol::nntp, net::tls_mode::implicit), o);
}

sasl::credentials user_only() {
    sasl::credentials c;
    c.username = "alice@lab.test";
    return c;
}

} // namespace

TEST_CASE("XOAUTH2 over NNTP: a rejected token is renewed once and the login retried") {
    auto srv = script_server::from_file("nntp/auth_xoauth2_renewed.txt");
    test::secrets::recorder rec;
    auto c = connect(srv, rec.options());
    numbered_tokens tokens;
    auto used = oauth2::authenticate_with_token(c, user_only(), {}, &tokens);
    CHECK(used.mechanism == "XOAUTH2");
    CHECK(tokens.rejections == std::vector<std::string>{"token-1"});
    c.quit();
    check_script(srv);
    CHECK(rec.text.find("AUTHINFO SASL XOAUTH2 <redacted>") != std::string::npos);
    CHECK(test::secrets::leaked(rec.text, "token-1").empty());
    CHECK(test::secrets::leaked(rec.text, "token-2").empty());
}

TEST_CASE("XOAUTH2 over NNTP: a renewed token rejected too ends with the server's refusal") {
    auto srv = script_server::from_file("nntp/auth_xoauth2_rejected_twice.txt");
    auto c = connect(srv);
    numbered_tokens tokens;
    try {
        oauth2::authenticate_with_token(c, user_only(), {}, &tokens);
        FAIL("no auth_error");
    } catch (const core::auth_error& e) {
        CHECK(e.code() == core::errc::auth_failed);
        CHECK(e.server_reply().code == 481);
        CHECK(e.mechanism() == "XOAUTH2");
    }
    CHECK(tokens.rejections == std::vector<std::string>{"token-1"});  // the second is not renewed
    c.quit();
    check_script(srv);
}

TEST_CASE("without a token source: one attempt, as authenticate()") {
    auto srv = script_server::from_file("nntp/auth_xoauth2_rejected_twice.txt");
    auto c = connect(srv);
    auto creds = user_only();
    creds.oauth_token = "token-1";
    CHECK_THROWS_AS(oauth2::authenticate_with_token(c, creds, {}, nullptr), core::auth_error);
    CHECK(oauth2::is_bearer_mechanism("oauthbearer"));
    CHECK_FALSE(oauth2::is_bearer_mechanism("PLAIN"));
}
