#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/hdr.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;

TEST_CASE("HDR and XHDR lines from INN 2.7") {
    std::error_code ec;
    auto h = parse_hdr_line("1 first post with tab", ec);
    REQUIRE(h);
    CHECK(h->number == 1u);
    CHECK(h->message_id.empty());
    CHECK(h->value == "first post with tab");
    h = parse_hdr_line("2 498", ec);  // HDR :bytes
    REQUIRE(h);
    CHECK(h->value == "498");
    h = parse_hdr_line("1 ", ec);  // HDR References: no such header
    REQUIRE(h);
    CHECK(h->number == 1u);
    CHECK(h->value.empty());
    h = parse_hdr_line("0 first post with tab", ec);  // HDR by message-id
    REQUIRE(h);
    CHECK(h->number == 0u);
    h = parse_hdr_line("<first.1@lab.test> first post with tab", ec);  // XHDR by message-id
    REQUIRE(h);
    CHECK(h->message_id == "<first.1@lab.test>");
    CHECK(h->number == 0u);
    CHECK(h->value == "first post with tab");
    CHECK_FALSE(ec);
}

TEST_CASE("HDR odd but legal lines") {
    std::error_code ec;
    auto h = parse_hdr_line("3000234", ec);  // no separator at all
    REQUIRE(h);
    CHECK(h->value.empty());
    h = parse_hdr_line("7 (none)", ec);  // XHDR for an absent header on some servers
    REQUIRE(h);
    CHECK(h->value == "(none)");
    h = parse_hdr_line("7\tvalue  with   blanks ", ec);
    REQUIRE(h);
    CHECK(h->value == "value  with   blanks ");
    h = parse_hdr_line("7   leading", ec);
    REQUIRE(h);
    CHECK(h->value == "leading");
}

TEST_CASE("HDR lines that must not parse") {
    std::error_code ec;
    CHECK_FALSE(parse_hdr_line("", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_hdr_line(" 1 x", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_hdr_line("-1 x", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_hdr_line("18446744073709551616 x", ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_hdr_line("<a b> x", ec));
    CHECK(ec == codec_errc::invalid_message_id);
    CHECK_FALSE(parse_hdr_line("<a\0b> x"s, ec));
    CHECK(ec == codec_errc::invalid_message_id);
    CHECK_FALSE(parse_hdr_line("1\0 x"s, ec));
    CHECK(ec == codec_errc::invalid_number);
}

TEST_CASE("LIST HEADERS lines") {
    std::error_code ec;
    auto f = parse_list_headers_line(":", ec);
    REQUIRE(f);
    CHECK(f->any());
    CHECK_FALSE(f->metadata());
    f = parse_list_headers_line(":bytes", ec);
    REQUIRE(f);
    CHECK(f->metadata());
    CHECK_FALSE(f->any());
    CHECK(f->name == ":bytes");
    f = parse_list_headers_line("Subject", ec);
    REQUIRE(f);
    CHECK(f->name == "Subject");
    CHECK_FALSE(f->metadata());
    f = parse_list_headers_line(" :lines ", ec);
    REQUIRE(f);
    CHECK(f->name == ":lines");
    CHECK_FALSE(parse_list_headers_line("", ec));
    CHECK(ec == codec_errc::invalid_name);
    CHECK_FALSE(parse_list_headers_line("X Y", ec));
    CHECK_FALSE(parse_list_headers_line("X\0"s, ec));
}
