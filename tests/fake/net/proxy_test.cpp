// Proxies on real sockets: a scripted proxy (fake_proxy.hpp) that refuses,
// closes mid-handshake, answers garbage, says too much or stalls — each a
// clear error naming the proxy within the timeout — and one that relays to a
// scripted server, where SMTP STARTTLS and POP3 implicit TLS run through the
// tunnel with the certificate checked against the server's name, never the
// proxy's.
#include <doctest/doctest.h>

#include <chrono>
#include <ostream>
#include <string>

#include "fake_proxy.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/pop3/client.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"
#include "support/trace_capture.hpp"

using namespace pigeon;
using namespace std::chrono_literals;
using test::octets;
using test::proxy_step;
using clock_type = std::chrono::steady_clock;

namespace {

net::proxy_options proxy_at(const test::fake_proxy& p, net::proxy_kind kind, std::string user = {},
                            std::string password = {}) {
    net::proxy_options o;
    o.kind = kind;
    o.host = "127.0.0.1";
    o.port = p.port();
    o.user = std::move(user);
    o.password = std::move(password);
    return o;
}

net::endpoint target(std::string host = "mail.test", unsigned short port = 587,
                     net::tls_mode mode = net::tls_mode::starttls) {
    net::endpoint e;
    e.proto = net::protocol::smtp;
    e.host = std::move(host);
    e.port = port;
    e.tls = mode;
    return e;
}

struct failure {
    std::error_code code;
    std::string what;
    long long ms = 0;
};

// Opens a channel through the proxy; it must fail.
failure open_fails(const net::endpoint& ep, const net::session_options& o) {
    failure f;
    auto t0 = clock_type::now();
    try {
        net::open_channel(ep, o);
        FAIL("open_channel succeeded");
    } catch (const std::system_error& e) {
        f.code = e.code();
        f.what = e.what();
    }
    f.ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
    return f;
}

net::session_options quick(const net::proxy_options& p) {
    net::session_options o;
    o.proxy = p;
    o.connect.connect_timeout = 2s;
    o.connect.io_timeout = 400ms;
    return o;
}

const std::string greeting_no_auth = octets({5, 1, 0});
const std::string connect_mail_test = octets({5, 1, 0, 3, 9}) + "mail.test" + octets({2, 0x4b});
const std::string http_connect_mail_test = "CONNECT mail.test:587 HTTP/1.1\r\nHost: mail.test:587\r\n\r\n";

} // namespace

TEST_CASE("proxy fake: SOCKS5 refusals name the proxy and the reply") {
    struct {
        int rep;
        net::errc code;
        const char* words;
    } cases[] = {
        {1, net::errc::proxy_refused, "SOCKS5 general SOCKS server failure (reply 1)"},
        {2, net::errc::proxy_refused, "SOCKS5 connection not allowed by ruleset (reply 2)"},
        {4, net::errc::proxy_unreachable, "SOCKS5 host unreachable (reply 4)"},
        {5, net::errc::proxy_unreachable, "SOCKS5 connection refused (reply 5)"},
    };
    for (const auto& c : cases) {
        INFO("REP " << c.rep);
        test::fake_proxy p({proxy_step::expect(greeting_no_auth), proxy_step::send(octets({5, 0})),
                            proxy_step::expect(connect_mail_test), proxy_step::send(octets({5, c.rep})),
                            proxy_step::close()});
        auto f = open_fails(target(), quick(proxy_at(p, net::proxy_kind::socks5h)));
        CHECK(f.code == c.code);
        const std::string want = "proxy 127.0.0.1:" + std::to_string(p.port()) + ": " + c.words;
        CHECK_MESSAGE(f.what.rfind(want, 0) == 0, f.what);
        CHECK(p.wait() == "");
    }
}

TEST_CASE("proxy fake: SOCKS5 username/password refused, wanted but not given") {
    test::fake_proxy p({proxy_step::expect(octets({5, 2, 0, 2})), proxy_step::send(octets({5, 2})),
                        proxy_step::expect(octets({1, 5}) + "alice" + octets({7}) + "hunter2"),
                        proxy_step::send(octets({1, 1})), proxy_step::close()});
    std::string trace;
    auto o = quick(proxy_at(p, net::proxy_kind::socks5h, "alice", "hunter2"));
    o.trace = test::capture_trace(trace);
    auto f = open_fails(target(), o);
    CHECK(f.code == net::errc::proxy_auth_failed);
    CHECK(f.what.find("refused the user name or password") != std::string::npos);
    CHECK(p.wait() == "");
    // The trace tells the login but never the password.
    CHECK(trace.find("SOCKS5 login as alice, password <redacted>") != std::string::npos);
    CHECK(trace.find("hunter2") == std::string::npos);
    CHECK(f.what.find("hunter2") == std::string::npos);

    test::fake_proxy q({proxy_step::expect(greeting_no_auth), proxy_step::send(octets({5, 0xff})), proxy_step::close()});
    auto g = open_fails(target(), quick(proxy_at(q, net::proxy_kind::socks5h)));
    CHECK(g.code == net::errc::proxy_auth_failed);
    CHECK(g.what.find("wants authentication") != std::string::npos);
}

