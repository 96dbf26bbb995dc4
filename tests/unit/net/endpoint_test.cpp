#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/error.hpp"

#include <doctest/doctest.h>

using namespace pigeon::net;

namespace {
endpoint parse(const std::string& url) {
    std::error_code ec;
    auto ep = parse_endpoint(url, ec);
    REQUIRE_MESSAGE(ep, url);
    CHECK(!ec);
    return *ep;
}
bool bad(const std::string& url) {
    std::error_code ec;
    return !parse_endpoint(url, ec) && ec == errc::bad_url;
}
} // namespace

TEST_CASE("parse_endpoint: schemes, default ports and TLS modes") {
    struct {
        const char* url;
        protocol p;
        tls_mode m;
        unsigned short port;
    } cases[] = {
        {"smtp://mail.example.com", protocol::smtp, tls_mode::starttls, 587},
        {"smtps://mail.example.com", protocol::smtp, tls_mode::implicit, 465},
        {"imap://h", protocol::imap, tls_mode::starttls, 143},
        {"imaps://h", protocol::imap, tls_mode::implicit, 993},
        {"pop3://h", protocol::pop3, tls_mode::starttls, 110},
        {"pop3s://h", protocol::pop3, tls_mode::implicit, 995},
        {"nntp://h", protocol::nntp, tls_mode::starttls, 119},
        {"nntps://h", protocol::nntp, tls_mode::implicit, 563},
        {"lmtp://h", protocol::lmtp, tls_mode::starttls, 24},
        {"SMTP://h:2525", protocol::smtp, tls_mode::starttls, 2525},
    };
    for (const auto& c : cases) {
        auto ep = parse(c.url);
        CHECK(ep.proto == c.p);
        CHECK(ep.tls == c.m);
        CHECK(ep.port == c.port);
    }
}

TEST_CASE("parse_endpoint: IPv6, user info, unix sockets") {
    auto ep = parse("imaps://[::1]:10993/INBOX");
    CHECK(ep.host == "::1");
    CHECK(ep.port == 10993);
    ep = parse("smtp://alice%40lab.test:ignored@127.0.0.1:10587");
    CHECK(ep.user == "alice@lab.test");
    CHECK(ep.host == "127.0.0.1");
    ep = parse("/run/dovecot/lmtp");
    CHECK(ep.proto == protocol::lmtp);
    CHECK(ep.unix_path == "/run/dovecot/lmtp");
    ep = parse("lmtp:///var/run/lmtp.sock");
    CHECK(ep.unix_path == "/var/run/lmtp.sock");
}

TEST_CASE("parse_endpoint: malformed URLs") {
    CHECK(bad(""));
    CHECK(bad("mail.example.com"));
    CHECK(bad("http://example.com"));
    CHECK(bad("smtp://"));
    CHECK(bad("smtp://h:0"));
    CHECK(bad("smtp://h:65536"));
    CHECK(bad("smtp://h:25x"));
    CHECK(bad("smtp://[::1"));
    CHECK(bad("smtp://a%0d%0ab@h"));
    CHECK(bad("smtp://exa mple.com"));
}
