#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/group_list.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;

TEST_CASE("LIST ACTIVE lines from INN 2.7") {
    std::error_code ec;
    auto a = parse_active_line("lab.test 0000000002 0000000001 y", ec);
    REQUIRE(a);
    CHECK(a->name == "lab.test");
    CHECK(a->high == 2u);
    CHECK(a->low == 1u);
    CHECK(a->posting == group_posting::allowed);
    CHECK(a->status == "y");
    a = parse_active_line("control 0000000000 0000000001 n", ec);
    REQUIRE(a);
    CHECK(a->posting == group_posting::not_allowed);
    CHECK(a->high < a->low);  // empty
    a = parse_active_line("control.cancel 0 1 n", ec);  // NEWGROUPS sends unpadded numbers
    REQUIRE(a);
    CHECK(a->name == "control.cancel");
    CHECK_FALSE(ec);
}

TEST_CASE("LIST ACTIVE status field (RFC 3977 7.6.3, RFC 6048 3.1)") {
    std::error_code ec;
    struct {
        const char* line;
        group_posting posting;
    } cases[] = {
        {"g 1 1 y", group_posting::allowed},     {"g 1 1 n", group_posting::not_allowed},
        {"g 1 1 m", group_posting::moderated},   {"g 1 1 x", group_posting::no_local},
        {"g 1 1 j", group_posting::junk},        {"g 1 1 Y", group_posting::allowed},
        {"g 1 1 =lab.test", group_posting::alias}, {"g 1 1 q", group_posting::unknown},
        {"g 1 1 yes", group_posting::unknown},   {"g 1 1", group_posting::unknown},
        {"g 1 1 =", group_posting::unknown},     {"g\t1\t1\ty", group_posting::allowed},
        {"g  1  1  m  extra", group_posting::moderated},
    };
    for (const auto& c : cases) {
        INFO(c.line);
        auto a = parse_active_line(c.line, ec);
        REQUIRE(a);
        CHECK(a->posting == c.posting);
    }
    auto a = parse_active_line("old.name 10 5 =new.name", ec);
    REQUIRE(a);
    CHECK(a->alias_of == "new.name");
    CHECK(a->status == "=new.name");
}

TEST_CASE("LIST ACTIVE lines that must not parse") {
    std::error_code ec;
    CHECK_FALSE(parse_active_line("", ec));
    CHECK(ec == codec_errc::invalid_name);
    CHECK_FALSE(parse_active_line("g", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_active_line("g 5", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_active_line("g -5 1 y", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_active_line("g 5 1x y", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_active_line("g 184467440737095516160 1 y", ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_active_line("g\x01x 5 1 y", ec));
    CHECK(ec == codec_errc::invalid_name);
    CHECK_FALSE(parse_active_line("g\0x 5 1 y"s, ec));
    CHECK(ec == codec_errc::invalid_name);
}

TEST_CASE("LIST COUNTS") {
    std::error_code ec;
    auto c = parse_counts_line("lab.test 2 1 2 y", ec);
    REQUIRE(c);
    CHECK(c->active.name == "lab.test");
    CHECK(c->active.high == 2u);
    CHECK(c->active.low == 1u);
    CHECK(c->count == 2u);
    CHECK(c->active.posting == group_posting::allowed);
    c = parse_counts_line("junk 0 1 0 n", ec);
    REQUIRE(c);
    CHECK(c->count == 0u);
    CHECK_FALSE(parse_counts_line("junk 0 1 n", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_counts_line("junk 0 1", ec));
    CHECK(ec == codec_errc::malformed);
}

TEST_CASE("LIST ACTIVE.TIMES") {
    std::error_code ec;
    auto t = parse_active_times_line("lab.test 1796529402 lab@lab.test", ec);
    REQUIRE(t);
    CHECK(t->name == "lab.test");
    CHECK(t->created.time_since_epoch().count() == 1796529402);
    CHECK(t->creator == "lab@lab.test");
    t = parse_active_times_line("misc.test 930445408 usenet@news.example.com (Usenet admin)", ec);
    REQUIRE(t);
    CHECK(t->creator == "usenet@news.example.com (Usenet admin)");
    t = parse_active_times_line("g 0", ec);  // no creator: tolerated
    REQUIRE(t);
    CHECK(t->creator.empty());
    t = parse_active_times_line("g 9223372036854775807 x", ec);
    REQUIRE(t);
    CHECK_FALSE(ec);

    CHECK_FALSE(parse_active_times_line("g 9223372036854775808 x", ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_active_times_line("g -1 x", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_active_times_line("g", ec));
    CHECK(ec == codec_errc::malformed);
}

TEST_CASE("LIST NEWSGROUPS") {
    std::error_code ec;
    auto n = parse_newsgroups_line("lab.test\tpigeon lab: tests.", ec);
    REQUIRE(n);
    CHECK(n->name == "lab.test");
    CHECK(n->description == "pigeon lab: tests.");
    n = parse_newsgroups_line("control\tVarious control messages (no posting).", ec);
    REQUIRE(n);
    CHECK(n->description == "Various control messages (no posting).");
    n = parse_newsgroups_line("misc.test\t\t\tFor testing.  Very\tboring. ", ec);
    REQUIRE(n);
    CHECK(n->description == "For testing.  Very\tboring.");  // inner blanks kept
    n = parse_newsgroups_line("misc.test", ec);
    REQUIRE(n);
    CHECK(n->description.empty());
    n = parse_newsgroups_line("de.test Test-Gruppe f\xc3\xbcr alle", ec);
    REQUIRE(n);
    CHECK(n->description == "Test-Gruppe f\xc3\xbcr alle");
    CHECK_FALSE(parse_newsgroups_line("", ec));
    CHECK(ec == codec_errc::invalid_name);
    CHECK_FALSE(parse_newsgroups_line("\t", ec));
    CHECK_FALSE(parse_newsgroups_line("a\x7f\tb", ec));
}

TEST_CASE("LIST DISTRIB.PATS") {
    std::error_code ec;
    auto d = parse_distrib_pats_line("10:local.*:local", ec);
    REQUIRE(d);
    CHECK(d->weight == 10u);
    CHECK(d->wildmat == "local.*");
    CHECK(d->distribution == "local");
    d = parse_distrib_pats_line("5:*:world", ec);
    REQUIRE(d);
    CHECK(d->wildmat == "*");
    d = parse_distrib_pats_line("3:a:b:c", ec);  // split at the first and the last ":"
    REQUIRE(d);
    CHECK(d->wildmat == "a:b");
    CHECK(d->distribution == "c");
    CHECK_FALSE(parse_distrib_pats_line("10:local.*", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_distrib_pats_line("", ec));
    CHECK_FALSE(parse_distrib_pats_line("x:a:b", ec));
    CHECK(ec == codec_errc::invalid_number);
}
