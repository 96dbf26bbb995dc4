#include <doctest/doctest.h>

#include <string>

#include "pigeon/nntp/wildmat.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;

TEST_CASE("wildmat validation (RFC 3977 section 4)") {
    for (auto good : {"*"s, "lab.*"s, "comp.lang.c++"s, "a*,!a.b.*"s, "!a"s, "a,b,c"s, "de.alt.\xc3\xbc*"s,
                      "[a-z]*"s, "[]]"s, "a\\*"s, "x?y"s, "[,]"s}) {
        INFO(good);
        CHECK(is_valid_wildmat(good));
    }
    for (auto bad : {""s, "a b"s, "a\tb"s, "a\r\nQUIT"s, "a\nb"s, "a\0b"s, "a\x7f"s, "a,,b"s, "a,"s, ",a"s,
                     "a,!"s, "!"s, "\xc3"s /* truncated */, "\xc0\xaf"s /* overlong */, "\xed\xa0\x80"s /* surrogate */,
                     "\xff"s, "[a-z"s, "a\\"s}) {
        INFO(bad);
        CHECK_FALSE(is_valid_wildmat(bad));
    }
}

TEST_CASE("wildmat matching: *, ?, literal") {
    CHECK(wildmat_match("*", ""));
    CHECK(wildmat_match("*", "anything.at.all"));
    CHECK(wildmat_match("lab.*", "lab.test"));
    CHECK(wildmat_match("lab.*", "lab."));
    CHECK_FALSE(wildmat_match("lab.*", "lab"));
    CHECK_FALSE(wildmat_match("lab.*", "xlab.test"));
    CHECK(wildmat_match("lab.t*t", "lab.test"));
    CHECK(wildmat_match("*.test", "lab.test"));
    CHECK(wildmat_match("*a*b*c*", "xxaxxbxxcxx"));
    CHECK_FALSE(wildmat_match("*a*b*c*", "xxcxxbxxaxx"));
    CHECK(wildmat_match("lab.?isc", "lab.misc"));
    CHECK_FALSE(wildmat_match("lab.?isc", "lab.isc"));
    CHECK_FALSE(wildmat_match("Lab.test", "lab.test"));  // case-sensitive
    CHECK(wildmat_match("???", "abc"));
    CHECK_FALSE(wildmat_match("???", "abcd"));
    CHECK_FALSE(wildmat_match("", "a"));
    CHECK(wildmat_match("", ""));
}

TEST_CASE("wildmat: the rightmost matching pattern decides") {
    CHECK(wildmat_match("a*,!*b,*c*", "aaa"));
    CHECK_FALSE(wildmat_match("a*,!*b,*c*", "abb"));
    CHECK(wildmat_match("a*,!*b,*c*", "ccb"));
    CHECK_FALSE(wildmat_match("a*,!*b,*c*", "xxx"));
    CHECK_FALSE(wildmat_match("!lab.*", "lab.test"));  // INN: an empty list
    CHECK_FALSE(wildmat_match("!lab.*", "other"));     // nothing positive matched
    CHECK(wildmat_match("*,!lab.*", "other"));
    CHECK_FALSE(wildmat_match("*,!lab.*", "lab.misc"));
    CHECK(wildmat_match("*,!lab.*,lab.misc", "lab.misc"));
    CHECK_FALSE(wildmat_match("*,!lab.*,lab.misc", "lab.test"));
}

TEST_CASE("wildmat: UTF-8 characters count once") {
    CHECK(wildmat_match("de.?ber", "de.\xc3\xbc" "ber"));          // ü is one "?"
    CHECK_FALSE(wildmat_match("de.??ber", "de.\xc3\xbc" "ber"));
    CHECK(wildmat_match("?", "\xf0\x9f\x90\xa6"));                  // one 4-octet character
    CHECK(wildmat_match("*\xc3\xbc", "gr\xc3\xbc"));
    // Broken UTF-8 in the text is matched byte by byte and never crashes.
    CHECK(wildmat_match("??", "\xc3\x28"));
    CHECK(wildmat_match("*", "\xff\xfe\xc3"));
    CHECK_FALSE(wildmat_match("a?", "a\xe2\x82"));  // a truncated sequence is two broken bytes
    CHECK(wildmat_match("a??", "a\xe2\x82"));
    CHECK(wildmat_match("a?", "a\xe2\x82\xac"));   // the complete one is one character
}

TEST_CASE("wildmat: INN's extensions [...] and backslash") {
    CHECK(wildmat_match("lab.[mt]*", "lab.misc"));
    CHECK(wildmat_match("lab.[mt]*", "lab.test"));
    CHECK_FALSE(wildmat_match("lab.[mt]*", "lab.other"));
    CHECK(wildmat_match("[a-c]x", "bx"));
    CHECK_FALSE(wildmat_match("[a-c]x", "dx"));
    CHECK(wildmat_match("[^a-c]x", "dx"));
    CHECK_FALSE(wildmat_match("[^a-c]x", "ax"));
    CHECK(wildmat_match("[]]", "]"));
    CHECK(wildmat_match("[-a]", "-"));
    CHECK(wildmat_match("[a-]", "-"));
    CHECK(wildmat_match("[\xc3\xa0-\xc3\xbf]", "\xc3\xbc"));  // a range of code points
    CHECK(wildmat_match("a\\*", "a*"));
    CHECK_FALSE(wildmat_match("a\\*", "ab"));
    CHECK(wildmat_match("a[,]b", "a,b"));      // the comma is in the class
    CHECK(wildmat_match("x,a\\,b", "a,b"));    // an escaped comma does not split
    // Malformed patterns are literal where they are malformed.
    CHECK(wildmat_match("[ab", "[ab"));
    CHECK(wildmat_match("a\\", "a\\"));
}

TEST_CASE("wildmat: hostile sizes stay bounded") {
    std::string text(20000, 'a');
    std::string pattern = "*a*a*a*a*a*a*a*a*a*a*b";
    CHECK_FALSE(wildmat_match(pattern, text));  // O(n*m) at worst, not exponential
    std::string many;
    for (int i = 0; i < 2000; ++i) many += "!x" + std::to_string(i) + ",";
    many += "*";
    CHECK(wildmat_match(many, "x5"));
    CHECK(is_valid_wildmat(many));
}
