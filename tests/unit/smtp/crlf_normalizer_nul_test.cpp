// The BDAT line-end normaliser and NUL bytes: refused (stopping exactly at
// the NUL, failing for good) or stripped, in every split of the input.
#include <doctest/doctest.h>

#include <ostream>
#include <string>

#include "pigeon/net/error.hpp"
#include "pigeon/smtp/crlf_normalizer.hpp"
#include "support/split_feed.hpp"

using pigeon::net::nul_policy;
using pigeon::smtp::crlf_normalizer;
using namespace std::string_literals;

namespace {

const std::string nul_inputs[] = {
    "\0abc\r\n"s,        "ab\0c\r\n"s,  "ab\r\n\0.x\r\n"s,   "ab\r\0\ncd"s,        "ab\r\0cd"s,
    "a\n\0.\n.\n"s,      "\r\n\0.\r\n"s, "abc\0"s,          "a\0\0\0b\n..\n"s,   "x\r\n.\0\r\n"s,
    "\0"s,               "\r\0"s,       "line\r\n\0"s,
};

std::string without_nul(const std::string& s) {
    std::string r;
    for (char c : s)
        if (c != '\0') r.push_back(c);
    return r;
}

std::string normalised(std::string_view s) {
    crlf_normalizer n;
    std::string out;
    REQUIRE_FALSE(n.feed(s, out));
    REQUIRE_FALSE(n.finish(out));
    return out;
}

} // namespace

TEST_CASE("crlf_normalizer: refuse stops at the first NUL, in every split, and stays failed") {
    for (const auto& in : nul_inputs) {
        const std::size_t first = in.find('\0');
        crlf_normalizer ref;
        std::string prefix_out;
        CHECK_FALSE(ref.feed(std::string_view(in).substr(0, first), prefix_out));
        pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& ps) {
            INFO("split: " << pigeon::test::describe(ps));
            crlf_normalizer n;  // refuse is the default
            std::string out;
            std::error_code first_error;
            std::size_t consumed = 0;
            for (auto p : ps) {
                auto ec = n.feed(p, out);
                if (ec && !first_error) {
                    first_error = ec;
                    CHECK(consumed <= first);
                    CHECK(first < consumed + p.size());
                }
                if (!first_error) CHECK_FALSE(ec);
                consumed += p.size();
            }
            CHECK(first_error == pigeon::net::errc::nul_in_data);
            const std::string before = out;
            CHECK(n.finish(out) == pigeon::net::errc::nul_in_data);
            CHECK(n.feed("more\r\n", out) == pigeon::net::errc::nul_in_data);
            CHECK(out == before);
            CHECK(out == prefix_out);
            CHECK(out.find('\0') == std::string::npos);
        });
    }
}

TEST_CASE("crlf_normalizer: strip gives the output of the input without its NULs, in every split") {
    for (const auto& in : nul_inputs) {
        const std::string expect = normalised(without_nul(in));
        pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& ps) {
            INFO("split: " << pigeon::test::describe(ps));
            crlf_normalizer n(nul_policy::strip);
            std::string out;
            for (auto p : ps) CHECK_FALSE(n.feed(p, out));
            CHECK_FALSE(n.finish(out));
            CHECK(out == expect);
            CHECK(n.stripped() == in.size() - without_nul(in).size());
        });
    }
    crlf_normalizer n(nul_policy::strip);
    std::string out;
    CHECK_FALSE(n.feed("a\r\0\nb"s, out));
    CHECK_FALSE(n.finish(out));
    CHECK(out == "a\r\nb\r\n");
}

TEST_CASE("crlf_normalizer: reset clears a refusal") {
    crlf_normalizer n;
    std::string out;
    CHECK(n.feed("a\0"s, out) == pigeon::net::errc::nul_in_data);
    n.reset();
    out.clear();
    CHECK_FALSE(n.feed("b\n", out));
    CHECK_FALSE(n.finish(out));
    CHECK(out == "b\r\n");
}
