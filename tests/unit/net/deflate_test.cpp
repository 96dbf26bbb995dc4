// COMPRESS=DEFLATE under the channel: the server's go-ahead and compressed
// data arriving in one read, every split of the compressed stream, commands
// compressed and flushed one write each, corrupt data refused.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/error.hpp"
#include "support/duplex_stream.hpp"

using namespace pigeon;

namespace {

// Raw deflate with a sync flush after each piece, as a server does per response.
std::string deflate_pieces(const std::vector<std::string>& pieces) {
    z_stream s{};
    REQUIRE(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out;
    for (const auto& p : pieces) {
        s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p.data()));
        s.avail_in = static_cast<uInt>(p.size());
        do {
            char buf[4096];
            s.next_out = reinterpret_cast<Bytef*>(buf);
            s.avail_out = sizeof buf;
            deflate(&s, Z_SYNC_FLUSH);
            out.append(buf, sizeof buf - s.avail_out);
        } while (s.avail_out == 0);
    }
    deflateEnd(&s);
    return out;
}

std::string inflate_all(const std::string& in) {
    z_stream s{};
    REQUIRE(inflateInit2(&s, -15) == Z_OK);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    std::string out;
    int r = Z_OK;
    do {
        char buf[4096];
        s.next_out = reinterpret_cast<Bytef*>(buf);
        s.avail_out = sizeof buf;
        r = inflate(&s, Z_SYNC_FLUSH);
        out.append(buf, sizeof buf - s.avail_out);
    } while (r == Z_OK && (s.avail_in > 0 || s.avail_out == 0));
    inflateEnd(&s);
    return out;
}

} // namespace

TEST_CASE("compressed lines after the go-ahead, preloaded and at every split") {
    std::string big(200000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
    const std::string z = deflate_pieces({"* 1 EXISTS\r\n", "A2 OK " + big + "\r\n", "* BYE done\r\n"});
    for (std::size_t cut = 0; cut <= z.size(); cut += (cut < 64 ? 1 : 997)) {
        // The go-ahead and the first compressed bytes in one chunk: the
        // channel has them buffered when compression starts.
        std::vector<std::string> chunks{"A1 OK DEFLATE active\r\n" + z.substr(0, cut)};
        if (cut < z.size()) chunks.push_back(z.substr(cut));
        auto s = std::make_unique<test::duplex_stream>(chunks);
        auto peer = s->peer();
        net::channel ch(std::move(s));
        CHECK(ch.read_line() == "A1 OK DEFLATE active");
        std::error_code ec;
        ch.start_compression(ec);
        REQUIRE_FALSE(ec);
        CHECK(ch.is_compressed());
        CHECK(ch.read_line() == "* 1 EXISTS");
        CHECK(ch.read_line(300000) == "A2 OK " + big);
        CHECK(ch.read_line() == "* BYE done");
    }
}

TEST_CASE("commands are compressed and flushed, one write each") {
    auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{"+OK\r\n"});
    auto peer = s->peer();
    net::channel ch(std::move(s));
    CHECK(ch.read_line() == "+OK");
    ch.start_compression();
    const std::size_t before = peer.writes().size();
    ch.write_command("A3 NOOP");
    ch.write_command("A4 UID FETCH 1:* (FLAGS)");
    REQUIRE(peer.writes().size() == before + 2);
    std::string all;
    for (std::size_t i = before; i < peer.writes().size(); ++i) all += peer.writes()[i];
    // Each write ends with a sync flush marker (00 00 ff ff): the server can
    // inflate each command as it arrives.
    for (std::size_t i = before; i < peer.writes().size(); ++i) {
        const auto& w = peer.writes()[i];
        REQUIRE(w.size() >= 4);
        CHECK(w.substr(w.size() - 4) == std::string("\0\0\xff\xff", 4));
    }
    CHECK(inflate_all(all) == "A3 NOOP\r\nA4 UID FETCH 1:* (FLAGS)\r\n");
}

TEST_CASE("a large write is compressed in bounded pieces") {
    auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{});
    auto peer = s->peer();
    net::channel ch(std::move(s));
    ch.start_compression();
    std::string literal(5 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < literal.size(); ++i) literal[i] = static_cast<char>((i * 2654435761u) >> 24);
    ch.write_raw(literal);
    std::string all;
    for (const auto& w : peer.writes()) {
        CHECK(w.size() <= 16 * 1024);
        all += w;
    }
    CHECK(inflate_all(all) == literal);
}

TEST_CASE("corrupt compressed data is a protocol error, not a hang") {
    auto s = std::make_unique<test::duplex_stream>(std::vector<std::string>{"OK\r\n", std::string("\xff\xff\xff\xff junk", 9)});
    net::channel ch(std::move(s));
    CHECK(ch.read_line() == "OK");
    ch.start_compression();
    std::error_code ec;
    (void)ch.read_line(1024, ec);
    CHECK(ec == make_error_code(net::errc::protocol_error));
    CHECK_FALSE(ch.is_open());
}