TEST_CASE("proxy fake: a proxy that closes mid-handshake") {
    // After the greeting, without a word.
    test::fake_proxy a({proxy_step::expect(greeting_no_auth), proxy_step::close()});
    auto f = open_fails(target(), quick(proxy_at(a, net::proxy_kind::socks5h)));
    CHECK(f.code == net::errc::connection_closed);
    CHECK(f.what.find("proxy 127.0.0.1:" + std::to_string(a.port()) +
                      ": closed the connection during the SOCKS5 handshake") == 0);
    // In the middle of the CONNECT reply.
    test::fake_proxy b({proxy_step::expect(greeting_no_auth), proxy_step::send(octets({5, 0})),
                        proxy_step::expect(connect_mail_test), proxy_step::send(octets({5, 0, 0, 1, 10})),
                        proxy_step::close()});
    CHECK(open_fails(target(), quick(proxy_at(b, net::proxy_kind::socks5h))).code == net::errc::connection_closed);
    // HTTP: half a status line.
    test::fake_proxy c({proxy_step::expect(http_connect_mail_test), proxy_step::send("HTTP/1.1 20"), proxy_step::close()});
    auto h = open_fails(target(), quick(proxy_at(c, net::proxy_kind::http)));
    CHECK(h.code == net::errc::connection_closed);
    CHECK(h.what.find("closed the connection during the HTTP CONNECT handshake") != std::string::npos);
    CHECK(c.wait() == "");
}

TEST_CASE("proxy fake: garbage answers") {
    // An HTTP proxy where a SOCKS5 one was expected.
    test::fake_proxy a({proxy_step::expect(greeting_no_auth), proxy_step::send("HTTP/1.1 400 Bad Request\r\n\r\n"),
                        proxy_step::close()});
    auto f = open_fails(target(), quick(proxy_at(a, net::proxy_kind::socks5h)));
    CHECK(f.code == net::errc::proxy_bad_reply);
    CHECK(f.what.find("answers like an HTTP server") != std::string::npos);
    // A mail server where an HTTP proxy was expected.
    test::fake_proxy b({proxy_step::expect(http_connect_mail_test), proxy_step::send("220 mail ESMTP\r\n"),
                        proxy_step::stall()});
    auto g = open_fails(target(), quick(proxy_at(b, net::proxy_kind::http)));
    CHECK(g.code == net::errc::proxy_bad_reply);
    CHECK(g.what.find("not an HTTP proxy") != std::string::npos);
    CHECK(g.ms < 400);  // told at the first byte, not at the timeout
    CHECK(b.wait() == "");
    // A SOCKS5 reply with an unknown address type.
    test::fake_proxy c({proxy_step::expect(greeting_no_auth), proxy_step::send(octets({5, 0})),
                        proxy_step::expect(connect_mail_test), proxy_step::send(octets({5, 0, 0, 9, 1, 2, 3})),
                        proxy_step::stall()});
    CHECK(open_fails(target(), quick(proxy_at(c, net::proxy_kind::socks5h))).code == net::errc::proxy_bad_reply);
}

TEST_CASE("proxy fake: an HTTP proxy that says too much") {
    std::string endless = "HTTP/1.1 200 OK\r\n";
    while (endless.size() < 40000) endless += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    test::fake_proxy p({proxy_step::expect(http_connect_mail_test), proxy_step::send(endless), proxy_step::stall()});
    auto o = quick(proxy_at(p, net::proxy_kind::http));
    o.connect.io_timeout = 5s;  // the bound, not the clock, must stop it
    auto f = open_fails(target(), o);
    CHECK(f.code == net::errc::proxy_bad_reply);
    CHECK(f.what.find("longer than 16384 bytes") != std::string::npos);
    CHECK(f.ms < 4000);
    // 403 and 407.
    test::fake_proxy q({proxy_step::expect(http_connect_mail_test),
                        proxy_step::send("HTTP/1.1 403 Forbidden\r\nContent-Length: 1000000\r\n\r\n"),
                        proxy_step::stall()});
    auto g = open_fails(target(), quick(proxy_at(q, net::proxy_kind::http)));
    CHECK(g.code == net::errc::proxy_refused);
    CHECK(g.what.find("proxy 127.0.0.1:" + std::to_string(q.port()) + ": HTTP CONNECT answered 403 Forbidden") == 0);
}

