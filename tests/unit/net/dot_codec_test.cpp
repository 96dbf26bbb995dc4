#include "pigeon/net/dot_codec.hpp"

#include <doctest/doctest.h>

#include "support/split_feed.hpp"

using pigeon::net::dot_stuffer;
using pigeon::net::dot_unstuffer;

namespace {

std::string stuff_pieces(const pigeon::test::pieces& ps,
                         pigeon::net::nul_policy nul = pigeon::net::nul_policy::refuse) {
    dot_stuffer s(nul);
    std::string out;
    for (auto p : ps) s.feed(p, out);
    s.finish(out);
    return out;
}

std::string unstuff_all(const pigeon::test::pieces& ps, std::string* rest = nullptr) {
    dot_unstuffer u;
    std::string out;
    bool done = false;
    for (auto p : ps) {
        if (done) {
            if (rest) rest->append(p);
            continue;
        }
        std::size_t used = 0;
        if (u.feed(p, out, used) == dot_unstuffer::status::done) {
            done = true;
            if (rest) rest->append(p.substr(used));
        }
    }
    REQUIRE(done);
    return out;
}

} // namespace

TEST_CASE("dot_stuffer: every line end becomes CRLF and leading dots are doubled") {
    struct vec {
        std::string in, out;
    } cases[] = {
        {"", ".\r\n"},
        {"a", "a\r\n.\r\n"},
        {"a\r\n", "a\r\n.\r\n"},
        {"a\nb\n", "a\r\nb\r\n.\r\n"},
        {"a\rb", "a\r\nb\r\n.\r\n"},
        {"a\r", "a\r\n.\r\n"},
        {".", "..\r\n.\r\n"},
        {".\r\n", "..\r\n.\r\n"},
        {"x\n.\n", "x\r\n..\r\n.\r\n"},
        {"x\r\n.\r\ny", "x\r\n..\r\ny\r\n.\r\n"},
        {"x\r.\r", "x\r\n..\r\n.\r\n"},
        {"..a\n.b", "...a\r\n..b\r\n.\r\n"},
        {"\r\r\n\n", "\r\n\r\n\r\n.\r\n"},
        {"a.b\n", "a.b\r\n.\r\n"},
    };
    for (const auto& c : cases) {
        pigeon::test::for_each_split(c.in, [&](const pigeon::test::pieces& ps) {
            INFO("input: " << pigeon::test::describe(ps));
            CHECK(stuff_pieces(ps) == c.out);
        });
    }
}

TEST_CASE("dot_stuffer: no early end-of-data can be produced") {
    // Whatever the body, the only CRLF.CRLF in the output is the last one.
    const std::string bodies[] = {"\n.\n", "\r\n.\r\n", "\r.\r", "a\n.\r\nb", ".\r\n.\r\n", "\r\n.\n.\r."};
    for (const auto& b : bodies) {
        std::string out = stuff_pieces({b});
        auto first = out.find("\r\n.\r\n");
        bool starts_with_end = out.rfind(".\r\n", 0) == 0 && out.size() == 3;
        CHECK((first == out.size() - 5 || starts_with_end));
        // Round trip through the unstuffer gives the CRLF-normalised body.
        std::string back = unstuff_all({out});
        dot_stuffer s2;
        std::string again;
        s2.feed(back, again);
        s2.finish(again);
        CHECK(again == out);
    }
}

TEST_CASE("dot_unstuffer: un-stuffs and finds the terminator across every split") {
    const std::string wire = "line 1\r\n..dotted\r\n.\r\n";
    const std::string expect = "line 1\r\n.dotted\r\n";
    pigeon::test::for_each_split(wire + "NEXT", [&](const pigeon::test::pieces& ps) {
        INFO("input: " << pigeon::test::describe(ps));
        std::string rest;
        CHECK(unstuff_all(ps, &rest) == expect);
        CHECK(rest == "NEXT");
    });
}

TEST_CASE("dot_unstuffer: a dot inside a line or at a packet boundary is not the end") {
    const std::string wire = "a.\r\n.b\r\nx\r\n.\r\n";
    pigeon::test::for_each_split(wire, [&](const pigeon::test::pieces& ps) {
        CHECK(unstuff_all(ps) == "a.\r\nb\r\nx\r\n");
    });
    CHECK(unstuff_all({"\r\n.\r\n"}) == "\r\n");
    CHECK(unstuff_all({".\r\n"}).empty());
}

TEST_CASE("dot_unstuffer: sloppy bare-LF servers") {
    CHECK(unstuff_all({"a\nb\n.\n"}) == "a\r\nb\r\n");
    CHECK(unstuff_all({"a\rb\r\n.\r\n"}) == "a\rb\r\n");
}

TEST_CASE("dot codecs round-trip every byte value but NUL, which is stripped on request") {
    std::string body;
    for (int i = 0; i < 256; ++i) body.push_back(static_cast<char>(i));
    body += "\r\n.\r\n..\r\nend";
    // Reference: every CRLF, bare CR and bare LF becomes CRLF; a last line
    // without an end gets one.
    std::string expect;
    for (std::size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (c == '\r') {
            expect += "\r\n";
            if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            expect += "\r\n";
        } else if (c != '\0') {
            expect.push_back(c);
        }
    }
    expect += "\r\n";
    std::string wire = stuff_pieces({body}, pigeon::net::nul_policy::strip);
    CHECK(wire.find('\0') == std::string::npos);
    CHECK(unstuff_all({wire}) == expect);
    CHECK(unstuff_all(pigeon::test::chunks_of(wire, 1)) == expect);
}
