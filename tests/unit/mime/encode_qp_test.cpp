#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_util.hpp"
#include "support/split_feed.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/encode_qp.hpp>

#include <random>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

TEST_CASE("qp: plain text stays as it is")
{
    CHECK(encode_qp("Hello, world!") == "Hello, world!");
    CHECK(encode_qp("a b\tc") == "a b\tc");
    CHECK(encode_qp("") == "");
}

TEST_CASE("qp: '=' and non-ASCII are encoded")
{
    CHECK(encode_qp("a=b") == "a=3Db");
    CHECK(encode_qp("caf\xc3\xa9") == "caf=C3=A9");
    CHECK(encode_qp(std::string("\x00\x7f", 2)) == "=00=7F");
}

TEST_CASE("qp: trailing whitespace before a line end or the end is encoded")
{
    CHECK(encode_qp("a \r\nb") == "a=20\r\nb");
    CHECK(encode_qp("a\t\r\nb") == "a=09\r\nb");
    CHECK(encode_qp("a ") == "a=20");
    CHECK(encode_qp("a  ") == "a =20");
    CHECK(encode_qp("a  b") == "a  b");
    CHECK(encode_qp(" ") == "=20");
}

TEST_CASE("qp: CRLF is a hard break, lone CR and LF are data")
{
    CHECK(encode_qp("a\r\nb\r\n") == "a\r\nb\r\n");
    CHECK(encode_qp("a\nb") == "a=0Ab");
    CHECK(encode_qp("a\rb") == "a=0Db");
    CHECK(encode_qp("a\r") == "a=0D");
    CHECK(encode_qp("a \r") == "a =0D");
    CHECK(encode_qp("\r\r\n") == "=0D\r\n");
}

TEST_CASE("qp: binary mode encodes every CR and LF")
{
    qp_options o;
    o.binary = true;
    CHECK(encode_qp("a\r\nb", o) == "a=0D=0Ab");
    CHECK(encode_qp("a \r\n", o) == "a =0D=0A");
}

TEST_CASE("qp: long lines get soft breaks, no line over 76")
{
    const std::string in(200, 'x');
    const std::string out = encode_qp(in);
    CHECK(tc::max_line(out) <= 76);
    CHECK(out.find("=\r\n") != std::string::npos);
    CHECK(tc::decode_qp(out) == in);

    // An escape is never split by a soft break.
    std::string e;
    for (int i = 0; i < 100; ++i) e += "\xc3\xa9";
    const std::string oe = encode_qp(e);
    for (auto l : tc::crlf_lines(oe)) {
        CHECK(l.size() <= 76);
        if (l.back() == '=') l.remove_suffix(1);
        CHECK(l.size() % 3 == 0);
    }
    CHECK(tc::decode_qp(oe) == e);
}

TEST_CASE("qp: optional From and leading-dot safety at every line start")
{
    qp_options o;
    o.encode_from = true;
    o.encode_leading_dot = true;
    CHECK(encode_qp("From here\r\n.\r\nx.From", o) == "=46rom here\r\n=2E\r\nx.From");
    // After a soft break too.
    const std::string in = std::string(75, 'a') + "From x";
    const std::string out = encode_qp(in, o);
    for (auto l : tc::crlf_lines(out)) CHECK(l.substr(0, 5) != "From ");
    CHECK(tc::decode_qp(out) == in);
}

TEST_CASE("qp: every split gives the same output")
{
    const std::string in = "caf\xc3\xa9 \r\n=x \r\r\n\n" + std::string(80, 'y') + " \t";
    for (bool binary : {false, true}) {
        qp_options o;
        o.binary = binary;
        o.encode_from = true;
        const std::string expected = encode_qp(in, o);
        pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& p) {
            INFO("split " << pigeon::test::describe(p));
            qp_encoder enc(o);
            std::string out;
            for (auto piece : p) enc.feed(piece, out);
            enc.finish(out);
            CHECK(out == expected);
        });
    }
}

TEST_CASE("qp: random input round-trips, keeps lines short and never holds =_")
{
    std::mt19937 rng(42);
    for (int round = 0; round < 200; ++round) {
        std::string in(rng() % 600, '\0');
        for (auto& c : in) {
            const auto r = rng() % 10;
            c = r < 6 ? static_cast<char>('a' + rng() % 26)
                      : r == 6 ? ' ' : r == 7 ? '\r' : r == 8 ? '\n' : static_cast<char>(rng());
        }
        for (bool binary : {false, true}) {
            qp_options o;
            o.binary = binary;
            const std::string out = encode_qp(in, o);
            CHECK(tc::decode_qp(out) == in);
            CHECK(tc::max_line(out) <= 76);
            CHECK(out.find("=_") == std::string::npos);
            CHECK(tc::only_crlf(out));
            bool no_trailing_space = true;
            for (auto l : tc::crlf_lines(out))
                if (!l.empty() && (l.back() == ' ' || l.back() == '\t')) no_trailing_space = false;
            CHECK(no_trailing_space);
            bool printable = true;
            for (unsigned char c : out) printable = printable && c < 0x80 && (c >= 0x20 || c == '\r' || c == '\n' || c == '\t');
            CHECK(printable);
        }
    }
}

TEST_CASE("qp: mid_line tells whether the output ends inside a line")
{
    qp_encoder e;
    std::string out;
    CHECK_FALSE(e.mid_line());
    e.feed("abc", out);
    CHECK(e.mid_line());
    e.feed("\r\n", out);
    CHECK_FALSE(e.mid_line());
}
