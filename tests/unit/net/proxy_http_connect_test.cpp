// The HTTP CONNECT codec: the request (Basic credentials, IPv6), every status
// code class, interim replies, splits at every byte, the server's bytes after
// the header left alone, garbage and oversized answers.
#include <doctest/doctest.h>

#include <ostream>
#include <random>
#include <string>

#include "pigeon/net/error.hpp"
#include "pigeon/net/http_connect_handshake.hpp"
#include "pigeon/net/trace.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::net;

namespace {

http_connect_request req(std::string host = "mail.example", unsigned short port = 587, std::string user = {},
                         std::string password = {}) {
    http_connect_request r;
    r.host = std::move(host);
    r.port = port;
    r.user = std::move(user);
    r.password = std::move(password);
    return r;
}

struct run_result {
    http_connect_handshake::status st = http_connect_handshake::status::need_more;
    std::error_code ec;
    std::string leftover;
    std::string detail;
    int code = 0;
    std::vector<std::string> lines;
};

run_result run(const http_connect_request& r, const test::pieces& pieces) {
    run_result out;
    http_connect_handshake hs(r);
    std::string sent;
    REQUIRE(!hs.start(sent));
    bool over = false;
    for (auto p : pieces) {
        if (over) {
            out.leftover += p;
            continue;
        }
        std::size_t used = 0;
        out.st = hs.feed(p, used, out.ec);
        REQUIRE(used <= p.size());
        if (out.st != http_connect_handshake::status::need_more) {
            over = true;
            out.leftover += p.substr(used);
        } else {
            CHECK(used == p.size());
        }
    }
    out.detail = hs.detail();
    out.code = hs.status_code();
    out.lines = hs.reply_lines();
    return out;
}

run_result run1(const std::string& answer, const http_connect_request& r = req()) { return run(r, {answer}); }

} // namespace

TEST_CASE("http connect: the request, with and without Basic credentials") {
    std::string out;
    http_connect_handshake a(req());
    CHECK(!a.start(out));
    CHECK(out == "CONNECT mail.example:587 HTTP/1.1\r\nHost: mail.example:587\r\n\r\n");
    CHECK(a.max_read() == 2);

    out.clear();
    http_connect_handshake b(req("::1", 993, "alice", "secret"));
    CHECK(!b.start(out));
    CHECK(out == "CONNECT [::1]:993 HTTP/1.1\r\nHost: [::1]:993\r\n"
                 "Proxy-Authorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n");
    auto masked = b.request_lines(false);
    REQUIRE(masked.size() == 3);
    CHECK(masked[2] == "Proxy-Authorization: Basic " + std::string(redacted));
    CHECK(b.request_lines(true)[2] == "Proxy-Authorization: Basic YWxpY2U6c2VjcmV0");
    CHECK(b.start(out) == errc::invalid_argument);  // only once

    out.clear();
    http_connect_handshake empty_pw(req("h", 1, "u", ""));
    CHECK(!empty_pw.start(out));
    CHECK(out.find("Basic dTo=\r\n") != std::string::npos);  // "u:"
}

TEST_CASE("http connect: refused requests") {
    for (const auto& bad : {req(""), req("h", 0), req("a b"), req("h\r\nX-Evil: 1"), req("h/x"), req("h", 1, "a:b"),
                            req(std::string(256, 'a'))}) {
        http_connect_handshake hs(bad);
        std::string out;
        CHECK(hs.start(out) == errc::invalid_argument);
        CHECK(out.empty());
    }
}

TEST_CASE("http connect: 200 with header fields, every split, the server's bytes left alone") {
    const std::string header = "HTTP/1.1 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n";
    const std::string server = "220 mail ESMTP\r\n";
    const std::string input = header + server;
    test::for_each_split(input, [&](const test::pieces& p) {
        INFO("split: " << test::describe(p));
        auto r = run(req(), p);
        CHECK(r.st == http_connect_handshake::status::done);
        CHECK(!r.ec);
        CHECK(r.code == 200);
        CHECK(r.leftover == server);
        CHECK(r.lines == std::vector<std::string>{"HTTP/1.1 200 Connection established", "Proxy-agent: tinyproxy/1.11.1", ""});
    });
}

