#include <doctest/doctest.h>

#include <ostream>

#include <string>

#include "pigeon/smtp/crlf_normalizer.hpp"
#include "support/split_feed.hpp"

using pigeon::smtp::crlf_normalizer;

namespace {
std::string normalise(const pigeon::test::pieces& pieces) {
    crlf_normalizer n;
    std::string out;
    for (auto p : pieces) n.feed(p, out);
    n.finish(out);
    return out;
}
} // namespace

TEST_CASE("every line end becomes CRLF / in every split") {
    struct tc {
        std::string in, out;
    };
    const tc cases[] = {
        {"a\nb\rc\r\nd", "a\r\nb\r\nc\r\nd\r\n"},
        {"\n.\n", "\r\n.\r\n"},
        {"\r\n.\r\n", "\r\n.\r\n"},
        {"x\r\r\ny", "x\r\n\r\ny\r\n"},
        {"\r", "\r\n"},
        {"\n\n", "\r\n\r\n"},
        {"ends\r\n", "ends\r\n"},
        {"ends with cr\r", "ends with cr\r\n"},
        {"..dots stay\n", "..dots stay\r\n"},
        {"", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        pigeon::test::for_each_split(c.in, [&](const pigeon::test::pieces& pieces) {
            INFO("split: " << pigeon::test::describe(pieces));
            CHECK(normalise(pieces) == c.out);
        });
    }
}

TEST_CASE("empty feeds change nothing") {
    crlf_normalizer n;
    std::string out;
    n.feed("a\r", out);
    n.feed("", out);
    n.feed("\nb", out);
    n.finish(out);
    CHECK(out == "a\r\nb\r\n");
}
