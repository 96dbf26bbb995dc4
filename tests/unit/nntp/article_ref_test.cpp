#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/range.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;

TEST_CASE("article numbers: digits only, 64 bits, checked") {
    std::error_code ec;
    CHECK(parse_article_number("0", ec) == 0u);
    CHECK(parse_article_number("0000000002", ec) == 2u);  // INN's LIST ACTIVE padding
    CHECK(parse_article_number("2147483648", ec) == 2147483648u);  // past RFC 3977's 2^31-1
    CHECK(parse_article_number("18446744073709551615", ec) == UINT64_MAX);
    CHECK_FALSE(ec);

    CHECK_FALSE(parse_article_number("18446744073709551616", ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_article_number(std::string(10000, '9'), ec));
    CHECK(ec == codec_errc::number_too_large);
    for (auto bad : {""s, "-1"s, "+1"s, " 1"s, "1 "s, "1a"s, "0x10"s, "1\0"s, "\xd9\xa1"s /* Arabic-Indic 1 */,
                     std::string(30, '9') + "x"}) {
        INFO(bad);
        CHECK_FALSE(parse_article_number(bad, ec));
        CHECK(ec == codec_errc::invalid_number);
    }
}

TEST_CASE("message-ids per RFC 3977 section 3.6") {
    CHECK(is_valid_message_id("<first.1@lab.test>"));
    CHECK(is_valid_message_id("<11f2me3$cm9$1@vm.lab.test>"));  // what INN 2.7 recommends
    CHECK(is_valid_message_id("<a>"));
    CHECK(is_valid_message_id("<<a@b>"));  // "<" inside is allowed, ">" is not
    CHECK(is_valid_message_id("<" + std::string(248, 'x') + ">"));       // 250 octets
    CHECK_FALSE(is_valid_message_id("<" + std::string(249, 'x') + ">")); // 251
    for (auto bad : {""s, "<>"s, "<a"s, "a>"s, "a@b"s, "<a b>"s, "<a\tb>"s, "<a>b>"s, "<a\r\n>"s, "<a\0b>"s,
                     "<\x7f>"s, "<caf\xc3\xa9@x>"s, " <a@b>"s, "<a@b> "s}) {
        INFO(bad);
        CHECK_FALSE(is_valid_message_id(bad));
    }
}

TEST_CASE("article_ref holds a number or a message-id") {
    article_ref n = 42;
    CHECK_FALSE(n.is_message_id());
    CHECK(n.number() == 42u);
    article_ref zero = 0;  // the literal 0 is a number, not a null pointer
    CHECK(zero.number() == 0u);
    article_ref big = UINT64_MAX;
    CHECK(big.number() == UINT64_MAX);
    article_ref id = "<a@b>";
    CHECK(id.is_message_id());
    CHECK(id.message_id() == "<a@b>");
    CHECK(id.number() == 0u);
    CHECK(article_ref(std::string_view("<a@b>")) == id);
    CHECK_FALSE(n == id);
}

TEST_CASE("ranges: n, n-, n-m") {
    CHECK(range::single(5).to_string() == "5");
    CHECK(range::from(5).to_string() == "5-");
    CHECK(range::between(5, 9).to_string() == "5-9");
    CHECK(range::between(0, UINT64_MAX).to_string() == "0-18446744073709551615");

    CHECK(range::single(5).contains(5));
    CHECK_FALSE(range::single(5).contains(6));
    CHECK(range::from(5).contains(UINT64_MAX));
    CHECK_FALSE(range::from(5).contains(4));
    CHECK(range::between(5, 9).contains(9));
    CHECK_FALSE(range::between(5, 9).contains(10));
    CHECK(range::between(9, 5).empty());  // RFC 3977 1.6: m < n selects nothing
    CHECK_FALSE(range::between(9, 5).contains(7));
    CHECK_FALSE(range::between(5, 5).empty());

    std::error_code ec;
    CHECK(parse_range("5", ec) == range::single(5));
    CHECK(parse_range("5-", ec) == range::from(5));
    CHECK(parse_range("5-9", ec) == range::between(5, 9));
    CHECK(parse_range("9-5", ec) == range::between(9, 5));
    CHECK_FALSE(ec);
    CHECK_FALSE(parse_range("-5", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_range("5-9-", ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_range("5--9", ec));
    CHECK_FALSE(parse_range("", ec));
    CHECK_FALSE(parse_range("a-b", ec));
    CHECK_FALSE(parse_range("1-99999999999999999999", ec));
    CHECK(ec == codec_errc::number_too_large);
}

TEST_CASE("LISTGROUP and NEWNEWS lines") {
    std::error_code ec;
    CHECK(parse_listgroup_line("1", ec) == 1u);
    CHECK(parse_listgroup_line(" 2\t", ec) == 2u);
    CHECK_FALSE(parse_listgroup_line("", ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_listgroup_line("-3", ec));
    CHECK_FALSE(parse_listgroup_line("1 2", ec));
    CHECK_FALSE(parse_listgroup_line("184467440737095516150", ec));
    CHECK(ec == codec_errc::number_too_large);

    auto id = parse_newnews_line("<first.1@lab.test>", ec);
    REQUIRE(id);
    CHECK(*id == "<first.1@lab.test>");
    CHECK(parse_newnews_line("  <a@b> ", ec) == "<a@b>");
    for (auto bad : {""s, "first.1@lab.test"s, "<a@b> <c@d>"s, "<a\0@b>"s, "<" + std::string(1 << 20, 'x') + ">"}) {
        CHECK_FALSE(parse_newnews_line(bad, ec));
        CHECK(ec == codec_errc::invalid_message_id);
    }
}

TEST_CASE("codec error category") {
    std::error_code ec = codec_errc::number_too_large;
    CHECK(std::string(ec.category().name()) == "pigeon.nntp.codec");
    CHECK(ec.message() == "number too large in an NNTP response line");
    CHECK_FALSE(std::error_code(codec_errc::malformed).message().empty());
}
