// The SOCKS5 handshake codec (RFC 1928, RFC 1929): the bytes it sends, every
// REP code, every method answer, splits at every byte, the bytes after the
// final reply left alone, garbage and bad requests.
#include <doctest/doctest.h>

#include <ostream>
#include <random>
#include <string>

#include "pigeon/net/error.hpp"
#include "pigeon/net/socks5_handshake.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::net;

namespace {

std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

socks5_request req(std::string host = "mail.example", unsigned short port = 587, std::string user = {},
                   std::string password = {}) {
    socks5_request r;
    r.host = std::move(host);
    r.port = port;
    r.user = std::move(user);
    r.password = std::move(password);
    return r;
}

struct run_result {
    socks5_handshake::status st = socks5_handshake::status::need_more;
    std::error_code ec;
    std::string sent;      // everything the codec asked to send, greeting included
    std::string leftover;  // bytes of the pieces it did not consume
    std::string detail;
    std::string bound;
    int reply = -1;
};

// Feeds the pieces in order, each as far as the codec takes it; what it
// leaves of a piece (after done or failed) is leftover.
run_result run(const socks5_request& r, const test::pieces& pieces) {
    run_result out;
    socks5_handshake hs(r);
    REQUIRE(!hs.start(out.sent));
    bool over = false;
    for (auto p : pieces) {
        if (over) {
            out.leftover += p;
            continue;
        }
        std::size_t used = 0;
        out.st = hs.feed(p, used, out.sent, out.ec);
        REQUIRE(used <= p.size());
        if (out.st != socks5_handshake::status::need_more) {
            over = true;
            out.leftover += p.substr(used);
        } else {
            CHECK(used == p.size());  // while it needs more it takes everything
        }
    }
    out.detail = hs.detail();
    out.bound = hs.bound();
    out.reply = hs.reply_code();
    return out;
}

const std::string connect_name = bytes({5, 1, 0, 3, 12}) + "mail.example" + bytes({0x02, 0x4b});
const std::string ok_reply_v4 = bytes({5, 0, 0, 1, 10, 0, 0, 7, 0xa9, 0x8a});  // 10.0.0.7:43402

} // namespace

TEST_CASE("socks5: greeting without and with credentials") {
    std::string out;
    socks5_handshake a(req());
    CHECK(!a.start(out));
    CHECK(out == bytes({5, 1, 0}));
    CHECK(a.max_read() == 2);
    CHECK(a.current() == socks5_handshake::stage::greeting);
    CHECK(a.start(out) == errc::invalid_argument);  // only once

    out.clear();
    socks5_handshake b(req("mail.example", 587, "alice", "pw"));
    CHECK(!b.start(out));
    CHECK(out == bytes({5, 2, 0, 2}));
}

TEST_CASE("socks5: no authentication, name sent, every split, server bytes left alone") {
    const std::string server = "220 mail ESMTP\r\n";
    const std::string input = bytes({5, 0}) + ok_reply_v4 + server;
    std::size_t calls = test::for_each_split(input, [&](const test::pieces& p) {
        INFO("split: " << test::describe(p));
        auto r = run(req(), p);
        CHECK(r.st == socks5_handshake::status::done);
        CHECK(!r.ec);
        CHECK(r.sent == bytes({5, 1, 0}) + connect_name);
        CHECK(r.leftover == server);
        CHECK(r.bound == "10.0.0.7:43402");
        CHECK(r.reply == 0);
    });
    CHECK(calls == input.size() + 1);
}

TEST_CASE("socks5: username/password, every 3-way split") {
    const std::string input = bytes({5, 2, 1, 0}) + bytes({5, 0, 0, 3, 4}) + "prox" + bytes({0, 25}) + "+OK";
    const std::string expect_sent =
        bytes({5, 2, 0, 2}) + bytes({1, 5}) + "alice" + bytes({6}) + "secret" + connect_name;
    test::for_each_split3(input, [&](const test::pieces& p) {
        INFO("split: " << test::describe(p));
        auto r = run(req("mail.example", 587, "alice", "secret"), p);
        CHECK(r.st == socks5_handshake::status::done);
        CHECK(r.sent == expect_sent);
        CHECK(r.leftover == "+OK");
        CHECK(r.bound == "prox:25");
    });
}

