#include "pigeon/net/channel.hpp"

#include <doctest/doctest.h>

#include "pigeon/net/error.hpp"
#include "support/duplex_stream.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using test::duplex_stream;

namespace {

struct rig {
    test::duplex_peer peer;
    net::channel ch;
    explicit rig(std::vector<std::string> chunks, test::duplex_options o = {}, net::channel_limits l = {})
        : rig(std::make_unique<duplex_stream>(std::move(chunks), o), l) {}
    rig(std::unique_ptr<duplex_stream> s, net::channel_limits l) : peer(s->peer()), ch(std::move(s), l) {}
};

} // namespace

TEST_CASE("read_line: lines across every packet split, CRLF and bare LF") {
    const std::string input = "220 hello\r\n250-one\n250 two\r\n";
    test::for_each_split(input, [&](const test::pieces& ps) {
        rig r(test::to_chunks(ps));
        CHECK(r.ch.read_line(100) == "220 hello");
        CHECK(r.ch.read_line(100) == "250-one");
        CHECK(r.ch.read_line(100) == "250 two");
        std::error_code ec;
        r.ch.read_line(100, ec);
        CHECK(ec == net::errc::connection_closed);
    });
}

TEST_CASE("read_line: over-long lines are refused, bounded by max") {
    std::string big(5000, 'x');
    {
        rig r({big + "\r\n"});
        std::error_code ec;
        r.ch.read_line(4096, ec);
        CHECK(ec == net::errc::line_too_long);
        CHECK_FALSE(r.ch.is_open());
    }
    {
        // Exactly max bytes plus CRLF is fine, even across a tiny buffer.
        net::channel_limits l;
        l.buffer_size = 16;
        rig r(test::to_chunks(test::chunks_of(big + "\r\nnext\r\n", 7)), {}, l);
        CHECK(r.ch.read_line(5000).size() == 5000);
        CHECK(r.ch.read_line(5000) == "next");
    }
    {
        // A server that never sends LF cannot make us buffer without end.
        rig r({std::string(1 << 20, 'a')});
        std::error_code ec;
        r.ch.read_line(1000, ec);
        CHECK(ec == net::errc::line_too_long);
    }
}

TEST_CASE("read_line: NUL is refused") {
    rig r({std::string("250 a\0b\r\n", 9)});
    std::error_code ec;
    r.ch.read_line(100, ec);
    CHECK(ec == net::errc::nul_in_line);
    CHECK_THROWS_AS(rig({std::string("x\0\r\n", 4)}).ch.read_line(10), net::transport_error);
}

TEST_CASE("write_command: CR, LF and NUL are refused and nothing is written") {
    rig r({});
    for (std::string bad : {std::string("RCPT TO:<a@b>\r\nDATA"), std::string("x\ny"), std::string("x\ry"),
                            std::string("x\0y", 3)}) {
        std::error_code ec;
        r.ch.write_command(bad, ec);
        CHECK(ec == net::errc::invalid_argument);
    }
    CHECK(r.peer.written().empty());
    CHECK(r.ch.is_open());
    r.ch.write_command("NOOP");
    CHECK(r.peer.written() == "NOOP\r\n");
    std::error_code ec;
    r.ch.write_commands({"MAIL FROM:<a@b>", "RCPT TO:<c@d>\r\nDATA"}, ec);
    CHECK(ec == net::errc::invalid_argument);
    r.ch.write_commands({"MAIL FROM:<a@b>", "RCPT TO:<c@d>"});
    REQUIRE(r.peer.writes().size() == 2);
    CHECK(r.peer.writes()[1] == "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"); // one write: pipelined
}

TEST_CASE("read_dot_block: un-stuffs across every split and leaves the next reply") {
    const std::string input = "+OK\r\nline\r\n..dot\r\n.\r\n+OK next\r\n";
    test::for_each_split(input, [&](const test::pieces& ps) {
        rig r(test::to_chunks(ps));
        CHECK(r.ch.read_line(100) == "+OK");
        std::string body;
        r.ch.read_dot_block(net::string_sink(body));
        CHECK(body == "line\r\n.dot\r\n");
        CHECK(r.ch.read_line(100) == "+OK next");
    });
}

TEST_CASE("read_dot_block: max_bytes bounds the block, EOF before the end is an error") {
    {
        rig r({std::string(10000, 'a') + "\r\n.\r\n"});
        std::string body;
        std::error_code ec;
        r.ch.read_dot_block(net::string_sink(body), 1000, ec);
        CHECK(ec == net::errc::line_too_long);
    }
    {
        rig r({"abc\r\n"});
        std::string body;
        std::error_code ec;
        r.ch.read_dot_block(net::string_sink(body), 0, ec);
        CHECK(ec == net::errc::connection_closed);
    }
}

