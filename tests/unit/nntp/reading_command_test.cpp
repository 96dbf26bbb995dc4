#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;
using namespace std::chrono;

namespace {

std::string line_of(const std::optional<command_line>& c) {
    REQUIRE(c);
    CHECK(c->secret.length == 0);  // nothing in a reading command is secret
    return c->line;
}

} // namespace

TEST_CASE("reading commands without arguments") {
    std::error_code ec;
    CHECK(line_of(encode_mode_reader(ec)) == "MODE READER");
    CHECK(line_of(encode_listgroup(ec)) == "LISTGROUP");
    CHECK(line_of(encode_article(ec)) == "ARTICLE");
    CHECK(line_of(encode_head(ec)) == "HEAD");
    CHECK(line_of(encode_body(ec)) == "BODY");
    CHECK(line_of(encode_stat(ec)) == "STAT");
    CHECK(line_of(encode_next(ec)) == "NEXT");
    CHECK(line_of(encode_last(ec)) == "LAST");
    CHECK(line_of(encode_over(ec)) == "OVER");
    CHECK(line_of(encode_xover(ec)) == "XOVER");
    CHECK(line_of(encode_list_overview_fmt(ec)) == "LIST OVERVIEW.FMT");
    CHECK(line_of(encode_list_distrib_pats(ec)) == "LIST DISTRIB.PATS");
    CHECK(line_of(encode_list_headers(list_headers_form::any, ec)) == "LIST HEADERS");
    CHECK(line_of(encode_list_headers(list_headers_form::msgid, ec)) == "LIST HEADERS MSGID");
    CHECK(line_of(encode_list_headers(list_headers_form::range, ec)) == "LIST HEADERS RANGE");
    CHECK(line_of(encode_date(ec)) == "DATE");
    CHECK(line_of(encode_post(ec)) == "POST");
    CHECK(line_of(encode_compress_deflate(ec)) == "COMPRESS DEFLATE");
    CHECK_FALSE(ec);
}