TEST_CASE("http connect: bare LF, HTTP/1.0, no reason phrase, 2xx other than 200") {
    auto a = run1("HTTP/1.0 200\n\n+OK");
    CHECK(a.st == http_connect_handshake::status::done);
    CHECK(a.leftover == "+OK");
    auto b = run1("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n* OK");
    CHECK(b.st == http_connect_handshake::status::done);
    CHECK(b.leftover == "* OK");  // Content-Length on a 2xx CONNECT is ignored
}

TEST_CASE("http connect: interim 1xx replies are skipped, every 3-way split") {
    const std::string input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n200 news";
    test::for_each_split3(input, [&](const test::pieces& p) {
        auto r = run(req(), p);
        CHECK(r.st == http_connect_handshake::status::done);
        CHECK(r.code == 200);
        CHECK(r.leftover == "200 news");
    });
}

TEST_CASE("http connect: every status code") {
    for (int code = 100; code <= 999; ++code) {
        INFO("code " << code);
        const std::string line = "HTTP/1.1 " + std::to_string(code) + " Reason\r\n";
        auto r = run1(line + "X: y\r\n\r\nafter");
        if (code < 200) {
            // An interim reply: the real one follows ("after" is none).
            CHECK(r.ec == errc::proxy_bad_reply);
            auto ok = run1(line + "X: y\r\n\r\nHTTP/1.1 200 OK\r\n\r\nafter");
            CHECK(ok.st == http_connect_handshake::status::done);
            CHECK(ok.leftover == "after");
            continue;
        }
        if (code < 300) {
            CHECK(r.st == http_connect_handshake::status::done);
            CHECK(r.leftover == "after");
            continue;
        }
        CHECK(r.st == http_connect_handshake::status::failed);
        // It stops at the status line: the proxy may close right after it.
        CHECK(r.leftover == "X: y\r\n\r\nafter");
        CHECK(r.detail == "HTTP CONNECT answered " + std::to_string(code) + " Reason" +
                              (code == 407 || code == 401 ? " (give user:password in the proxy URL)" : ""));
        std::error_code want = code == 407 || code == 401                                ? errc::proxy_auth_failed
                               : code == 500 || (code >= 502 && code <= 504) ? errc::proxy_unreachable
                               : code >= 600                               ? errc::proxy_bad_reply
                                                                           : errc::proxy_refused;
        CHECK(r.ec == want);
    }
    auto with_creds = run1("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", req("h", 1, "u", "p"));
    CHECK(with_creds.ec == errc::proxy_auth_failed);
    CHECK(with_creds.detail.find("credentials refused") != std::string::npos);
}

TEST_CASE("http connect: garbage and other protocols fail at once") {
    auto ssh = run1("SSH-2.0-OpenSSH_9.2\r\n");
    CHECK(ssh.ec == errc::proxy_bad_reply);
    CHECK(ssh.leftover == "SH-2.0-OpenSSH_9.2\r\n");  // the first byte told
    auto socks = run1(std::string("\x05\xff", 2));
    CHECK(socks.ec == errc::proxy_bad_reply);
    CHECK(socks.detail.find("SOCKS5") != std::string::npos);
    auto smtp = run1("220 mail ESMTP\r\n");
    CHECK(smtp.ec == errc::proxy_bad_reply);

    for (const char* bad : {"HTTP/2 200 OK\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 200OK\r\n", "HTTP/1.1  200\r\n",
                            "HTTP/1.1 20\r\n", "HTTP/1.\r\n", "HTTP/\r\n", "\r\n", "HTTP/1.1 99 Low\r\n"}) {
        INFO(bad);
        auto r = run1(bad);
        CHECK(r.st == http_connect_handshake::status::failed);
        CHECK(r.ec == errc::proxy_bad_reply);
    }
    auto nul = run1(std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 26));
    CHECK(nul.ec == errc::proxy_bad_reply);
    CHECK(nul.detail.find("NUL") != std::string::npos);

    auto reason = run1("HTTP/1.1 403 \x1b[31mred\x07\r\n");
    CHECK(reason.detail == "HTTP CONNECT answered 403 ?[31mred?");
}