TEST_CASE("read_exact: streams exactly n bytes, leaving the rest") {
    test::for_each_split("0123456789 OK\r\n", [&](const test::pieces& ps) {
        rig r(test::to_chunks(ps));
        std::string got;
        r.ch.read_exact(10, net::string_sink(got));
        CHECK(got == "0123456789");
        CHECK(r.ch.read_line(100) == " OK");
    });
}

TEST_CASE("write_dot_block: streams a source through the stuffer") {
    rig r({});
    std::string body = "a\n.\nb\r\n.\r\nc\r.";
    std::size_t n = r.ch.write_dot_block(net::string_source(body));
    CHECK(n == body.size());
    CHECK(r.peer.written() == "a\r\n..\r\nb\r\n..\r\nc\r\n..\r\n.\r\n");
}

TEST_CASE("write_dot_block: a large body is written in bounded chunks") {
    net::channel_limits l;
    l.buffer_size = 4096;
    rig r(std::make_unique<duplex_stream>(), l);
    std::string body(1 << 20, 'x');
    for (std::size_t i = 100; i < body.size(); i += 100) body[i] = '\n';
    r.ch.write_dot_block(net::string_source(body));
    for (const auto& w : r.peer.writes()) CHECK(w.size() < 2 * 4096 + 16);
    CHECK(r.peer.written().size() > body.size());
}

TEST_CASE("start_tls: bytes after the go-ahead abort before any handshake") {
    test::duplex_options o;
    o.pretend_tls = true;
    rig r({"220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"}, o);
    CHECK(r.ch.read_line(100) == "220 go ahead");
    std::error_code ec;
    r.ch.start_tls({}, ec);
    CHECK(ec == net::errc::data_after_starttls);
    CHECK(r.peer.tls_attempts() == 0);
    CHECK_FALSE(r.ch.is_open());
    CHECK(r.peer.written().empty());
}

TEST_CASE("start_tls: a clean go-ahead upgrades, and the buffer starts empty") {
    test::duplex_options o;
    o.pretend_tls = true;
    rig r({"220 go ahead\r\n", "250 after tls\r\n"}, o);
    CHECK(r.ch.read_line(100) == "220 go ahead");
    r.ch.start_tls({});
    CHECK(r.peer.tls_attempts() == 1);
    CHECK(r.ch.is_tls());
    CHECK(r.ch.read_line(100) == "250 after tls");
    std::error_code ec;
    r.ch.start_tls({}, ec);
    CHECK(ec == net::errc::tls_already_active);
}

TEST_CASE("start_tls: a handshake failure carries its TLS error and closes") {
    test::duplex_options o;
    o.pretend_tls = true;
    o.tls_failure = net::tls_errc::expired;
    rig r({"220 go\r\n"}, o);
    r.ch.read_line(100);
    CHECK_THROWS_AS(r.ch.start_tls({}), net::tls_error);
    CHECK_FALSE(r.ch.is_open());
}

TEST_CASE("trace: secrets are masked unless asked for") {
    std::vector<std::string> seen;
    rig r({"334 \r\n"});
    net::trace_options t;
    t.hook = [&](net::trace_direction, std::string_view s) { seen.emplace_back(s); };
    r.ch.set_trace(t);
    r.ch.write_command("AUTH PLAIN AGFsaWNlAHNlY3JldA==", {11, std::string_view::npos});
    r.ch.write_command("PASS hunter2", {5, std::string_view::npos});
    CHECK(r.ch.read_line(100) == "334 ");
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == "AUTH PLAIN <redacted>");
    CHECK(seen[1] == "PASS <redacted>");
    CHECK(seen[2] == "334 ");
    CHECK(r.peer.written() == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nPASS hunter2\r\n");
    t.show_secrets = true;
    r.ch.set_trace(t);
    r.ch.write_command("PASS hunter2", {5, std::string_view::npos});
    CHECK(seen.back() == "PASS hunter2");
}

TEST_CASE("fail_count: every operation's failure is an error, never a crash") {
    for (std::size_t fail = 0; fail < 6; ++fail) {
        test::duplex_options o;
        o.fail_count = fail;
        rig r({"220 a\r\n", "250 b\r\n", "+OK\r\nx\r\n.\r\n"}, o);
        std::error_code ec;
        r.ch.read_line(100, ec);
        if (!ec) r.ch.write_command("EHLO x", ec);
        if (!ec) r.ch.read_line(100, ec);
        if (!ec) r.ch.read_line(100, ec);
        std::string body;
        if (!ec) r.ch.read_dot_block(net::string_sink(body), 0, ec);
        CHECK((ec || body == "x\r\n"));
    }
}