TEST_CASE("GROUP and LISTGROUP") {
    std::error_code ec;
    CHECK(line_of(encode_group("lab.test", ec)) == "GROUP lab.test");
    CHECK(line_of(encode_group("de.alt.\xc3\xbc", ec)) == "GROUP de.alt.\xc3\xbc");
    CHECK(line_of(encode_listgroup("lab.test", ec)) == "LISTGROUP lab.test");
    CHECK(line_of(encode_listgroup("lab.test", range::from(2), ec)) == "LISTGROUP lab.test 2-");
    CHECK(line_of(encode_listgroup("lab.test", range::between(5, 9), ec)) == "LISTGROUP lab.test 5-9");
    for (auto bad : {""s, "a b"s, "a\r\nPOST"s, "a\nb"s, "a\0b"s, "a\tb"s, "\x01"s}) {
        INFO(bad);
        CHECK_FALSE(encode_group(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_listgroup(bad, ec));
        CHECK_FALSE(encode_listgroup(bad, range::single(1), ec));
    }
    CHECK(encode_group(std::string(504, 'g'), ec));        // "GROUP " + 504 + CRLF = 512
    CHECK_FALSE(encode_group(std::string(505, 'g'), ec));  // 513
}

TEST_CASE("ARTICLE, HEAD, BODY, STAT by number and by message-id") {
    std::error_code ec;
    CHECK(line_of(encode_article(42, ec)) == "ARTICLE 42");
    CHECK(line_of(encode_head(article_number{0}, ec)) == "HEAD 0");
    CHECK(line_of(encode_body(UINT64_MAX, ec)) == "BODY 18446744073709551615");
    CHECK(line_of(encode_stat("<first.1@lab.test>", ec)) == "STAT <first.1@lab.test>");
    CHECK(line_of(encode_head(article_ref(std::string_view("<a@b>")), ec)) == "HEAD <a@b>");
    for (auto bad : {""s, "a@b"s, "<a b>"s, "<a>\r\nQUIT"s, "<a\0b>"s, "<a>b>"s, "<" + std::string(249, 'x') + ">"}) {
        INFO(bad);
        CHECK_FALSE(encode_article(article_ref(std::string_view(bad)), ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_head(article_ref(std::string_view(bad)), ec));
        CHECK_FALSE(encode_body(article_ref(std::string_view(bad)), ec));
        CHECK_FALSE(encode_stat(article_ref(std::string_view(bad)), ec));
    }
}

TEST_CASE("OVER, XOVER, HDR, XHDR") {
    std::error_code ec;
    CHECK(line_of(encode_over(range::from(1), ec)) == "OVER 1-");
    CHECK(line_of(encode_over(range::single(7), ec)) == "OVER 7");
    CHECK(line_of(encode_over("<second.2@lab.test>", ec)) == "OVER <second.2@lab.test>");
    CHECK(line_of(encode_xover(range::between(1, 100), ec)) == "XOVER 1-100");
    CHECK(line_of(encode_hdr("Subject", ec)) == "HDR Subject");
    CHECK(line_of(encode_hdr("Subject", range::from(1), ec)) == "HDR Subject 1-");
    CHECK(line_of(encode_hdr(":bytes", range::from(1), ec)) == "HDR :bytes 1-");
    CHECK(line_of(encode_hdr("Subject", "<first.1@lab.test>", ec)) == "HDR Subject <first.1@lab.test>");
    CHECK(line_of(encode_xhdr("Subject", ec)) == "XHDR Subject");
    CHECK(line_of(encode_xhdr("X-Nope", range::from(1), ec)) == "XHDR X-Nope 1-");
    CHECK(line_of(encode_xhdr("Subject", "<first.1@lab.test>", ec)) == "XHDR Subject <first.1@lab.test>");

    CHECK_FALSE(encode_over("first.1@lab.test", ec));
    CHECK(ec == make_error_code(errc::invalid_argument));
    CHECK_FALSE(encode_over("<a>\r\nQUIT", ec));
    for (auto bad : {""s, ":"s, "Sub ject"s, "Subject:"s, "Sub:ject"s, "::bytes"s, "S\r\nQUIT"s, "S\0"s}) {
        INFO(bad);
        CHECK_FALSE(encode_hdr(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_hdr(bad, range::from(1), ec));
        CHECK_FALSE(encode_xhdr(bad, "<a@b>", ec));
    }
    CHECK_FALSE(encode_hdr("Subject", "<a b>", ec));
    CHECK_FALSE(encode_xhdr("Subject", "nope", ec));
}

TEST_CASE("LIST variants with and without a wildmat") {
    std::error_code ec;
    CHECK(line_of(encode_list_active("", ec)) == "LIST ACTIVE");
    CHECK(line_of(encode_list_active("lab.*", ec)) == "LIST ACTIVE lab.*");
    CHECK(line_of(encode_list_active("*,!junk,!control.*", ec)) == "LIST ACTIVE *,!junk,!control.*");
    CHECK(line_of(encode_list_newsgroups("", ec)) == "LIST NEWSGROUPS");
    CHECK(line_of(encode_list_newsgroups("lab.t*", ec)) == "LIST NEWSGROUPS lab.t*");
    CHECK(line_of(encode_list_active_times("", ec)) == "LIST ACTIVE.TIMES");
    CHECK(line_of(encode_list_active_times("lab.*", ec)) == "LIST ACTIVE.TIMES lab.*");
    CHECK(line_of(encode_list_counts("lab.*", ec)) == "LIST COUNTS lab.*");
    for (auto bad : {"a b"s, "lab.*\r\nQUIT"s, "a,,b"s, "\xff"s, "a\0"s}) {
        INFO(bad);
        CHECK_FALSE(encode_list_active(bad, ec));
        CHECK(ec == make_error_code(errc::invalid_argument));
        CHECK_FALSE(encode_list_newsgroups(bad, ec));
        CHECK_FALSE(encode_list_active_times(bad, ec));
        CHECK_FALSE(encode_list_counts(bad, ec));
    }
    CHECK_FALSE(encode_list_active(std::string(600, 'a'), ec));  // over 512 octets
}

TEST_CASE("NEWGROUPS and NEWNEWS take a UTC time") {
    std::error_code ec;
    sys_seconds t = sys_days{2026y / December / 6} + 3h + 56min + 52s;
    CHECK(line_of(encode_newgroups(t, ec)) == "NEWGROUPS 20261206 035652 GMT");
    CHECK(line_of(encode_newgroups(sys_seconds{}, ec)) == "NEWGROUPS 19700101 000000 GMT");
    CHECK(line_of(encode_newgroups(sys_days{2000y / January / 1} - 1s, ec)) == "NEWGROUPS 19991231 235959 GMT");
    CHECK(line_of(encode_newgroups(sys_days{5y / March / 4}, ec)) == "NEWGROUPS 00050304 000000 GMT");
    CHECK(line_of(encode_newnews("lab.*", t, ec)) == "NEWNEWS lab.* 20261206 035652 GMT");
    CHECK(line_of(encode_newnews("*", sys_days{9999y / December / 31} + 86399s, ec)) ==
          "NEWNEWS * 99991231 235959 GMT");

    CHECK_FALSE(encode_newgroups(sys_days{10000y / January / 1}, ec));
    CHECK(ec == make_error_code(errc::invalid_argument));
    CHECK_FALSE(encode_newgroups(sys_days{year{-1} / January / 1}, ec));
    CHECK_FALSE(encode_newgroups(sys_seconds{seconds{INT64_MIN / 2}}, ec));
    CHECK_FALSE(encode_newnews("", t, ec));
    CHECK_FALSE(encode_newnews("a b", t, ec));
    CHECK_FALSE(encode_newnews("lab.*\r\nPOST", t, ec));
}
