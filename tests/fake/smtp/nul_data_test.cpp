// NUL bytes in a message sent by the SMTP client (SM-04): refused by
// default, through DATA and through BDAT, with the connection closed before
// any end of data; stripped with client_options::nul = strip.
#include <doctest/doctest.h>

#include <memory>
#include <ostream>
#include <string>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/duplex_stream.hpp"

using namespace pigeon;
using namespace pigeon::smtp;
using namespace std::string_literals;

namespace {

net::endpoint ep() {
    net::endpoint e;
    e.proto = net::protocol::smtp;
    e.host = "mail.example.org";
    e.port = 25;
    e.tls = net::tls_mode::none;
    return e;
}

envelope env1() {
    envelope env;
    env.from = "alice@example.org";
    recipient r;
    r.address = "bob@example.org";
    env.recipients.push_back(r);
    return env;
}

const std::string data_server =
    "220 mail.example.org ESMTP\r\n"
    "250 mail.example.org\r\n"
    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
    "354 go on\r\n"
    "250 2.0.0 Ok: queued as Q1\r\n";

const std::string bdat_server =
    "220 mail.example.org ESMTP\r\n"
    "250-mail.example.org\r\n250 CHUNKING\r\n"
    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
    "250 2.0.0 chunk 1\r\n250 2.0.0 chunk 2\r\n250 2.0.0 chunk 3\r\n250 2.0.0 Ok: queued as Q2\r\n";

// 16-byte lines; a NUL replaces the first byte of line `nul_line` (or none).
std::string message(int lines, int nul_line) {
    std::string m;
    for (int i = 0; i < lines; ++i) m += (i == nul_line ? "\0"s : "L"s) + "ine-" + std::to_string(i % 10) + "-abcdefg\r\n";
    return m;
}

struct outcome {
    std::error_code ec;
    bool connected = false;
    std::string written;
    send_result res;
};

outcome run(const std::string& server, const std::string& msg, client_options o) {
    auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{server});
    auto peer = s->peer();
    client c;
    c.connect(net::channel(std::move(s)), ep(), o);
    outcome out;
    try {
        out.res = c.send(env1(), msg);
    } catch (const net::transport_error& e) {
        out.ec = e.code();
    }
    out.connected = c.is_connected();
    out.written = peer.written();
    return out;
}

} // namespace

TEST_CASE("NUL in a message sent with DATA: refused, connection closed, no end of data") {
    const std::string msg = message(3, 1);
    REQUIRE(msg.size() == 48);
    auto r = run(data_server, msg, client_options{});
    CHECK(r.ec == net::errc::nul_in_data);
    CHECK_FALSE(r.connected);
    CHECK(r.written.find("DATA\r\n") != std::string::npos);
    CHECK(r.written.find('\0') == std::string::npos);
    CHECK(r.written.find("\r\n.\r\n") == std::string::npos);
    // The message was within one buffer: not a byte of it went out.
    CHECK(r.written.find("Line-0") == std::string::npos);
}

TEST_CASE("NUL in a message sent with DATA: stripped on request") {
    client_options o;
    o.nul = net::nul_policy::strip;
    auto r = run(data_server, "Subject: x\r\n\r\nbo\0dy\r\n\0.\r\n"s, o);
    CHECK_FALSE(r.ec);
    CHECK(r.connected);
    CHECK(r.res.all_accepted());
    const auto data = r.written.substr(r.written.find("DATA\r\n") + 6);
    CHECK(data == "Subject: x\r\n\r\nbody\r\n..\r\n.\r\n");
}

TEST_CASE("NUL in a message sent with BDAT: earlier chunks only, no LAST chunk, connection closed") {
    client_options o;
    o.chunk_size = 32;  // two lines per chunk
    auto r = run(bdat_server, message(6, 4), o);
    CHECK(r.ec == net::errc::nul_in_data);
    CHECK_FALSE(r.connected);
    CHECK(r.written.find('\0') == std::string::npos);
    CHECK(r.written.find("LAST") == std::string::npos);
    CHECK(r.written.find("BDAT 32\r\nLine-0-abcdefg\r\nLine-1-abcdefg\r\n") != std::string::npos);
    CHECK(r.written.find("BDAT 32\r\nLine-2-abcdefg\r\nLine-3-abcdefg\r\n") != std::string::npos);
    CHECK(r.written.find("ine-4") == std::string::npos);  // nothing of the chunk with the NUL
    CHECK(r.written.find("Line-5") == std::string::npos);
}

TEST_CASE("NUL in a message sent with BDAT: stripped on request") {
    client_options o;
    o.chunk_size = 32;
    o.nul = net::nul_policy::strip;
    auto r = run(bdat_server, message(6, 4), o);
    CHECK_FALSE(r.ec);
    CHECK(r.res.all_accepted());
    CHECK(r.written.find('\0') == std::string::npos);
    CHECK(r.written.find("ine-4-abcdefg\r\nLine-5-abcdefg\r\n") != std::string::npos);
    CHECK(r.written.find("LAST\r\n") != std::string::npos);
}
