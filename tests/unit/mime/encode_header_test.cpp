#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_util.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/compose_error.hpp>
#include <pigeon/mime/encode_header.hpp>
#include <pigeon/mime/encode_word.hpp>

#include <algorithm>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

TEST_CASE("header names: printable ASCII without ':' or space")
{
    CHECK_FALSE(check_header_name("X-Mailer"));
    CHECK_FALSE(check_header_name("List-Unsubscribe-Post"));
    CHECK(check_header_name("") == compose_errc::invalid_header_name);
    CHECK(check_header_name("X Y") == compose_errc::invalid_header_name);
    CHECK(check_header_name("X:Y") == compose_errc::invalid_header_name);
    CHECK(check_header_name("X\r\nBcc") == compose_errc::invalid_header_name);
    CHECK(check_header_name(std::string("X\0", 2)) == compose_errc::invalid_header_name);
    CHECK(check_header_name("Caf\xc3\xa9") == compose_errc::invalid_header_name);
    CHECK(check_header_name(std::string(77, 'X')) == compose_errc::invalid_header_name);
}

TEST_CASE("header text: line breaks of every kind refused, UTF-8 checked")
{
    CHECK_FALSE(check_header_text("plain text"));
    CHECK_FALSE(check_header_text("caf\xc3\xa9 \xf0\x9f\x98\x80\ttab"));
    for (const std::string& bad : {std::string("x\r\nBcc: a@evil"), std::string("x\nBcc:"), std::string("x\rBcc:"),
                                  std::string("x\xe2\x80\xa8" "Bcc:"), std::string("x\xe2\x80\xa9" "Bcc:"),
                                  std::string("x\xc2\x85" "Bcc:"), std::string("x\0y", 3)})
        CHECK(check_header_text(bad) == compose_errc::forbidden_character);
    CHECK(check_header_text("\xff") == compose_errc::invalid_utf8);
    CHECK(check_header_text("\xc0\xaf") == compose_errc::invalid_utf8);     // overlong '/'
    CHECK(check_header_text("\xed\xa0\x80") == compose_errc::invalid_utf8); // surrogate
    CHECK(check_header_text("\xe2\x80") == compose_errc::invalid_utf8);     // truncated
    // A line break after invalid UTF-8 is still reported as the line break.
    CHECK(check_header_text("\xff\nBcc:") == compose_errc::forbidden_character);
}

TEST_CASE("folding: at whitespace, 78 columns, unfolds to the original")
{
    std::string value;
    for (int i = 0; i < 40; ++i) value += "word" + std::to_string(i) + " ";
    value += "end";
    std::string out;
    REQUIRE_FALSE(fold_header("Subject", value, out));
    CHECK(out.substr(out.size() - 2) == "\r\n");
    const auto body = out.substr(0, out.size() - 2);
    CHECK(tc::max_line(body) <= 78);
    CHECK(tc::crlf_lines(body).size() > 2);
    CHECK(tc::unfold(body) == "Subject: " + value);
    for (auto l : tc::crlf_lines(body)) CHECK(!l.empty());
}

TEST_CASE("folding: short values on one line, empty value")
{
    std::string out;
    REQUIRE_FALSE(fold_header("To", "a@b.example", out));
    CHECK(out == "To: a@b.example\r\n");
    out.clear();
    REQUIRE_FALSE(fold_header("X-Empty", "", out));
    CHECK(out == "X-Empty:\r\n");
}

TEST_CASE("folding: quoted strings are not broken while another fold point exists")
{
    const std::string value = "attachment; filename=\"a b c d e f g h i j k l m n o p q r s t u v w x y z.txt\"; size=12";
    std::string out;
    REQUIRE_FALSE(fold_header("Content-Disposition", value, out));
    for (auto l : tc::crlf_lines(out)) {
        const auto q = std::count(l.begin(), l.end(), '"');
        CHECK(q % 2 == 0);
    }
    CHECK(tc::unfold(out.substr(0, out.size() - 2)) == "Content-Disposition: " + value);
}

TEST_CASE("folding: long words stay whole up to 998, never a line over 998")
{
    const std::string word(500, 'w');
    std::string out;
    REQUIRE_FALSE(fold_header("References", "<a@b> " + word + " <c@d>", out));
    CHECK(tc::max_line(out) <= 998);
    CHECK(tc::max_line(out) >= 500);

    out.clear();
    CHECK(fold_header("X-Long", std::string(1200, 'z'), out) == compose_errc::header_too_long);
    CHECK(out.empty());

    // A long quoted string is folded inside as a last resort.
    std::string q = "\"";
    for (int i = 0; i < 300; ++i) q += "abcd ";
    q += "\"";
    out.clear();
    REQUIRE_FALSE(fold_header("X-Quoted", q, out));
    CHECK(tc::max_line(out) <= 998);
    CHECK(tc::unfold(out.substr(0, out.size() - 2)) == "X-Quoted: " + q);
}

TEST_CASE("folding: encoded words fold at the spaces between them")
{
    std::string s;
    for (int i = 0; i < 30; ++i) s += "\xc3\xa9t\xc3\xa9 ";
    const std::string enc = encode_unstructured(s);
    std::string out;
    REQUIRE_FALSE(fold_header("Subject", enc, out));
    CHECK(tc::max_line(out) <= 78);
    const auto e = tc::parse_entity(out + "\r\n");
    CHECK(tc::decode_header_text(e.get("Subject")) == s);
}

TEST_CASE("folding: CR, LF or NUL in a value is refused")
{
    std::string out;
    CHECK(fold_header("Subject", "x\r\nBcc: a@evil", out) == compose_errc::forbidden_character);
    CHECK(fold_header("Subject", std::string("x\0", 2), out) == compose_errc::forbidden_character);
    CHECK(fold_header("Bad Name", "x", out) == compose_errc::invalid_header_name);
    CHECK(out.empty());
}