TEST_CASE("http connect: an answer that never ends is bounded") {
    auto r = req();
    r.max_reply_bytes = 1000;
    std::string endless = "HTTP/1.1 200 OK\r\n";
    while (endless.size() < 5000) endless += "X-Padding: aaaaaaaaaaaaaaaaaaaa\r\n";
    auto a = run(r, {endless});
    CHECK(a.ec == errc::proxy_bad_reply);
    CHECK(a.detail.find("longer than 1000 bytes") != std::string::npos);
    CHECK(a.leftover.size() == endless.size() - 1000);

    auto b = run(r, {"HTTP/1.1 200 " + std::string(4000, 'a')});  // no line end at all
    CHECK(b.ec == errc::proxy_bad_reply);

    std::string exactly = "HTTP/1.1 200 OK\r\n";
    exactly += "X: " + std::string(1000 - exactly.size() - 3 - 4, 'b') + "\r\n\r\n";
    REQUIRE(exactly.size() == 1000);
    CHECK(run(r, {exactly}).st == http_connect_handshake::status::done);
    // Endless interim replies too.
    std::string interim;
    while (interim.size() < 5000) interim += "HTTP/1.1 102 Processing\r\n\r\n";
    CHECK(run(r, {interim}).ec == errc::proxy_bad_reply);
}

TEST_CASE("http connect: max_read never reaches past the header") {
    const std::string server = "* OK ready\r\n";
    for (const std::string header : {"HTTP/1.1 200 Connection established\r\nProxy-agent: x\r\n\r\n",
                                     "HTTP/1.0 200 OK\n\n", "HTTP/1.1 100 Go\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n"}) {
        const std::string input = header + server;
        http_connect_handshake hs(req());
        std::string out;
        REQUIRE(!hs.start(out));
        std::size_t pos = 0;
        auto st = http_connect_handshake::status::need_more;
        while (st == http_connect_handshake::status::need_more) {
            std::size_t want = hs.max_read();
            REQUIRE(want > 0);
            REQUIRE(pos + want <= input.size());
            std::size_t used = 0;
            std::error_code ec;
            st = hs.feed(std::string_view(input).substr(pos, want), used, ec);
            CHECK(used == want);
            pos += used;
        }
        CHECK(st == http_connect_handshake::status::done);
        CHECK(hs.max_read() == 0);
        CHECK(input.substr(pos) == server);
    }
}

TEST_CASE("http connect: random garbage never hangs or over-consumes, outcomes repeat") {
    std::mt19937 rng(777);
    for (int i = 0; i < 2000; ++i) {
        std::string junk = i % 2 ? "HTTP/1.1 200 OK\r\n" : "";
        std::size_t n = rng() % 400;
        for (std::size_t k = 0; k < n; ++k) junk += static_cast<char>(rng() % 4 == 0 ? '\n' : rng());
        auto r = run1(junk);
        CHECK(r.leftover.size() <= junk.size());
    }
    http_connect_handshake hs(req());
    std::string out;
    std::size_t used = 5;
    std::error_code ec;
    CHECK(hs.feed("HTTP", used, ec) == http_connect_handshake::status::failed);  // not started
    CHECK(used == 0);
    http_connect_handshake ok(req());
    REQUIRE(!ok.start(out));
    ok.feed("HTTP/1.1 200 OK\r\n\r\n", used, ec);
    CHECK(ok.feed("more", used, ec) == http_connect_handshake::status::done);
    CHECK(used == 0);
    http_connect_handshake no(req());
    REQUIRE(!no.start(out));
    no.feed("HTTP/1.1 403 No\r\n", used, ec);
    ec.clear();
    CHECK(no.feed("HTTP/1.1 200 OK\r\n\r\n", used, ec) == http_connect_handshake::status::failed);
    CHECK(ec == errc::proxy_refused);
}