TEST_CASE("proxy fake: a proxy that stalls or drips is bounded by io_timeout") {
    for (auto kind : {net::proxy_kind::socks5h, net::proxy_kind::http}) {
        test::fake_proxy p({proxy_step::stall()});
        auto f = open_fails(target(), quick(proxy_at(p, kind)));
        CHECK(f.code == net::errc::timeout);
        CHECK(f.what.find("proxy 127.0.0.1:" + std::to_string(p.port()) + ": no complete answer") == 0);
        CHECK(f.ms >= 350);
        CHECK(f.ms < 2000);
        CHECK(p.wait() == "");
    }
    // Byte by byte, 150 ms apart: each byte is in time, the handshake is not.
    std::vector<proxy_step> drip{proxy_step::expect(greeting_no_auth)};
    for (int b : {5, 0}) {
        drip.push_back(proxy_step::sleep(150));
        drip.push_back(proxy_step::send(octets({b})));
    }
    drip.push_back(proxy_step::expect(connect_mail_test));
    for (int b : {5, 0, 0, 1, 1, 2, 3, 4, 0, 1}) {
        drip.push_back(proxy_step::sleep(150));
        drip.push_back(proxy_step::send(octets({b})));
    }
    test::fake_proxy d(drip);
    auto f = open_fails(target(), quick(proxy_at(d, net::proxy_kind::socks5h)));
    CHECK(f.code == net::errc::timeout);
    CHECK(f.ms < 1500);
}

TEST_CASE("proxy fake: nobody listening on the proxy port") {
    unsigned short port = 0;
    {
        test::fake_proxy gone({});
        port = gone.port();
    }  // closed again (its thread gave up at once: stopped)
    net::proxy_options p;
    p.kind = net::proxy_kind::socks5h;
    p.host = "127.0.0.1";
    p.port = port;
    auto f = open_fails(target(), quick(p));
    CHECK(f.code == net::errc::connect_failed);
    CHECK(f.what.find("cannot connect to proxy 127.0.0.1:" + std::to_string(port)) == 0);
}

TEST_CASE("proxy fake: SMTP STARTTLS through SOCKS5 (socks5h), certificate checked against the server's name") {
    test::cert_spec spec;
    spec.common_name = "mail.test";
    spec.dns_names = {"mail.test"};
    spec.ip_addresses = {};  // not 127.0.0.1: checking the proxy's address would fail
    spec.is_ca = true;
    const auto cert = test::make_test_cert(spec);
    test::script_options so;
    so.cert_pem = cert.cert_pem;
    so.key_pem = cert.key_pem;
    const std::string script = R"(
        S: 220 mail.test ESMTP
        C: EHLO %any
        S: 250-mail.test
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 go ahead
        TLS
        C: EHLO %any
        S: 250 mail.test
        C: QUIT
        S: 221 bye
    )";
    test::script_server srv(script, so);
    test::fake_proxy p({proxy_step::expect(octets({5, 2, 0, 2})), proxy_step::send(octets({5, 2})),
                        proxy_step::expect(octets({1, 3}) + "bob" + octets({2}) + "pw"), proxy_step::send(octets({1, 0})),
                        proxy_step::expect(connect_mail_test), proxy_step::send(octets({5, 0, 0, 1, 127, 0, 0, 1, 0, 1})),
                        proxy_step::relay(srv.port())});
    smtp::client_options o;
    o.net.proxy = proxy_at(p, net::proxy_kind::socks5h, "bob", "pw");
    o.net.tls.ca_file = srv.write_ca_file();  // server_name left empty: the endpoint's host
    o.net.connect.io_timeout = 5s;
    std::string trace;
    o.net.trace = test::capture_trace(trace);
    smtp::client c;
    // "mail.test" does not resolve here: only the proxy sees the name.
    c.connect(target("mail.test", 587), o);
    REQUIRE(c.channel().tls());
    CHECK(c.channel().tls()->verified);
    CHECK(c.channel().tls()->subject.find("mail.test") != std::string::npos);
    c.quit();
    test::check_script(srv);
    CHECK(p.wait() == "");
    CHECK(trace.find("SOCKS5 CONNECT name mail.test port 587") != std::string::npos);
    CHECK(trace.find("password <redacted>") != std::string::npos);
}

