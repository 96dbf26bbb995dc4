#include <ostream>

#include <doctest/doctest.h>

#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/token_response.hpp"

using namespace pigeon::oauth2;

TEST_CASE("token response: a refresh answer") {
    token_set t;
    error_document e;
    auto ec = parse_token_response(
        200, R"({"access_token":"ya29.x","expires_in":3599,"scope":"https://mail.google.com/","token_type":"Bearer"})",
        t, e);
    REQUIRE_FALSE(ec);
    CHECK(t.access_token == "ya29.x");
    CHECK(t.token_type == "Bearer");
    REQUIRE(t.expires_in);
    CHECK(t.expires_in->count() == 3599);
    CHECK(t.refresh_token.empty());
    CHECK(t.scope == "https://mail.google.com/");
}

TEST_CASE("token response: expires_in as a string, no token_type, a new refresh token") {
    token_set t;
    error_document e;
    REQUIRE_FALSE(parse_token_response(200, R"({"access_token":"a","expires_in":"3600","refresh_token":"r"})", t, e));
    CHECK(t.expires_in->count() == 3600);
    CHECK(t.refresh_token == "r");
    REQUIRE_FALSE(parse_token_response(200, R"({"access_token":"a","expires_in":"soon"})", t, e));
    CHECK_FALSE(t.expires_in);
}

TEST_CASE("token response: refusals carry the provider's words") {
    token_set t;
    error_document e;
    auto ec = parse_token_response(
        400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})", t, e);
    CHECK(ec == errc::refused);
    CHECK(e.error == "invalid_grant");
    CHECK(e.description == "Token has been expired or revoked.");
    CHECK(t.access_token.empty());
    CHECK(parse_token_response(400, R"({"error":"authorization_pending"})", t, e) == errc::authorization_pending);
    CHECK(parse_token_response(400, R"({"error":"slow_down"})", t, e) == errc::slow_down);
    CHECK(parse_token_response(400, R"({"error":"access_denied"})", t, e) == errc::access_denied);
    CHECK(parse_token_response(400, R"({"error":"expired_token"})", t, e) == errc::expired_token);
    // An error document with status 200 is still an error.
    CHECK(parse_token_response(200, R"({"error":"invalid_client"})", t, e) == errc::refused);
}

TEST_CASE("token response: HTTP errors and unusable answers") {
    token_set t;
    error_document e;
    CHECK(parse_token_response(502, "<html>Bad gateway</html>", t, e) == errc::http_status);
    CHECK(e.description.find("HTTP 502") == 0);
    CHECK(parse_token_response(200, "not json", t, e) == errc::bad_response);
    CHECK(parse_token_response(200, R"({"expires_in":1})", t, e) == errc::bad_response);
    CHECK(parse_token_response(200, R"({"access_token":"a","token_type":"mac"})", t, e) == errc::bad_response);
    CHECK(parse_token_response(200, R"({"access_token":7})", t, e) == errc::bad_response);
}

TEST_CASE("device authorization: RFC 8628 names, Google's verification_url, defaults") {
    device_authorization d;
    error_document e;
    REQUIRE_FALSE(parse_device_authorization(
        200,
        R"({"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device",)"
        R"("verification_uri_complete":"https://example.com/device?c=WDJB-MJHT","expires_in":1800,"interval":5})",
        d, e));
    CHECK(d.device_code == "dc");
    CHECK(d.user_code == "WDJB-MJHT");
    CHECK(d.verification_uri_complete == "https://example.com/device?c=WDJB-MJHT");
    CHECK(d.expires_in.count() == 1800);
    CHECK(d.interval.count() == 5);
    REQUIRE_FALSE(parse_device_authorization(
        200, R"({"device_code":"dc","user_code":"u","verification_url":"https://www.google.com/device","expires_in":60})",
        d, e));
    CHECK(d.verification_uri == "https://www.google.com/device");
    CHECK(d.interval.count() == 5);
    CHECK(parse_device_authorization(200, R"({"device_code":"dc","user_code":"u","expires_in":60})", d, e) ==
          errc::bad_response);
    CHECK(parse_device_authorization(400, R"({"error":"invalid_scope","error_description":"no"})", d, e) ==
          errc::refused);
    CHECK(e.error == "invalid_scope");
}
