// Proxy URLs: socks5://, socks5h://, http://, credentials, ports, and what
// is refused.
#include <doctest/doctest.h>

#include <ostream>

#include "pigeon/net/error.hpp"
#include "pigeon/net/proxy_options.hpp"

using namespace pigeon::net;

namespace {
proxy_options parse(const std::string& url) {
    std::error_code ec;
    auto p = parse_proxy_url(url, ec);
    REQUIRE_MESSAGE(p, url);
    CHECK(!ec);
    return *p;
}
bool bad(const std::string& url) {
    std::error_code ec;
    return !parse_proxy_url(url, ec) && ec == errc::bad_url;
}
} // namespace

TEST_CASE("parse_proxy_url: kinds, default port, host forms") {
    auto a = parse("socks5://127.0.0.1:1080");
    CHECK(a.kind == proxy_kind::socks5);
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 1080);
    CHECK(a.user.empty());
    CHECK(a.enabled());

    auto b = parse("SOCKS5H://proxy.example");
    CHECK(b.kind == proxy_kind::socks5h);
    CHECK(b.port == default_proxy_port);

    auto c = parse("http://[::1]:3128/");
    CHECK(c.kind == proxy_kind::http);
    CHECK(c.host == "::1");
    CHECK(c.port == 3128);
    CHECK(c.where() == "[::1]:3128");

    CHECK_FALSE(proxy_options{}.enabled());
    CHECK(proxy_options{}.display_url() == "none");
}

TEST_CASE("parse_proxy_url: user and password, percent-decoded, display_url hides the password") {
    auto p = parse("socks5h://al%40ice:p%3Ass@host:1081");
    CHECK(p.user == "al@ice");
    CHECK(p.password == "p:ss");
    CHECK(p.display_url() == "socks5h://al%40ice@host:1081");
    CHECK(p.display_url().find("p:ss") == std::string::npos);

    auto q = parse("http://bob@h");
    CHECK(q.user == "bob");
    CHECK(q.password.empty());
    CHECK(q.display_url() == "http://bob@h:1080");

    auto r = parse("socks5://carol:@h:9");
    CHECK(r.user == "carol");
    CHECK(r.password.empty());
}

TEST_CASE("parse_proxy_url: refuses what it cannot use") {
    for (const char* u : {"", "127.0.0.1:1080", "://h", "https://h:443", "socks4://h", "socks4a://h", "socks://h",
                          "ftp://h", "socks5://", "socks5://h:0", "socks5://h:65536", "socks5://h:12x",
                          "socks5://h/path", "socks5://h /", "socks5://[::1", "socks5://[::1]x",
                          "socks5://a%0d%0ab@h", "socks5://u:p%00w@h", "socks5://@h", "socks5://%zz@h",
                          "http://h\r\n:80", "socks5://h;rm:1"}) {
        INFO(u);
        CHECK(bad(u));
    }
}
