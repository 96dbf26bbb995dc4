#include <ostream>

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "pigeon/oauth2/http_client.hpp"
#include "pigeon/oauth2/pkce.hpp"
#include "pigeon/oauth2/provider.hpp"
#include "pigeon/oauth2/token_client.hpp"

using namespace pigeon::oauth2;

TEST_CASE("pkce: the example of RFC 7636 appendix B") {
    const unsigned char octets[] = {116, 24,  223, 180, 151, 153, 224, 37, 79, 250, 96,  125, 216, 173, 187, 186,
                                    22,  212, 37,  77,  105, 214, 191, 240, 91, 88,  5,   88,  83,  132, 141, 121};
    const std::string verifier = base64url(std::string_view(reinterpret_cast<const char*>(octets), sizeof octets));
    CHECK(verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    CHECK(code_challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("pkce: base64url without padding, fresh verifiers") {
    CHECK(base64url("") == "");
    CHECK(base64url("f") == "Zg");
    CHECK(base64url("fo") == "Zm8");
    CHECK(base64url("foo") == "Zm9v");
    CHECK(base64url("\xfb\xff") == "-_8");
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string v = make_code_verifier();
        CHECK(v.size() == 43);
        CHECK(v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
        seen.insert(v);
    }
    CHECK(seen.size() == 50);
}

TEST_CASE("form encoding and the authorization URL") {
    CHECK(percent_encode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~");
    CHECK(form_encode({{"grant_type", "refresh_token"}, {"refresh_token", "1//0g+x"}}) ==
          "grant_type=refresh_token&refresh_token=1%2F%2F0g%2Bx");
    auto google = preset("Google");
    REQUIRE(google);
    google->client_id = "id.apps";
    std::string url = authorization_url(*google, "http://127.0.0.1:4711/", "st", "ch", "a@gmail.com");
    CHECK(url == "https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=id.apps&redirect_uri="
                 "http%3A%2F%2F127.0.0.1%3A4711%2F&scope=https%3A%2F%2Fmail.google.com%2F&state=st&code_challenge=ch"
                 "&code_challenge_method=S256&login_hint=a%40gmail.com");
}

TEST_CASE("presets: Google and Microsoft, the tenant in Microsoft's endpoints") {
    auto ms = preset("microsoft", "organizations");
    REQUIRE(ms);
    CHECK(ms->token_endpoint == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    CHECK(ms->device_endpoint == "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode");
    CHECK(scope_string(*ms).find("offline_access") == 0);
    CHECK(scope_string(*ms).find("SMTP.Send") != std::string::npos);
    CHECK(preset("microsoft")->token_endpoint.find("/common/") != std::string::npos);
    CHECK(preset("google")->token_endpoint == "https://oauth2.googleapis.com/token");
    CHECK_FALSE(preset("yahoo"));
}