TEST_CASE("socks5: addresses go as addresses, socks5:// (no remote DNS) needs one") {
    std::string out;
    socks5_handshake v4(req("192.0.2.1", 25));
    REQUIRE(!v4.start(out));
    std::size_t used = 0;
    std::error_code ec;
    out.clear();
    v4.feed(bytes({5, 0}), used, out, ec);
    CHECK(out == bytes({5, 1, 0, 1, 192, 0, 2, 1, 0, 25}));
    CHECK(v4.destination() == "IPv4 192.0.2.1");

    socks5_handshake v6(req("2001:db8::1", 119));
    out.clear();
    REQUIRE(!v6.start(out));
    out.clear();
    v6.feed(bytes({5, 0}), used, out, ec);
    CHECK(out == bytes({5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 119}));
    CHECK(v6.destination() == "IPv6 2001:db8::1");

    auto local = req("192.0.2.1", 25);
    local.remote_dns = false;
    socks5_handshake ok(local);
    out.clear();
    CHECK(!ok.start(out));

    auto name = req("mail.example", 25);
    name.remote_dns = false;
    socks5_handshake refused(name);
    out.clear();
    CHECK(refused.start(out) == errc::invalid_argument);
    CHECK(out.empty());
}

TEST_CASE("socks5: bound addresses of every type") {
    auto bound_of = [](const std::string& reply) {
        auto r = run(req(), {bytes({5, 0}), reply});
        CHECK(r.st == socks5_handshake::status::done);
        return r.bound;
    };
    CHECK(bound_of(bytes({5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80})) == "[::1]:80");
    CHECK(bound_of(bytes({5, 0, 0, 3, 0, 1, 0})) == ":256");  // an empty name
    CHECK(bound_of(bytes({5, 0, 0, 3, 3, 'a', '\n', 0x1b, 0, 1})) == "a??:1");
    CHECK(bound_of(bytes({5, 0, 7, 1, 1, 2, 3, 4, 0, 1})) == "1.2.3.4:1");  // RSV not checked
    std::string long_name(255, 'x');
    CHECK(bound_of(bytes({5, 0, 0, 3, 255}) + long_name + bytes({0, 2})) == long_name + ":2");
}

TEST_CASE("socks5: every REP code") {
    for (int rep = 1; rep <= 255; ++rep) {
        INFO("REP " << rep);
        // The proxy may close right after VER REP: no more is read.
        auto r = run(req(), {bytes({5, 0}), bytes({5, rep}), bytes({0, 1, 1, 2, 3, 4, 0, 1})});
        CHECK(r.st == socks5_handshake::status::failed);
        CHECK(r.reply == rep);
        CHECK(r.leftover == bytes({0, 1, 1, 2, 3, 4, 0, 1}));
        CHECK(r.detail.find("(reply " + std::to_string(rep) + ")") != std::string::npos);
        CHECK(r.detail.find(socks5_handshake::reply_text(rep)) != std::string::npos);
        std::error_code want = rep == 1 || rep == 2 || rep == 7 || rep == 8 ? errc::proxy_refused
                               : rep >= 3 && rep <= 6                       ? errc::proxy_unreachable
                                                                            : errc::proxy_bad_reply;
        CHECK(r.ec == want);
    }
    CHECK(std::string(socks5_handshake::reply_text(2)) == "connection not allowed by ruleset");
    CHECK(std::string(socks5_handshake::reply_text(5)) == "connection refused");
    CHECK(std::string(socks5_handshake::reply_text(9)) == "unassigned reply code");
}

TEST_CASE("socks5: every method answer") {
    for (int m = 0; m <= 255; ++m) {
        INFO("method " << m);
        auto no_user = run(req(), {bytes({5, m})});
        auto with_user = run(req("h", 25, "u", "p"), {bytes({5, m})});
        if (m == socks5_no_auth) {
            CHECK(no_user.st == socks5_handshake::status::need_more);
            CHECK(with_user.st == socks5_handshake::status::need_more);
        } else if (m == socks5_user_password) {
            CHECK(no_user.ec == errc::proxy_bad_reply);  // not offered
            CHECK(with_user.st == socks5_handshake::status::need_more);
        } else if (m == socks5_no_acceptable) {
            CHECK(no_user.ec == errc::proxy_auth_failed);
            CHECK(no_user.detail.find("wants authentication") != std::string::npos);
            CHECK(with_user.ec == errc::proxy_auth_failed);
        } else {
            CHECK(no_user.ec == errc::proxy_bad_reply);
            CHECK(with_user.ec == errc::proxy_bad_reply);
            CHECK(no_user.detail.find("not offered") != std::string::npos);
        }
    }
}

TEST_CASE("socks5: authentication answers") {
    for (int status = 1; status <= 255; ++status) {
        auto r = run(req("h", 25, "u", "p"), {bytes({5, 2}), bytes({1, status})});
        CHECK(r.ec == errc::proxy_auth_failed);
        CHECK(r.detail.find("status " + std::to_string(status)) != std::string::npos);
    }
    auto v5 = run(req("h", 25, "u", "p"), {bytes({5, 2}), bytes({5, 0})});
    CHECK(v5.ec == errc::proxy_bad_reply);
    // The password never appears in a detail.
    auto r = run(req("h", 25, "user", "hunter2"), {bytes({5, 2}), bytes({1, 1})});
    CHECK(r.detail.find("hunter2") == std::string::npos);
}

