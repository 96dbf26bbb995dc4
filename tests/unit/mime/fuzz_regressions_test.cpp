// Inputs the fuzzers found (fuzz/RESULTS.md), each with the result a reader
// should get. Under PIGEON_SANITIZE a regression shows as a sanitizer abort;
// in a normal build the checks on the parsed values still apply.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include <pigeon/mime/address.hpp>
#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/reader.hpp>

using namespace pigeon::mime;

// fuzz_message (20-minute run), then fuzz_address: a phrase that starts with
// an empty quoted string followed, with no space, by another word made
// display_from call back() on an empty string.
TEST_CASE("fuzz regression: phrase starting with an empty quoted string") {
    // The input as found: the angle address is never closed, so the element
    // is rejected as a whole.
    auto bad = parse_address_list("\"\"b oB<`");
    CHECK_FALSE(bad.ok());
    CHECK(bad.mailboxes().empty());
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0] == "\"\"b oB<`");
    CHECK_FALSE(parse_mailbox("\"\"b oB<`").ok);

    // The same phrase with a valid address: the empty word adds nothing.
    auto l = parse_address_list("\"\"b oB <a@example.org>");
    REQUIRE(l.ok());
    REQUIRE(l.mailboxes().size() == 1);
    CHECK(l.mailboxes()[0].display_name == "b oB");
    CHECK(l.mailboxes()[0].address() == "a@example.org");

    auto one = parse_mailbox("\"\"\"\"x<a@b>");
    REQUIRE(one.ok);
    CHECK(one.value.display_name == "x");
    CHECK(one.value.to_string() == "x <a@b>");

    // Empty quoted strings only: no display name at all.
    auto e = parse_mailbox("\"\" \"\" <a@b>");
    REQUIRE(e.ok);
    CHECK(e.value.display_name.empty());
    CHECK(e.value.to_string() == "a@b");

    // An encoded word right after the empty one is still decoded.
    auto w = parse_mailbox("\"\"=?utf-8?q?caf=C3=A9?= <a@b>");
    REQUIRE(w.ok);
    CHECK(w.value.display_name == "caf\xC3\xA9");

    // The group branch goes through the same code.
    auto g = parse_address_list("\"\"Team: a@b, c@d;");
    REQUIRE(g.ok());
    REQUIRE(g.items.size() == 1);
    CHECK(g.items[0].is_group);
    CHECK(g.items[0].group_name == "Team");
    CHECK(g.items[0].mailboxes.size() == 2);
}

TEST_CASE("fuzz regression: the whole message fuzz_message found") {
    const std::string_view raw = "From:e\r\nTo: \"\"b oB<`\r\n";
    auto m = parse_message_view(raw);
    REQUIRE(m.root() != nullptr);
    message_reader r(m);
    auto to = r.to();
    CHECK_FALSE(to.ok());
    CHECK(to.mailboxes().empty());
    auto from = r.from();
    CHECK_FALSE(from.ok()); // "e" has no domain
    CHECK(from.mailboxes().empty());
}
