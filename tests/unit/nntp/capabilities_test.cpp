#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include "pigeon/nntp/capabilities.hpp"

using namespace pigeon::nntp;

TEST_CASE("an INN capability list") {
    auto c = capabilities::parse({"VERSION 2", "IMPLEMENTATION INN 2.7.1", "AUTHINFO USER", "COMPRESS DEFLATE", "HDR",
                                  "LIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS HEADERS MODERATORS MOTD NEWSGROUPS "
                                  "OVERVIEW.FMT SUBSCRIPTIONS",
                                  "NEWNEWS", "OVER", "POST", "READER", "SASL PLAIN scram-sha-256", "STARTTLS",
                                  "XPAT"});
    CHECK(c.version() == 2);
    CHECK(c.reader());
    CHECK_FALSE(c.mode_reader());
    CHECK(c.starttls());
    CHECK(c.post());
    CHECK_FALSE(c.ihave());
    CHECK(c.over());
    CHECK(c.hdr());
    CHECK(c.newnews());
    CHECK(c.authinfo_user());
    CHECK_FALSE(c.authinfo_sasl());
    CHECK(c.sasl_mechanisms() == std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"});
    CHECK(c.list_variants().size() == 10);
    CHECK(c.list_variants()[0] == "ACTIVE");
    CHECK(c.implementation() == "INN 2.7.1");
    CHECK(c.has_argument("compress", "deflate"));
    CHECK(c.lines().size() == 13);
}

TEST_CASE("VERSION with several numbers, AUTHINFO variants, odd lists") {
    auto c = capabilities::parse({"VERSION 2 3 x 99999999", "AUTHINFO SASL", "MODE-READER", "IHAVE"});
    CHECK(c.version() == 3);
    CHECK(c.authinfo_sasl());
    CHECK_FALSE(c.authinfo_user());
    CHECK(c.mode_reader());
    CHECK(c.ihave());
    CHECK_FALSE(c.reader());
    auto e = capabilities::parse({"", " ", "AUTHINFO"});
    CHECK(e.lines().size() == 1);
    CHECK(e.version() == 0);
    CHECK_FALSE(e.authinfo_user());
    CHECK(capabilities::parse({}).empty());
}
