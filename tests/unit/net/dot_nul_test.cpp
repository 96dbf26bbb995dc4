// NUL bytes in message data: the dot-stuffer refuses them (stopping exactly
// at the NUL, and never writing an end-of-data afterwards) or strips them,
// for every split of the input; channel::write_dot_block sends nothing from
// the NUL on and closes the connection.
#include <doctest/doctest.h>

#include <ostream>
#include <string>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/dot_codec.hpp"
#include "pigeon/net/error.hpp"
#include "support/duplex_stream.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace std::string_literals;
using namespace std::string_view_literals;
using net::dot_stuffer;
using net::nul_policy;

namespace {

// Inputs with NUL at the start, inside a line, at a line start (where a dot
// would be stuffed), between CR and LF, after a bare CR, before a dot, at
// the end, and several in a row.
const std::string nul_inputs[] = {
    "\0abc\r\n"s,
    "ab\0c\r\n"s,
    "ab\r\n\0.x\r\n"s,
    "ab\r\0\ncd"s,
    "ab\r\0cd"s,
    "a\n\0.\n.\n"s,
    "\r\n\0.\r\n"s,  // hannob/smtpsmug "nullbefore"
    "abc\0"s,
    "a\0\0\0b\n..\n"s,
    "x\r\n.\0\r\n"s,
};

std::string without_nul(const std::string& s) {
    std::string r;
    for (char c : s)
        if (c != '\0') r.push_back(c);
    return r;
}

std::string stuffed(std::string_view s) {
    dot_stuffer d(nul_policy::strip);
    std::string out;
    d.feed(s, out);
    d.finish(out);
    return out;
}

} // namespace

TEST_CASE("dot_stuffer: refuse stops at the first NUL, in every split, and stays failed") {
    for (const auto& in : nul_inputs) {
        const std::size_t first = in.find('\0');
        REQUIRE(first != std::string::npos);
        // What may go out: the encoding of the bytes before the NUL, without
        // a pending line end being completed and without any end-of-data.
        dot_stuffer ref;
        std::string prefix_out;
        CHECK_FALSE(ref.feed(std::string_view(in).substr(0, first), prefix_out));
        test::for_each_split(in, [&](const test::pieces& ps) {
            INFO("split: " << test::describe(ps));
            dot_stuffer d;
            std::string out;
            std::error_code first_error;
            std::size_t consumed = 0;
            for (auto p : ps) {
                auto ec = d.feed(p, out);
                if (ec && !first_error) {
                    first_error = ec;
                    // The failing piece is the one holding the first NUL.
                    CHECK(consumed <= first);
                    CHECK(first < consumed + p.size());
                }
                if (!first_error) CHECK_FALSE(ec);
                consumed += p.size();
            }
            CHECK(first_error == net::errc::nul_in_data);
            const std::string before = out;
            CHECK(d.finish(out) == net::errc::nul_in_data);
            CHECK(d.feed("more\r\n", out) == net::errc::nul_in_data);
            CHECK(out == before);
            CHECK(out == prefix_out);
            CHECK(out.find('\0') == std::string::npos);
            CHECK(out.find("\r\n.\r\n") == std::string::npos);
            CHECK(d.fed() == first);
        });
    }
}

TEST_CASE("dot_stuffer: strip gives the output of the input without its NULs, in every split") {
    for (const auto& in : nul_inputs) {
        const std::string expect = stuffed(without_nul(in));
        test::for_each_split(in, [&](const test::pieces& ps) {
            INFO("split: " << test::describe(ps));
            dot_stuffer d(nul_policy::strip);
            std::string out;
            for (auto p : ps) CHECK_FALSE(d.feed(p, out));
            CHECK_FALSE(d.finish(out));
            CHECK(out == expect);
            CHECK(d.stripped() == in.size() - without_nul(in).size());
            CHECK(d.fed() == in.size());
        });
    }
    // A NUL that separated a CR from its LF leaves one CRLF, and a dot after
    // a stripped NUL at a line start is stuffed.
    CHECK(stuffed("a\r\0\nb"s) == "a\r\nb\r\n.\r\n");
    CHECK(stuffed("a\n\0.\n"s) == "a\r\n..\r\n.\r\n");
}

TEST_CASE("dot_stuffer: the default policy is refuse, reset starts over") {
    dot_stuffer d;
    std::string out;
    CHECK(d.feed("a\0b"sv, out) == net::errc::nul_in_data);
    d.reset();
    out.clear();
    CHECK_FALSE(d.feed("ok\r\n", out));
    CHECK_FALSE(d.finish(out));
    CHECK(out == "ok\r\n.\r\n");
}

TEST_CASE("write_dot_block: a NUL sends nothing from there on, no end-of-data, and closes") {
    for (std::size_t at : {std::size_t(0), std::size_t(10), std::size_t(5000), std::size_t(20000)}) {
        CAPTURE(at);
        std::string msg(30000, 'm');
        for (std::size_t i = 79; i < msg.size(); i += 80) msg[i] = '\n';
        msg[at] = '\0';
        auto s = std::make_unique<test::duplex_stream>();
        auto peer = s->peer();
        net::channel_limits l;
        l.buffer_size = 4096;  // several writes before the NUL when it comes late
        net::channel ch(std::move(s), l);
        std::error_code ec;
        std::size_t fed = ch.write_dot_block(net::string_source(msg), ec);
        CHECK(ec == net::errc::nul_in_data);
        CHECK_FALSE(ch.is_open());
        CHECK(peer.closed());
        CHECK(fed == at);
        const std::string wire = peer.written();
        CHECK(wire.find('\0') == std::string::npos);
        CHECK(wire.find("\r\n.\r\n") == std::string::npos);
        CHECK(wire.size() <= at + at / 79 + 1);  // at most the lines before the NUL
        if (at < 4096) CHECK(wire.empty());
    }
    // The throwing form says why.
    net::channel ch(std::make_unique<test::duplex_stream>());
    try {
        ch.write_dot_block(net::string_source("x\0y"sv));
        FAIL("no exception");
    } catch (const net::transport_error& e) {
        CHECK(e.code() == net::errc::nul_in_data);
    }
}

TEST_CASE("write_dot_block: strip sends the message without its NULs") {
    const std::string msg = "Subject: x\r\n\r\nbody\0 with\0\r\n\0.dot\r\n"s;
    REQUIRE(msg.size() == 34);
    auto s = std::make_unique<test::duplex_stream>();
    auto peer = s->peer();
    net::channel ch(std::move(s));
    std::error_code ec;
    CHECK(ch.write_dot_block(net::string_source(msg), ec, nul_policy::strip) == msg.size());
    CHECK_FALSE(ec);
    CHECK(peer.written() == "Subject: x\r\n\r\nbody with\r\n..dot\r\n.\r\n");
    CHECK(ch.is_open());
}
