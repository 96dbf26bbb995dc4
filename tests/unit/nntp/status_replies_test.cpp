#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "pigeon/nntp/article_reply.hpp"
#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/date_reply.hpp"
#include "pigeon/nntp/group_reply.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;
using namespace std::chrono;

namespace {

reply r(std::string_view line) {
    auto p = parse_reply(line);
    REQUIRE(p);
    return *p;
}

} // namespace

TEST_CASE("GROUP / LISTGROUP 211 as INN 2.7 sends it") {
    std::error_code ec;
    auto g = parse_group_reply(r("211 2 1 2 lab.test"), ec);
    REQUIRE(g);
    CHECK_FALSE(ec);
    CHECK(g->count == 2u);
    CHECK(g->low == 1u);
    CHECK(g->high == 2u);
    CHECK(g->name == "lab.test");
    CHECK_FALSE(g->empty());

    // Odd but legal: an empty group, trailing text, blanks, 64-bit numbers.
    g = parse_group_reply(r("211 0 1 0 control"), ec);
    REQUIRE(g);
    CHECK(g->empty());
    g = parse_group_reply(r("211 0 0 0 junk"), ec);
    REQUIRE(g);
    CHECK(g->empty());
    g = parse_group_reply(r("211 1234 3000234 3002322 misc.test Group selected"), ec);
    REQUIRE(g);
    CHECK(g->name == "misc.test");
    CHECK(g->high == 3002322u);
    g = parse_group_reply(r("211  5\t1  5   x "), ec);
    REQUIRE(g);
    CHECK(g->name == "x");
    g = parse_group_reply(r("211 18446744073709551615 4294967296 18446744073709551615 big"), ec);
    REQUIRE(g);
    CHECK(g->low == 4294967296u);
    g = parse_group_reply(r("211 1 1 1 de.alt.\xc3\xbc"), ec);
    REQUIRE(g);
    CHECK(g->name == "de.alt.\xc3\xbc");
}

TEST_CASE("GROUP 211 that must not parse (mutt CVE-2018-14360 shapes)") {
    std::error_code ec;
    CHECK_FALSE(parse_group_reply(r("411 No such group"), ec));
    CHECK(ec == codec_errc::unexpected_code);
    CHECK_FALSE(parse_group_reply(r("211"), ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_group_reply(r("211 2 1 2"), ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_group_reply(r("211 -2 1 2 g"), ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_group_reply(r("211 2 -1 2 g"), ec));
    CHECK_FALSE(parse_group_reply(r("211 2 1 x g"), ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_group_reply(r("211 2 1 18446744073709551616 g"), ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_group_reply(r("211 " + std::string(10240, '9') + " 1 2 g"), ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_group_reply(r("211 2 1 2 g\x01x"), ec));
    CHECK(ec == codec_errc::invalid_name);
    reply nul;
    nul.code = 211;
    nul.text = "2 1 2 a\0b"s;
    CHECK_FALSE(parse_group_reply(nul, ec));
    CHECK(ec == codec_errc::invalid_name);
    // A 10 KB group name is a name: it parses, and it is the caller's to cap.
    auto g = parse_group_reply(r("211 2 1 2 " + std::string(10240, 'g')), ec);
    REQUIRE(g);
    CHECK(g->name.size() == 10240u);
}

TEST_CASE("22x replies of ARTICLE, HEAD, BODY, STAT, NEXT, LAST") {
    std::error_code ec;
    auto a = parse_article_reply(r("223 1 <first.1@lab.test> status"), ec);
    REQUIRE(a);
    CHECK(a->code == 223);
    CHECK(a->number == 1u);
    CHECK(a->message_id == "<first.1@lab.test>");
    a = parse_article_reply(r("223 2 <second.2@lab.test> Article retrieved; request text separately"), ec);
    REQUIRE(a);
    CHECK(a->number == 2u);
    a = parse_article_reply(r("221 0 <first.1@lab.test> head"), ec);  // by message-id
    REQUIRE(a);
    CHECK(a->code == 221);
    CHECK(a->number == 0u);
    a = parse_article_reply(r("220 3000234 <45223423@example.com>"), ec);  // no text
    REQUIRE(a);
    CHECK(a->code == 220);
    a = parse_article_reply(r("222 10 <x@y>\tbody"), ec);
    REQUIRE(a);
    CHECK(a->code == 222);
    CHECK_FALSE(ec);

    CHECK_FALSE(parse_article_reply(r("224 1 <a@b>"), ec));
    CHECK(ec == codec_errc::unexpected_code);
    CHECK_FALSE(parse_article_reply(r("423 No article with that number"), ec));
    CHECK(ec == codec_errc::unexpected_code);
    CHECK_FALSE(parse_article_reply(r("223"), ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_article_reply(r("223 1"), ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_article_reply(r("223 -1 <a@b>"), ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_article_reply(r("223 99999999999999999999 <a@b>"), ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_article_reply(r("223 1 a@b"), ec));
    CHECK(ec == codec_errc::invalid_message_id);
    CHECK_FALSE(parse_article_reply(r("223 1 <" + std::string(300, 'x') + ">"), ec));
    CHECK(ec == codec_errc::invalid_message_id);
    CHECK_FALSE(parse_article_reply(r("223 <a@b> 1"), ec));
    CHECK(ec == codec_errc::invalid_number);
}

TEST_CASE("DATE 111") {
    std::error_code ec;
    auto t = parse_date_reply(r("111 20261206035652"), ec);  // INN 2.7.1
    REQUIRE(t);
    CHECK(*t == sys_days{2026y / December / 6} + 3h + 56min + 52s);
    t = parse_date_reply(r("111 19700101000000"), ec);
    REQUIRE(t);
    CHECK(t->time_since_epoch().count() == 0);
    t = parse_date_reply(r("111 20240229235959"), ec);  // a leap day
    REQUIRE(t);
    t = parse_date_reply(r("111 20161231235960"), ec);  // a leap second
    REQUIRE(t);
    CHECK(*t == sys_days{2017y / January / 1});
    t = parse_date_reply(r("111 00010101000000 trailing text"), ec);
    REQUIRE(t);
    CHECK_FALSE(ec);

    CHECK_FALSE(parse_date_reply(r("211 20261206035652"), ec));
    CHECK(ec == codec_errc::unexpected_code);
    for (auto bad : {"111"s, "111 2026120603565"s, "111 202612060356520"s, "111 2026120603565x"s, "111 20261306035652"s,
                     "111 20230229000000"s, "111 20261200035652"s, "111 20261206245652"s, "111 20261206036052"s,
                     "111 20261206035661"s, "111 -0261206035652"s, "111 +20261206035652"s}) {
        INFO(bad);
        CHECK_FALSE(parse_date_reply(r(bad), ec));
        CHECK(ec == codec_errc::invalid_date);
    }
}
