// cli/listing_order: rows of descending batches handed out newest first,
// whatever order the batches complete in.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "../../../cli/listing_order.hpp"

using pigeon::cli::listing_order;

TEST_CASE("listing_order: batches completing out of order still give newest first") {
    const std::vector<std::uint32_t> numbers{90, 80, 70, 60, 50, 40, 30};  // batches of 3: {90 80 70} {60 50 40} {30}
    listing_order<std::string> rows(numbers, 3);
    std::vector<std::string> out;
    auto emit = [&](std::string& r) { out.push_back(r); };
    // The second batch's rows arrive and complete first: nothing goes out.
    CHECK(rows.add(60, "60"));
    CHECK(rows.add(40, "40"));  // 50 is missing (expunged)
    rows.batch_done(60, emit);
    CHECK(out.empty());
    CHECK(rows.held() == 2);
    // The first batch completes: both go out, newest first.
    CHECK(rows.add(70, "70"));
    CHECK(rows.add(90, "90"));
    CHECK(rows.add(80, "80"));
    CHECK(rows.add(80, "80 again"));  // a second row before its batch went out replaces the first
    rows.batch_done(90, emit);
    CHECK(out == std::vector<std::string>{"90", "80 again", "70", "60", "40"});
    // A late repeat of a row that went out, and a number not listed, are not kept.
    CHECK_FALSE(rows.add(90, "late"));
    CHECK_FALSE(rows.add(55, "not listed"));
    CHECK(rows.add(30, "30"));
    rows.batch_done(30, emit);
    CHECK(out.back() == "30");
    CHECK(out.size() == 6);
    CHECK(rows.held() == 0);
}

TEST_CASE("listing_order: positions in a descending list") {
    const std::vector<std::uint32_t> numbers{4294967295u, 7, 1};
    listing_order<int> rows(numbers, 2000);
    CHECK(rows.position(4294967295u) == 0);
    CHECK(rows.position(7) == 1);
    CHECK(rows.position(1) == 2);
    CHECK(rows.position(2) == rows.npos);
    CHECK(rows.position(0) == rows.npos);
}

TEST_CASE("listing_order: later batches held while an empty one goes out, replacements counted once") {
    // Batches of 2: {100 90} {80 70} {60 50} {40}.
    const std::vector<std::uint32_t> numbers{100, 90, 80, 70, 60, 50, 40};
    listing_order<std::string> rows(numbers, 2);
    std::vector<std::string> out;
    auto emit = [&](std::string& r) { out.push_back(r); };
    // Rows of the third batch arrive first, one twice: held once.
    CHECK(rows.add(50, "50"));
    CHECK(rows.add(50, "50 again"));
    CHECK(rows.held() == 1);
    rows.batch_done(60, emit);
    CHECK(out.empty());
    // A number not listed completes nothing.
    rows.batch_done(55, emit);
    CHECK(out.empty());
    // The first batch completes with no rows at all (both expunged): nothing
    // to hand out, and the second batch still holds the third back.
    rows.batch_done(100, emit);
    CHECK(out.empty());
    CHECK_FALSE(rows.add(90, "90 too late"));
    // A row of the fourth batch once the window has moved on.
    CHECK(rows.add(40, "40"));
    CHECK(rows.add(80, "80"));
    CHECK(rows.held() == 3);
    rows.batch_done(80, emit);
    CHECK(out == std::vector<std::string>{"80", "50 again"});
    CHECK(rows.held() == 1);
    CHECK_FALSE(rows.add(70, "70 too late"));
    CHECK(rows.add(40, "40 again"));
    CHECK(rows.held() == 1);
    rows.batch_done(40, emit);
    CHECK(out == std::vector<std::string>{"80", "50 again", "40 again"});
    CHECK(rows.held() == 0);
}

TEST_CASE("listing_order: a row handed out once even when emit throws") {
    const std::vector<std::uint32_t> numbers{3, 2, 1};
    listing_order<std::string> rows(numbers, 3);
    CHECK(rows.add(3, "3"));
    CHECK(rows.add(2, "2"));
    int calls = 0;
    CHECK_THROWS(rows.batch_done(3, [&](std::string&) {
        ++calls;
        throw std::runtime_error("output closed");
    }));
    CHECK(calls == 1);
    CHECK(rows.held() == 1);
}
