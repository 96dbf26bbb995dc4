// FTP URLs: schemes, ports, users with '@', escapes, paths; what is refused.
#include <doctest/doctest.h>

#include <ostream>

#include "pigeon/ftp/endpoint.hpp"
#include "pigeon/net/error.hpp"

using namespace pigeon;

TEST_CASE("ftp:// and ftps:// URLs") {
    std::error_code ec;
    auto ep = ftp::parse_url("ftp://alice%40lab.test@localhost:10021/pub/a%20b.txt", ec);
    REQUIRE(ep);
    CHECK_FALSE(ec);
    CHECK(ep->host == "localhost");
    CHECK(ep->port == 10021);
    CHECK(ep->tls == net::tls_mode::starttls);
    CHECK(ep->user == "alice@lab.test");
    CHECK(ep->path == "pub/a b.txt");

    ep = ftp::parse_url("ftp://alice@lab.test@127.0.0.1/", ec);  // the last '@' ends the user
    REQUIRE(ep);
    CHECK(ep->user == "alice@lab.test");
    CHECK(ep->host == "127.0.0.1");
    CHECK(ep->port == 21);
    CHECK(ep->path.empty());

    ep = ftp::parse_url("FTPS://[::1]:990", ec);
    REQUIRE(ep);
    CHECK(ep->host == "::1");
    CHECK(ep->tls == net::tls_mode::implicit);
    CHECK(ep->port == 990);

    ep = ftp::parse_url("ftps://h/%2Fetc/x", ec);
    REQUIRE(ep);
    CHECK(ep->path == "/etc/x");
    CHECK(ep->port == 990);

    CHECK(ftp::to_url(*ftp::parse_url("ftp://u@h:2121/d/f", ec)) == "ftp://h:2121/d/f");
    CHECK(ftp::join_path("", "x") == "x");
    CHECK(ftp::join_path("a", "x") == "a/x");
    CHECK(ftp::join_path("a/", "x") == "a/x");
}

TEST_CASE("bad FTP URLs") {
    for (const char* bad : {"http://h/", "ftp://", "ftp:///x", "ftp://h:/", "ftp://h:0/", "ftp://h:65536/",
                            "ftp://h:12a/", "ftp://user:secret@h/", "ftp://@h/", "ftp://h/a%0d%0aDELE%20x",
                            "ftp://h/a%00", "ftp://h/a%zz", "ftp://h/a%4", "ftp://h/x;type=a", "ftp://[::1/",
                            "ftp://[::1]x/", "ftp://h h/", "ftp://h%41/", "ftp://h?x/"}) {
        CAPTURE(bad);
        std::error_code ec;
        CHECK_FALSE(ftp::parse_url(bad, ec));
        CHECK(ec == net::errc::bad_url);
    }
}
