#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "support/split_feed.hpp"

using pigeon::test::pieces;

namespace {

std::vector<std::vector<std::string>> collect(std::string_view input) {
    std::vector<std::vector<std::string>> out;
    pigeon::test::for_each_split(input, [&](const pieces& p) {
        std::vector<std::string> v;
        for (auto s : p) v.emplace_back(s);
        out.push_back(std::move(v));
    });
    return out;
}

using vs = std::vector<std::string>;

} // namespace

TEST_CASE("for_each_split: whole, every 2-way split, then bytewise") {
    auto all = collect("abcd");
    REQUIRE(all.size() == 5);
    CHECK(all[0] == vs{"abcd"});
    CHECK(all[1] == vs{"a", "bcd"});
    CHECK(all[2] == vs{"ab", "cd"});
    CHECK(all[3] == vs{"abc", "d"});
    CHECK(all[4] == vs{"a", "b", "c", "d"});
}

TEST_CASE("for_each_split: short inputs produce no duplicate splits") {
    CHECK(collect("") == std::vector<vs>{vs{""}});
    CHECK(collect("x") == std::vector<vs>{vs{"x"}});
    CHECK(collect("xy") == std::vector<vs>{vs{"xy"}, vs{"x", "y"}});
    auto three = collect("xyz");
    CHECK(three.size() == 4);
    CHECK(three.back() == vs{"x", "y", "z"});
}

TEST_CASE("for_each_split: every split concatenates back to the input, no empty pieces") {
    const std::string input = "250-first\r\n250 last\r\n";
    std::size_t calls = pigeon::test::for_each_split(input, [&](const pieces& p) {
        std::string joined;
        for (auto s : p) {
            CHECK(!s.empty());
            joined += s;
        }
        CHECK(joined == input);
    });
    CHECK(calls == 1 + (input.size() - 1) + 1);
}

TEST_CASE("for_each_split3: every pair of cut points once") {
    std::set<std::pair<std::size_t, std::size_t>> seen;
    std::size_t calls = pigeon::test::for_each_split3("abcde", [&](const pieces& p) {
        REQUIRE(p.size() == 3);
        CHECK(std::string(p[0]) + std::string(p[1]) + std::string(p[2]) == "abcde");
        CHECK(!p[1].empty());
        seen.insert({p[0].size(), p[0].size() + p[1].size()});
    });
    CHECK(calls == 6); // C(4, 2): cuts at 1..4, two distinct ones
    CHECK(seen.size() == 6);
}

TEST_CASE("split_at, chunks_of, bytewise, describe, to_chunks") {
    auto p = pigeon::test::split_at("hello world", {2, 5, 5});
    REQUIRE(p.size() == 4);
    CHECK(p[0] == "he");
    CHECK(p[1] == "llo");
    CHECK(p[2].empty());
    CHECK(p[3] == " world");
    CHECK(pigeon::test::describe(p) == "[2|3|0|6]");
    // Out-of-range cuts are clamped.
    CHECK(pigeon::test::split_at("abc", {10}) == pieces{"abc", ""});

    CHECK(pigeon::test::chunks_of("abcdefg", 3) == pieces{"abc", "def", "g"});
    CHECK(pigeon::test::chunks_of("", 3) == pieces{""});
    CHECK(pigeon::test::bytewise("ab") == pieces{"a", "b"});
    CHECK(pigeon::test::to_chunks(pieces{"a", "", "bc"}) == vs{"a", "", "bc"});
}
