// RFC 2047 encoded words in unstructured headers.
#include <doctest/doctest.h>

#include <pigeon/mime/rfc2047.hpp>
#include <pigeon/mime/header.hpp>
#include <functional>
#include <string>
#include <vector>

using namespace pigeon::mime;

TEST_CASE("rfc2047 decode: section 8 examples") {
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?=)") == "(a)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?= b)") == "(a b)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a_b?=)") == "(a b)");
    CHECK(decode_unstructured("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)") == "(a b)");
    CHECK(decode_unstructured("=?US-ASCII?Q?Keith_Moore?=") == "Keith Moore");
    CHECK(decode_unstructured("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "Andr\xC3\xA9 Pirard");
    CHECK(decode_unstructured("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
                              " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=") ==
          "If you can read this you understand the example.");
}

TEST_CASE("rfc2047 decode: adjacent padded base64 words (GMime 3.2 joins the base64 text and corrupts this)") {
    // "é" twice, each word padded on its own
    CHECK(decode_unstructured("=?utf-8?b?w6k=?= =?utf-8?b?w6k=?=") == "\xC3\xA9\xC3\xA9");
    CHECK(decode_unstructured("=?UTF-8?B?SGVs?= =?UTF-8?B?bG8=?=") == "Hello");
}

TEST_CASE("rfc2047 decode: a multi-byte character split between two words") {
    // U+20AC EURO SIGN = E2 82 AC split after two bytes, in B and in Q
    CHECK(decode_unstructured("=?utf-8?b?4oI=?= =?utf-8?b?rA==?=") == "\xE2\x82\xAC");
    CHECK(decode_unstructured("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=") == "\xE2\x82\xAC");
    // mixed B and Q of the same charset
    CHECK(decode_unstructured("=?utf-8?b?4oI=?=\r\n =?UTF-8?Q?=AC_x?=") == "\xE2\x82\xAC x");
    // different charsets are converted separately: the lone bytes become U+FFFD
    CHECK(decode_unstructured("=?utf-8?q?=E2=82?= =?iso-8859-1?q?=AC?=") == "\xEF\xBF\xBD\xC2\xAC");
}

TEST_CASE("rfc2047 decode: malformed words stay as written") {
    CHECK(decode_unstructured("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=");
    CHECK(decode_unstructured("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated");
    CHECK(decode_unstructured("=?utf-8?b?!!!!?=") == "=?utf-8?b?!!!!?=");
    CHECK(decode_unstructured("=??q?abc?=") == "=??q?abc?=");
    CHECK(decode_unstructured("a =?utf-8?b?QQ?= b") == "a A b");
    // text between words that is not just white space is kept
    CHECK(decode_unstructured("=?utf-8?q?a?= - =?utf-8?q?b?=") == "a - b");
    // words glued to text are still decoded (common in the wild)
    CHECK(decode_unstructured("Re:=?utf-8?q?caf=C3=A9?=") == "Re:caf\xC3\xA9");
}

TEST_CASE("rfc2047 decode: charsets, languages and unknown charsets") {
    CHECK(decode_unstructured("=?utf-8*en?q?hi?=") == "hi");
    CHECK(decode_unstructured("=?koi8-r?b?8NLJ18XU?=") == "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    CHECK(decode_unstructured("=?x-unknown-cs?q?abc?=") == "abc");
}

TEST_CASE("rfc2047 decode: decoded text never carries control characters (Mailsploit)") {
    std::string s = decode_unstructured("=?utf-8?q?a=00b=0D=0AX-Injected:_1?=");
    CHECK(s.find('\0') == std::string::npos);
    CHECK(s.find('\r') == std::string::npos);
    CHECK(s.find('\n') == std::string::npos);
    CHECK(s == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBDX-Injected: 1");
}

TEST_CASE("unstructured: raw 8-bit text and folding") {
    CHECK(decode_unstructured(" caf\xC3\xA9 ") == "caf\xC3\xA9");
    CHECK(decode_unstructured("caf\xE9") == "caf\xC3\xA9");
    CHECK(decode_unstructured("a\r\n b") == "a b");
    CHECK(unfold("a\r\n\tb\nc") == "a\tb\nc");
}

TEST_CASE("decode_encoded_word: single words") {
    std::string cs, bytes;
    CHECK(decode_encoded_word("=?UTF-8?Q?x_y?=", cs, bytes));
    CHECK(cs == "utf-8");
    CHECK(bytes == "x y");
    CHECK_FALSE(decode_encoded_word("=?UTF-8?Q?x_y?= ", cs, bytes));
    CHECK_FALSE(decode_encoded_word("plain", cs, bytes));
}

TEST_CASE("is_plain_unstructured: true exactly where decoding changes nothing") {
    using pigeon::mime::decode_unstructured;
    using pigeon::mime::is_plain_unstructured;
    const std::vector<std::string> plain = {
        "", "Hello", "Re: the meeting at 10:00", "tab\tinside", "Gr\xc3\xbc\xc3\x9f" "e", "a = b ? c", "=", "?=",
        "x=", "\xe6\x97\xa5\xe6\x9c\xac"};
    for (const auto& s : plain) {
        CAPTURE(s);
        CHECK(is_plain_unstructured(s));
        CHECK(decode_unstructured(s) == s);
    }
    const std::vector<std::string> not_plain = {
        " leading", "trailing ", "\tx", "x\t", "folded\r\n line", "line\nbreak", "cr\rinside", "nul" + std::string(1, '\0') + "x",
        "del\x7f", "=?UTF-8?Q?caf=C3=A9?=", "x =?us-ascii?q?y?= z", "\xff not UTF-8", "bad \xc3"};
    for (const auto& s : not_plain) {
        CAPTURE(s);
        CHECK_FALSE(is_plain_unstructured(s));
    }
    // Where it says no, decoding may or may not change the text; where it
    // says yes, it must not: every string of a small alphabet up to length 4.
    const std::string alphabet = std::string("a =?\t\r\n\x01\x7f\xc3\xa9", 11);
    std::string s;
    std::function<void(std::size_t)> walk = [&](std::size_t depth) {
        if (is_plain_unstructured(s)) {
            CAPTURE(s);
            REQUIRE(decode_unstructured(s) == s);
        }
        if (depth == 4) return;
        for (char c : alphabet) {
            s.push_back(c);
            walk(depth + 1);
            s.pop_back();
        }
    };
    walk(0);
}