TEST_CASE("socks5: garbage and other protocols") {
    auto http = run(req(), {"HTTP/1.1 400 Bad Request\r\n"});
    CHECK(http.ec == errc::proxy_bad_reply);
    CHECK(http.detail.find("HTTP") != std::string::npos);
    CHECK(http.leftover == "TP/1.1 400 Bad Request\r\n");  // stops after two bytes

    auto v4 = run(req(), {bytes({4, 0x5a})});
    CHECK(v4.ec == errc::proxy_bad_reply);
    CHECK(v4.detail.find("0x04") != std::string::npos);

    auto bad_ver = run(req(), {bytes({5, 0}), bytes({4, 0})});
    CHECK(bad_ver.ec == errc::proxy_bad_reply);

    for (int atyp : {0, 2, 5, 255}) {
        auto r = run(req(), {bytes({5, 0}), bytes({5, 0, 0, atyp, 1, 2, 3, 4, 5, 6})});
        CHECK(r.ec == errc::proxy_bad_reply);
        CHECK(r.detail.find("address type") != std::string::npos);
    }
}

TEST_CASE("socks5: random garbage never hangs, crashes or over-consumes") {
    std::mt19937 rng(12345);
    for (int i = 0; i < 2000; ++i) {
        std::string junk(static_cast<std::size_t>(rng() % 600), '\0');
        for (auto& c : junk) c = static_cast<char>(rng());
        if (i % 3 == 0 && junk.size() >= 2) junk[0] = 5;
        if (i % 5 == 0 && junk.size() >= 2) junk[1] = 0;
        socks5_handshake hs(req("h", 25, i % 2 ? "u" : "", "p"));
        std::string out;
        REQUIRE(!hs.start(out));
        std::size_t used = 0;
        std::error_code ec;
        auto st = hs.feed(junk, used, out, ec);
        CHECK(used <= junk.size());
        if (st == socks5_handshake::status::need_more) {
            CHECK(used == junk.size());
            CHECK(hs.max_read() > 0);
        } else {
            CHECK(hs.max_read() == 0);
        }
        CHECK(out.size() < 600);
    }
}

TEST_CASE("socks5: max_read never reaches past the final reply") {
    const std::string server = "* OK IMAP ready\r\n";
    const std::string input = bytes({5, 2, 1, 0}) + bytes({5, 0, 0, 3, 5}) + "proxy" + bytes({0, 9}) + server;
    socks5_handshake hs(req("h", 143, "u", "p"));
    std::string out;
    REQUIRE(!hs.start(out));
    std::size_t pos = 0;
    socks5_handshake::status st = socks5_handshake::status::need_more;
    int reads = 0;
    while (st == socks5_handshake::status::need_more) {
        std::size_t want = hs.max_read();
        REQUIRE(want > 0);
        std::size_t used = 0;
        std::error_code ec;
        st = hs.feed(std::string_view(input).substr(pos, want), used, out, ec);
        CHECK(used == want);  // it takes all it asked for
        pos += used;
        ++reads;
    }
    CHECK(st == socks5_handshake::status::done);
    CHECK(input.substr(pos) == server);
    CHECK(reads == 5);  // method, auth, VER REP, RSV ATYP LEN, the rest
}

TEST_CASE("socks5: outcome repeats, refused requests") {
    socks5_handshake hs(req());
    std::string out;
    std::size_t used = 9;
    std::error_code ec;
    CHECK(hs.feed("x", used, out, ec) == socks5_handshake::status::failed);  // not started
    CHECK(used == 0);
    CHECK(ec == errc::invalid_argument);

    auto r = run(req(), {bytes({5, 0}), ok_reply_v4});
    CHECK(r.st == socks5_handshake::status::done);
    socks5_handshake done(req());
    REQUIRE(!done.start(out));
    done.feed(bytes({5, 0}) + ok_reply_v4, used, out, ec);
    CHECK(done.feed("more", used, out, ec) == socks5_handshake::status::done);
    CHECK(used == 0);

    socks5_handshake failed(req());
    REQUIRE(!failed.start(out));
    failed.feed(bytes({5, 0xff}), used, out, ec);
    ec.clear();
    CHECK(failed.feed(bytes({5, 0}), used, out, ec) == socks5_handshake::status::failed);
    CHECK(ec == errc::proxy_auth_failed);
    CHECK(used == 0);

    for (const auto& bad : {req(""), req("h", 0), req(std::string(256, 'a')), req("h", 1, std::string(256, 'u')),
                            req("h", 1, "u", std::string(256, 'p')), req("bad host"), req("a\nb")}) {
        socks5_handshake x(bad);
        std::string o;
        CHECK(x.start(o) == errc::invalid_argument);
        CHECK(o.empty());
    }
    std::string o;
    socks5_handshake max_ok(req(std::string(255, 'a'), 1, std::string(255, 'u'), std::string(255, 'p')));
    CHECK(!max_ok.start(o));
}
