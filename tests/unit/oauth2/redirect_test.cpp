#include <ostream>

#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "pigeon/net/connect.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/http_client.hpp"
#include "pigeon/oauth2/redirect_listener.hpp"

using namespace pigeon::oauth2;

namespace {

/// Sends request to 127.0.0.1:port over a pigeon channel, returns the
/// answer's status line.
std::string http_get(unsigned short port, const std::string& request) {
    pigeon::net::endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = port;
    ep.tls = pigeon::net::tls_mode::none;
    auto ch = pigeon::net::open_channel(ep, {});
    ch.write_raw(request);
    return std::string(ch.read_line());
}

} // namespace

TEST_CASE("redirect request: code, state, errors, decoding") {
    redirect_result r;
    REQUIRE_FALSE(parse_redirect_request("GET /?code=4%2F0Ab+c&state=xyz&scope=mail HTTP/1.1\r\n", "/", r));
    CHECK(r.code == "4/0Ab c");
    CHECK(r.state == "xyz");
    REQUIRE_FALSE(parse_redirect_request("GET /?error=access_denied&error_description=User%20said%20no&state=s HTTP/1.0",
                                         "/", r));
    CHECK(r.error == "access_denied");
    CHECK(r.error_description == "User said no");
    CHECK(parse_redirect_request("GET /favicon.ico HTTP/1.1", "/", r) == std::errc::no_such_file_or_directory);
    for (const char* bad : {"POST /?code=1 HTTP/1.1", "GET /?code=1", "GET /?state=1 HTTP/1.1", "GET / HTTP/1.1",
                            "GET /?code=%4 HTTP/1.1", "GET /?code=%zz HTTP/1.1", "", "GET /?code=1 SPDY/3"}) {
        INFO(bad);
        CHECK(parse_redirect_request(bad, "/", r) == errc::bad_redirect);
    }
}

TEST_CASE("redirect listener: answers the browser, skips other paths") {
    redirect_listener l;
    REQUIRE(l.port() != 0);
    CHECK(l.redirect_uri() == "http://127.0.0.1:" + std::to_string(l.port()) + "/");
    std::string favicon, page;
    std::thread browser([&] {
        favicon = http_get(l.port(), "GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
        page = http_get(l.port(), "GET /?state=s1&code=c1 HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    std::error_code ec;
    auto r = l.wait(std::chrono::seconds(10), ec);
    browser.join();
    REQUIRE_FALSE(ec);
    CHECK(r.code == "c1");
    CHECK(r.state == "s1");
    CHECK(favicon.rfind("HTTP/1.1 404", 0) == 0);
    CHECK(page.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("redirect listener: a malformed request and a timeout") {
    redirect_listener l;
    std::string page;
    std::thread t([&] { page = http_get(l.port(), "BREW /pot HTTP/1.1\r\n\r\n"); });
    std::error_code ec;
    l.wait(std::chrono::seconds(10), ec);
    t.join();
    CHECK(ec == errc::bad_redirect);
    CHECK(page.rfind("HTTP/1.1 400", 0) == 0);
    l.wait(std::chrono::milliseconds(50), ec);
    CHECK(ec == errc::timeout);
}

TEST_CASE("post_form: https only, connection failures are transport errors") {
    http_options o;
    o.timeout = std::chrono::seconds(5);
    CHECK_THROWS_AS(post_form("http://127.0.0.1:1/token", {}, o), token_error);
    try {
        post_form("https://127.0.0.1:1/token", {{"a", "b"}}, o);
        FAIL("no exception");
    } catch (const pigeon::net::transport_error& e) {
        CHECK(e.code() == pigeon::net::errc::connect_failed);
    }
}
