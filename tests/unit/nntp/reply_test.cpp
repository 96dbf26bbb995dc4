#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/nntp/reply.hpp"

using namespace pigeon::nntp;

TEST_CASE("status lines") {
    auto r = parse_reply("200 news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)");
    REQUIRE(r);
    CHECK(r->code == 200);
    CHECK(r->text == "news.lab.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)");
    CHECK(r->positive());
    CHECK_FALSE(r->transient());

    r = parse_reply("480");
    REQUIRE(r);
    CHECK(r->code == 480);
    CHECK(r->text.empty());
    CHECK_FALSE(r->transient());  // authentication required: not a matter of time
    CHECK_FALSE(r->positive());

    r = parse_reply("502 Permission denied");
    CHECK(r->code == 502);
    CHECK_FALSE(r->transient());
    CHECK(parse_reply("400 Service temporarily unavailable")->transient());
    CHECK(parse_reply("403 internal fault")->transient());
    CHECK(parse_reply("436 Transfer not possible; try again later")->transient());
    CHECK_FALSE(parse_reply("411 No such newsgroup")->transient());
    CHECK_FALSE(parse_reply("481 Authentication failed")->transient());
    r = parse_reply("383 ");
    CHECK(r->code == 383);
    CHECK(r->text.empty());
}

TEST_CASE("not status lines") {
    CHECK_FALSE(parse_reply(""));
    CHECK_FALSE(parse_reply("20"));
    CHECK_FALSE(parse_reply("2000 x"));
    CHECK_FALSE(parse_reply("600 x"));
    CHECK_FALSE(parse_reply("099 x"));
    CHECK_FALSE(parse_reply("20a x"));
    CHECK_FALSE(parse_reply("200\tx"));
    CHECK_FALSE(parse_reply(".") );
}
