#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "pigeon/net/error.hpp"
#include "support/duplex_stream.hpp"
#include "support/split_feed.hpp"

using pigeon::test::duplex_options;
using pigeon::test::duplex_stream;
namespace net = pigeon::net;

namespace {

std::string read_one(duplex_stream& s, std::size_t cap, std::error_code& ec) {
    std::string buf(cap, '\0');
    std::size_t n = s.read_some(buf.data(), cap, ec);
    buf.resize(n);
    return buf;
}

} // namespace

TEST_CASE("duplex_stream: each read_some returns at most one chunk") {
    duplex_stream s({"220 hel", "lo\r\n250", "-x\r\n"});
    std::error_code ec;
    CHECK(read_one(s, 100, ec) == "220 hel");
    CHECK(!ec);
    CHECK(read_one(s, 100, ec) == "lo\r\n250");
    CHECK(read_one(s, 100, ec) == "-x\r\n");
    CHECK(!ec);
    CHECK(read_one(s, 100, ec).empty());
    CHECK(ec == net::errc::connection_closed);
    // Stays closed.
    CHECK(read_one(s, 100, ec).empty());
    CHECK(ec == net::errc::connection_closed);
}

TEST_CASE("duplex_stream: a chunk larger than the buffer is read in parts") {
    duplex_stream s({"abcdefg", "h"});
    std::error_code ec;
    CHECK(read_one(s, 3, ec) == "abc");
    CHECK(read_one(s, 3, ec) == "def");
    CHECK(read_one(s, 3, ec) == "g"); // the rest of the chunk, not merged with the next
    CHECK(read_one(s, 3, ec) == "h");
    CHECK(!ec);
    CHECK(s.peer().unread_chunks() == 0);
}

TEST_CASE("duplex_stream: empty chunks are skipped, not read as end of stream") {
    duplex_stream s({"", "a", "", "b"});
    std::error_code ec;
    CHECK(read_one(s, 10, ec) == "a");
    CHECK(read_one(s, 10, ec) == "b");
    CHECK(!ec);
}

TEST_CASE("duplex_stream: end_of_input::timeout reports a silent peer") {
    duplex_options o;
    o.at_end = pigeon::test::end_of_input::timeout;
    duplex_stream s({"x"}, o);
    std::error_code ec;
    CHECK(read_one(s, 10, ec) == "x");
    CHECK(read_one(s, 10, ec).empty());
    CHECK(ec == net::errc::timeout);
    // The test can supply more input later, as a slow server would.
    s.peer().push("y");
    CHECK(read_one(s, 10, ec) == "y");
    CHECK(!ec);
}

TEST_CASE("duplex_stream: writes are captured whole and one entry per call") {
    auto s = std::make_unique<duplex_stream>();
    auto peer = s->peer();
    std::error_code ec;
    s->write_all("EHLO x\r\n", 8, ec);
    CHECK(!ec);
    s->write_all("MAIL FROM:<>\r\nRCPT TO:<a@b>\r\n", 29, ec);
    CHECK(!ec);
    s.reset(); // the peer outlives the stream
    CHECK(peer.written() == "EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\n");
    REQUIRE(peer.writes().size() == 2);
    CHECK(peer.writes()[0] == "EHLO x\r\n");
    CHECK(peer.writes()[1] == "MAIL FROM:<>\r\nRCPT TO:<a@b>\r\n");
    CHECK(peer.operations() == 2);
}

TEST_CASE("duplex_stream: fail_count makes the Nth operation and all later ones fail") {
    for (std::size_t n = 0; n < 5; ++n) {
        CAPTURE(n);
        duplex_options o;
        o.fail_count = n;
        duplex_stream s({"a", "b", "c"}, o);
        std::error_code ec;
        std::size_t succeeded = 0;
        // Alternate reads and writes: operation i fails exactly when i >= n.
        for (std::size_t i = 0; i < 5; ++i) {
            if (i % 2 == 0) {
                read_one(s, 10, ec);
            } else {
                s.write_all("w", 1, ec);
            }
            if (i < n) {
                CHECK(!ec);
                ++succeeded;
            } else {
                CHECK(ec == net::errc::io_error);
            }
        }
        CHECK(succeeded == n);
        // A failed write wrote nothing.
        CHECK(s.peer().written().size() == std::min<std::size_t>(n / 2, 2));
    }
}

TEST_CASE("duplex_stream: start_tls without pretend_tls is unsupported") {
    duplex_stream s({"x"});
    std::error_code ec;
    net::tls_options t;
    t.server_name = "mail.example";
    s.start_tls(t, ec);
    CHECK(ec == net::errc::tls_unsupported);
    CHECK(s.tls() == nullptr);
    CHECK(s.peer().tls_attempts() == 1);
    CHECK(s.peer().last_tls_options().server_name == "mail.example");
}

TEST_CASE("duplex_stream: pretend_tls upgrades and splits the written bytes") {
    duplex_options o;
    o.pretend_tls = true;
    duplex_stream s({"220 go\r\n", "250 ok\r\n"}, o);
    auto peer = s.peer();
    std::error_code ec;
    s.write_all("STARTTLS\r\n", 10, ec);
    CHECK(read_one(s, 100, ec) == "220 go\r\n");
    CHECK(s.tls() == nullptr);
    s.start_tls({}, ec);
    CHECK(!ec);
    REQUIRE(s.tls() != nullptr);
    CHECK(s.tls()->verified);
    CHECK(s.tls()->version == "TLSv1.3");
    CHECK(peer.tls_active());
    s.write_all("EHLO x\r\n", 8, ec);
    CHECK(peer.written_before_tls() == "STARTTLS\r\n");
    CHECK(peer.written_after_tls() == "EHLO x\r\n");
    // A second upgrade is refused.
    s.start_tls({}, ec);
    CHECK(ec == net::errc::tls_already_active);
}

TEST_CASE("duplex_stream: pretend_tls with a configured handshake failure") {
    duplex_options o;
    o.pretend_tls = true;
    o.tls_failure = net::tls_errc::untrusted_issuer;
    duplex_stream s({}, o);
    std::error_code ec;
    s.start_tls({}, ec);
    CHECK(ec == net::tls_errc::untrusted_issuer);
    CHECK(s.tls() == nullptr);
    CHECK(s.peer().written_after_tls().empty());
}

TEST_CASE("duplex_stream: operations after close fail") {
    duplex_stream s({"abc"});
    s.close();
    CHECK(s.peer().closed());
    std::error_code ec;
    CHECK(read_one(s, 10, ec).empty());
    CHECK(ec == net::errc::io_error);
    s.write_all("x", 1, ec);
    CHECK(ec == net::errc::io_error);
    CHECK(s.peer().written().empty());
}

TEST_CASE("duplex_stream: split_feed pieces become chunks read one by one") {
    const std::string input = "+OK\r\nline\r\n.\r\n";
    std::size_t calls = pigeon::test::for_each_split(input, [&](const pigeon::test::pieces& p) {
        INFO("split " << pigeon::test::describe(p));
        duplex_stream s(pigeon::test::to_chunks(p));
        std::error_code ec;
        std::string got;
        std::size_t reads = 0;
        for (;;) {
            std::string part = read_one(s, 1024, ec);
            if (ec) break;
            CHECK(part == p[reads]);
            got += part;
            ++reads;
        }
        CHECK(ec == net::errc::connection_closed);
        CHECK(reads == p.size());
        CHECK(got == input);
    });
    CHECK(calls == 1 + (input.size() - 1) + 1);
}
