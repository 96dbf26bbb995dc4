// Charset conversion to UTF-8.
#include <doctest/doctest.h>

#include <pigeon/mime/charset.hpp>

#include "support/split_feed.hpp"

using namespace pigeon::mime;

namespace {
std::string conv(std::string_view cs, const pigeon::test::pieces& pieces) {
    charset_decoder d(cs);
    std::string out;
    for (auto p : pieces) d.feed(p, out);
    d.finish(out);
    return out;
}
void check_all_splits(std::string_view cs, std::string_view in, std::string_view expected) {
    pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& p) {
        INFO(cs << " split " << pigeon::test::describe(p));
        CHECK(conv(cs, p) == expected);
    });
}
} // namespace

TEST_CASE("charset: names are normalised") {
    CHECK(normalize_charset(" UTF8 ") == "utf-8");
    CHECK(normalize_charset("Latin1") == "iso-8859-1");
    CHECK(normalize_charset("ISO_8859-15") == "iso-8859-15");
    CHECK(normalize_charset("utf-8*en") == "utf-8");
    CHECK(normalize_charset("\"us-ascii\"") == "us-ascii");
    CHECK(normalize_charset("CP1252") == "windows-1252");
}

TEST_CASE("charset: UTF-8 with invalid bytes and split characters") {
    check_all_splits("utf-8", "caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC");
    check_all_splits("utf-8", "a\xFF" "b", "a\xEF\xBF\xBD" "b");
    check_all_splits("utf-8", "x\xE2\x82", "x\xEF\xBF\xBD");        // truncated at the end
    check_all_splits("utf-8", "\xE2\x82" "A", "\xEF\xBF\xBD" "A");   // maximal subpart -> one U+FFFD
    check_all_splits("utf-8", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // surrogate
    check_all_splits("utf-8", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");
    CHECK(is_valid_utf8("plain ascii"));
    CHECK_FALSE(is_valid_utf8("\xC0\x80"));
}

TEST_CASE("charset: latin-1 and windows-1252 without iconv") {
    check_all_splits("iso-8859-1", "caf\xE9 \x80", "caf\xC3\xA9 \xC2\x80");
    check_all_splits("windows-1252", "\x80\x93x\x94\x81", "\xE2\x82\xAC\xE2\x80\x9Cx\xE2\x80\x9D\xEF\xBF\xBD");
}

TEST_CASE("charset: iconv charsets, split multibyte characters") {
    check_all_splits("iso-8859-15", "\xA4", "\xE2\x82\xAC");
    check_all_splits("koi8-r", "\xF0\xD2\xC9", "\xD0\x9F\xD1\x80\xD0\xB8");
    // Shift_JIS "日本" = 93 FA 96 7B
    check_all_splits("shift_jis", "\x93\xFA\x96\x7B", "\xE6\x97\xA5\xE6\x9C\xAC");
    // UTF-16LE with a truncated final unit
    check_all_splits("utf-16le", std::string_view("A\0B\0C", 5), "AB\xEF\xBF\xBD");
    // invalid byte in a double-byte charset
    CHECK(to_utf8("shift_jis", "a\xFF" "b") == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("charset: unknown and missing charsets") {
    CHECK(charset_supported("utf-8"));
    CHECK(charset_supported("iso-2022-jp"));
    CHECK_FALSE(charset_supported("x-no-such-charset"));
    charset_decoder d("x-no-such-charset");
    CHECK_FALSE(d.known());
    // no charset: UTF-8 when valid, else each bad byte as Windows-1252
    CHECK(to_utf8("", "caf\xC3\xA9") == "caf\xC3\xA9");
    CHECK(to_utf8("", "caf\xE9") == "caf\xC3\xA9");
    CHECK(to_utf8("x-no-such-charset", "\x93hi\x94") == "\xE2\x80\x9Chi\xE2\x80\x9D");
    CHECK(sanitize_utf8("a\xC3") == "a\xEF\xBF\xBD");
}