TEST_CASE("proxy fake: a certificate for another name is refused through the tunnel") {
    test::cert_spec spec;
    spec.common_name = "other.test";
    spec.dns_names = {"other.test"};
    spec.is_ca = true;  // 127.0.0.1 stays in its IP names: the proxy's address would pass
    const auto cert = test::make_test_cert(spec);
    test::script_options so;
    so.cert_pem = cert.cert_pem;
    so.key_pem = cert.key_pem;
    test::script_server srv("TLS\nEXPECT-CLOSE", so);
    test::fake_proxy p({proxy_step::expect(http_connect_mail_test.substr(0, 8)),  // "CONNECT "
                        proxy_step::expect("mail.test:465 HTTP/1.1\r\nHost: mail.test:465\r\n\r\n"),
                        proxy_step::send("HTTP/1.1 200 Connection established\r\n\r\n"), proxy_step::relay(srv.port())});
    net::session_options o;
    o.proxy = proxy_at(p, net::proxy_kind::http);
    o.tls.ca_file = srv.write_ca_file();
    o.connect.io_timeout = 5s;
    auto ec = test::code_of([&] { net::open_channel(target("mail.test", 465, net::tls_mode::implicit), o); });
    CHECK(ec == net::tls_errc::hostname_mismatch);
    srv.wait();
}

TEST_CASE("proxy fake: POP3 implicit TLS through HTTP CONNECT with Basic credentials, server bytes not lost") {
    test::script_server srv(R"(
        TLS
        S: +OK ready
        C: CAPA
        S: +OK
        S: USER
        S: .
        C: QUIT
        S: +OK bye
    )");
    const std::string request = "CONNECT localhost:995 HTTP/1.1\r\nHost: localhost:995\r\n"
                                "Proxy-Authorization: Basic YWxpY2U6czNjcjN0\r\n\r\n";
    // The 200 and the first bytes of the relayed stream may arrive together:
    // nothing after the empty line may be taken as part of the answer.
    test::fake_proxy p({proxy_step::expect(request),
                        proxy_step::send("HTTP/1.0 200 OK\r\nVia: fake\r\n\r\n"), proxy_step::relay(srv.port())});
    pop3::client_options o;
    o.net = test::script_session_options(srv);
    o.net.tls.server_name.clear();
    o.net.proxy = proxy_at(p, net::proxy_kind::http, "alice", "s3cr3t");
    std::string trace;
    o.net.trace = test::capture_trace(trace);
    net::endpoint ep;
    ep.proto = net::protocol::pop3;
    ep.host = "localhost";
    ep.port = 995;
    ep.tls = net::tls_mode::implicit;
    pop3::client c;
    c.connect(ep, o);
    CHECK(c.channel().tls()->verified);
    c.quit();
    test::check_script(srv);
    CHECK(p.wait() == "");
    CHECK(trace.find("Proxy-Authorization: Basic <redacted>") != std::string::npos);
    CHECK(trace.find("YWxpY2U6czNjcjN0") == std::string::npos);
    CHECK(trace.find("HTTP/1.0 200 OK") != std::string::npos);
}

TEST_CASE("proxy fake: socks5:// resolves the name here and sends an address") {
    test::fake_proxy p({proxy_step::expect(greeting_no_auth), proxy_step::send(octets({5, 0})),
                        proxy_step::expect(octets({5, 1, 0})), proxy_step::take(1), proxy_step::send(octets({5, 5})),
                        proxy_step::close()});
    auto f = open_fails(target("localhost", 25), quick(proxy_at(p, net::proxy_kind::socks5)));
    CHECK(f.code == net::errc::proxy_unreachable);
    CHECK(p.wait() == "");
    const std::string got = p.received();
    REQUIRE(got.size() >= 7);
    CHECK((got[6] == 1 || got[6] == 4));  // ATYP: IPv4 or IPv6, never a name

    net::proxy_options unresolvable;
    unresolvable.kind = net::proxy_kind::socks5;
    unresolvable.host = "127.0.0.1";
    test::fake_proxy q({proxy_step::stall()});
    unresolvable.port = q.port();
    auto g = open_fails(target("no-such-host.invalid", 25), quick(unresolvable));
    CHECK(g.code == net::errc::resolve_failed);
    CHECK(g.what.find("socks5h://") != std::string::npos);  // the hint
}
