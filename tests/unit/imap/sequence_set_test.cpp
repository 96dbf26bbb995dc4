// Sequence sets and UID sets: built, parsed, iterated, never expanded.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/sequence_set.hpp"

using namespace pigeon::imap;

namespace {

std::string parsed(std::string_view text) {
    std::error_code ec;
    auto s = sequence_set::parse(text, ec);
    if (!s) return "error: " + ec.message();
    CHECK_FALSE(ec);
    return s->to_string();
}

std::vector<std::uint32_t> all(const sequence_set& s) { return {s.begin(), s.end()}; }

} // namespace

TEST_CASE("from numbers: sorted, merged, compressed") {
    CHECK(sequence_set::from_numbers({}).to_string() == "");
    CHECK(sequence_set::from_numbers({7}).to_string() == "7");
    CHECK(sequence_set::from_numbers({5, 1, 2, 3, 500, 4}).to_string() == "1:5,500");
    CHECK(sequence_set::from_numbers({3, 3, 0, 1, 1, 9, 8, 10, 12}).to_string() == "1,3,8:10,12");
    CHECK(sequence_set::from_numbers({4294967295u, 4294967294u, 1}).to_string() == "1,4294967294:4294967295");
    std::vector<std::uint32_t> many;
    for (std::uint32_t i = 1; i <= 500; ++i) many.push_back(i);
    many.push_back(502);
    CHECK(sequence_set::from_numbers(many).to_string() == "1:500,502");
    CHECK(sequence_set::from_numbers(many).ranges().size() == 2);
}

TEST_CASE("parse: numbers, ranges either way, star") {
    CHECK(parsed("1") == "1");
    CHECK(parsed("1:3,5,7:*") == "1:3,5,7:*");
    CHECK(parsed("5:3") == "3:5");
    CHECK(parsed("*:5") == "5:*");
    CHECK(parsed("*") == "*");
    CHECK(parsed("*:*") == "*");
    CHECK(parsed("4294967295") == "4294967295");
    CHECK(parsed("9,1,5") == "9,1,5");  // order kept (COPYUID pairs depend on it)
    std::error_code ec;
    auto s = sequence_set::parse("2:4,10:8", ec);
    REQUIRE(s);
    CHECK(s->ranges() == std::vector<sequence_set::range>{{2, 4}, {8, 10}});
    CHECK(all(*s) == std::vector<std::uint32_t>{2, 3, 4, 8, 9, 10});
    CHECK(s->count() == 6u);
}

TEST_CASE("parse: malformed sets are errors") {
    for (const char* bad : {"", ",", "1,", ",1", "1,,2", "0", "1:0", "01", "4294967296", "99999999999", "1:", ":1",
                            "1::2", "1:2:3", "a", "1 2", " 1", "$", "-1", "1.5", "**", "*1"}) {
        INFO(bad);
        CHECK(parsed(bad) == "error: malformed reply from the server");
    }
    std::error_code ec;
    CHECK_FALSE(sequence_set::parse("1,2,3,4", ec, 3));
    CHECK(ec == make_error_code(errc::too_many_tokens));
    CHECK(sequence_set::parse("1,2,3", ec, 3));
}

TEST_CASE("huge ranges stay ranges") {
    std::error_code ec;
    auto t0 = std::chrono::steady_clock::now();
    auto s = sequence_set::parse("1:4294967295", ec);
    REQUIRE(s);
    CHECK(s->ranges().size() == 1);
    CHECK(s->count() == 4294967295ull);
    CHECK(s->contains(4000000000u));
    CHECK_FALSE(s->contains(0));
    // Expansion is refused beyond the caller's bound, without trying.
    CHECK_FALSE(s->to_numbers(1000000, ec));
    CHECK(ec == make_error_code(errc::too_many_tokens));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    auto small = sequence_set::parse("3:1,7", ec);
    auto v = small->to_numbers(4, ec);
    REQUIRE(v);
    CHECK(*v == std::vector<std::uint32_t>{1, 2, 3, 7});
    CHECK_FALSE(small->to_numbers(3, ec));
    // A set with "*" cannot be counted or expanded until resolved.
    auto star = sequence_set::parse("5:*", ec);
    CHECK_FALSE(star->count());
    CHECK_FALSE(star->to_numbers(10, ec));
    CHECK(ec == make_error_code(errc::malformed_reply));
    // Iterating to the very top does not wrap around.
    auto top = sequence_set::parse("4294967294:4294967295,1", ec);
    CHECK(all(*top) == std::vector<std::uint32_t>{4294967294u, 4294967295u, 1});
}

TEST_CASE("star: contains, resolved") {
    std::error_code ec;
    auto s = sequence_set::parse("1:3,9:*", ec);
    REQUIRE(s);
    CHECK(s->has_star());
    CHECK(s->contains(2));
    CHECK_FALSE(s->contains(5));
    CHECK(s->contains(9));
    CHECK(s->contains(100000));
    CHECK(s->resolved(12).to_string() == "1:3,9:12");
    CHECK(all(s->resolved(12)) == std::vector<std::uint32_t>{1, 2, 3, 9, 10, 11, 12});
    CHECK(s->resolved(5).to_string() == "1:3,5:9");  // "9:*" with * = 5 is 5:9
    CHECK(s->resolved(0).to_string() == "1:3");      // empty mailbox: no "*"
    CHECK_FALSE(s->resolved(12).has_star());
    auto only = sequence_set::parse("*", ec);
    CHECK_FALSE(only->contains(7));
    CHECK(only->resolved(7).to_string() == "7");
}

TEST_CASE("add, add_range, normalize") {
    sequence_set s;
    CHECK(s.empty());
    s.add(10);
    s.add(0);  // ignored
    s.add_range(3, 1);
    s.add_range(4, 6);
    s.add(2);
    s.add_range(9, sequence_set::star);
    CHECK(s.to_string() == "10,1:3,4:6,2,9:*");
    s.normalize();
    CHECK(s.to_string() == "1:6,9:*");
    sequence_set t = sequence_set::from_range(8, 2);
    t.add_range(4294967295u, 4294967295u);
    t.add(sequence_set::star);  // add(0) is ignored, even as star
    t.normalize();
    CHECK(t.to_string() == "2:8,4294967295");
    sequence_set u;
    u.add_range(sequence_set::star, sequence_set::star);
    u.add_range(5, 7);
    u.add_range(6, sequence_set::star);
    u.normalize();
    CHECK(u.to_string() == "5:*");
    CHECK(sequence_set::from_numbers({1, 2}) == sequence_set::from_range(1, 2));
}
