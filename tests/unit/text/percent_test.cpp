#include <doctest/doctest.h>

#include <initializer_list>

#include "pigeon/text/percent.hpp"

using pigeon::text::percent_decode;
using pigeon::text::percent_options;

namespace {
std::string decoded(std::string_view in, percent_options o = {}) {
    std::string out;
    REQUIRE(percent_decode(in, out, o));
    return out;
}
bool refused(std::string_view in, percent_options o = {}) {
    std::string out;
    return !percent_decode(in, out, o);
}
} // namespace

TEST_CASE("percent_decode: escapes in either case, other bytes as they are") {
    CHECK(decoded("a%20b%2fc%2Fd") == "a b/c/d");
    CHECK(decoded("") == "");
    CHECK(decoded("%41") == "A");
    CHECK(decoded("%e2%82%AC") == "\xe2\x82\xac");
    CHECK(decoded("a+b") == "a+b");  // '+' is a plus unless asked
    CHECK(decoded("a+b%2B", {.plus_is_space = true}) == "a b+");
}

TEST_CASE("percent_decode: a bad escape fails, or is kept when asked") {
    for (std::string_view bad : {"%", "%4", "a%4", "%G0", "%0g", "100%", "%%41"}) {
        CAPTURE(bad);
        CHECK(refused(bad));
    }
    percent_options keep{.keep_bad_escapes = true};
    CHECK(decoded("100%", keep) == "100%");
    CHECK(decoded("%4", keep) == "%4");
    CHECK(decoded("%%41", keep) == "%A");
    CHECK(decoded("%zz%41", keep) == "%zzA");
}

TEST_CASE("percent_decode: CR, LF and NUL are refused by default, encoded or not") {
    for (std::string_view bad : std::initializer_list<std::string_view>{"a%0d", "a%0A", "%00", "a\rb", "a\nb", std::string_view("a\0b", 3)}) {
        CAPTURE(bad);
        CHECK(refused(bad));
    }
    percent_options allow{.refuse_line_breaks = false};
    CHECK(decoded("a%0D%0Ab", allow) == "a\r\nb");
    CHECK(decoded("%00", allow) == std::string("\0", 1));
}

TEST_CASE("hex_value") {
    using pigeon::text::hex_value;
    CHECK(hex_value('0') == 0);
    CHECK(hex_value('9') == 9);
    CHECK(hex_value('a') == 10);
    CHECK(hex_value('F') == 15);
    CHECK(hex_value('g') == -1);
    CHECK(hex_value('/') == -1);
    CHECK(hex_value(':') == -1);
    CHECK(hex_value('@') == -1);
    CHECK(hex_value('`') == -1);
}
