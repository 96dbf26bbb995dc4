// Modified UTF-7 mailbox names (RFC 3501 section 5.1.3).
#include <doctest/doctest.h>

#include <ios>
#include <string>

#include "pigeon/imap/string_encoding.hpp"

using namespace pigeon::imap;
using namespace std::string_literals;

namespace {

std::string utf8_of(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
    return out;
}

} // namespace

TEST_CASE("modified UTF-7: examples from RFC 3501 and real servers") {
    // RFC 3501 section 5.1.3: "~peter/mail/台北/日本語".
    CHECK(to_modified_utf7("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e") ==
          "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    CHECK(from_modified_utf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-") ==
          "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
    // Dovecot's LIST of a mailbox created as "Entw&APw-rfe".
    CHECK(from_modified_utf7("Entw&APw-rfe") == "Entw\xc3\xbcrfe");
    CHECK(to_modified_utf7("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
    CHECK(to_modified_utf7("Tom & Jerry") == "Tom &- Jerry");
    CHECK(from_modified_utf7("Tom &- Jerry") == "Tom & Jerry");
    CHECK(to_modified_utf7("&&") == "&-&-");
    CHECK(to_modified_utf7("") == "");
    CHECK(from_modified_utf7("") == "");
    // An astral character takes a surrogate pair: U+1F600.
    CHECK(to_modified_utf7("\xf0\x9f\x98\x80") == "&2D3eAA-");
    CHECK(from_modified_utf7("&2D3eAA-") == "\xf0\x9f\x98\x80");
    // Controls are encoded; adjacent non-ASCII characters share one run.
    CHECK(to_modified_utf7("a\tb") == "a&AAk-b");
    CHECK(to_modified_utf7("\xc3\xa4\xc3\xb6") == "&AOQA9g-");
    CHECK(from_modified_utf7("&AOQA9g-") == "\xc3\xa4\xc3\xb6");
}

TEST_CASE("modified UTF-7: every code point round-trips") {
    std::size_t checked = 0;
    for (char32_t cp = 1; cp <= 0x10ffff; ++cp) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        std::string name = "x" + utf8_of(cp) + "y";
        auto enc = to_modified_utf7(name);
        if (!enc) {
            FAIL("not encoded: U+" << std::hex << static_cast<unsigned long>(cp));
            break;
        }
        auto dec = from_modified_utf7(*enc);
        if (dec != name) {
            FAIL("round trip failed: U+" << std::hex << static_cast<unsigned long>(cp) << " via " << *enc);
            break;
        }
        // Printable ASCII stands for itself, everything else is encoded.
        bool plain = cp >= 0x20 && cp <= 0x7e;
        if (plain && cp != '&' && enc->size() != 3) FAIL("printable ASCII encoded: " << *enc);
        if (!plain && (*enc)[1] != '&') FAIL("not encoded: " << *enc);
        ++checked;
    }
    CHECK(checked == 0x10ffff - 2048);
    // Runs of many characters, with every leftover-bit alignment.
    std::string mixed;
    for (char32_t cp : {0xe4u, 0x4e2du, 0x1f600u, 0x10ffffu, 0x80u, 0xffffu, 0x10000u})
        for (int n = 1; n <= 5; ++n) {
            std::string s = "[";
            for (int i = 0; i < n; ++i) s += utf8_of(cp);
            s += "]";
            auto enc = to_modified_utf7(s);
            REQUIRE(enc);
            CHECK(from_modified_utf7(*enc) == s);
            mixed += s;
        }
    auto enc = to_modified_utf7(mixed);
    REQUIRE(enc);
    CHECK(from_modified_utf7(*enc) == mixed);
}

TEST_CASE("modified UTF-7: invalid input is refused") {
    for (std::string bad : {
             "&"s,              // shift without end
             "&AOQ"s,           // run not closed
             "a&AOQ-&AOQ-"s,    // two adjacent runs: one, canonically
             "&AGE-"s,          // "a" encoded: printable ASCII must stand for itself
             "&ACY-"s,          // "&" encoded
             "&AAA-"s,          // U+0000
             "&A-"s,            // 6 bits: no whole UTF-16 unit
             "&AO-"s,           // 12 bits
             "&AOR-"s,          // padding bits not zero (U+00E4 then 2 set bits)
             "&AOQA-"s,         // 24 bits: a unit and 8 bits over
             "&2D0-"s,          // lone high surrogate
             "&2D3YAA-"s,       // high surrogate followed by a high one
             "&3gA-"s,          // lone low surrogate
             "&AOQ/-"s,         // "/" is not modified base64
             "&AOQ=-"s,         // no padding in modified base64
             "&AOQ -"s,         // space inside a run
             "a\x7f"s,          // DEL
             "tab\there"s,      // control characters must be encoded
             "\xc3\xa4"s,       // raw 8-bit
             "a\0b"s,           // NUL
         }) {
        INFO(bad);
        CHECK_FALSE(from_modified_utf7(bad).has_value());
    }
    // The encoder takes well-formed UTF-8 only.
    for (std::string bad : {
             "\xc3"s,                  // truncated
             "\xc0\xaf"s,              // overlong "/"
             "\xe0\x80\xaf"s,          // overlong
             "\xed\xa0\x80"s,          // UTF-8 encoded surrogate
             "\xf4\x90\x80\x80"s,      // above U+10FFFF
             "\xff"s,
             "a\0b"s,                  // NUL
         }) {
        INFO(bad);
        CHECK_FALSE(to_modified_utf7(bad).has_value());
        CHECK_FALSE(encode_mailbox_name(bad, name_encoding::utf8).has_value());
    }
}

TEST_CASE("mailbox names in either encoding") {
    CHECK(encode_mailbox_name("Entw\xc3\xbcrfe", name_encoding::modified_utf7) == "Entw&APw-rfe");
    CHECK(encode_mailbox_name("Entw\xc3\xbcrfe", name_encoding::utf8) == "Entw\xc3\xbcrfe");
    CHECK(decode_mailbox_name("Entw&APw-rfe", name_encoding::modified_utf7) == "Entw\xc3\xbcrfe");
    // With UTF8=ACCEPT "&" is just "&".
    CHECK(decode_mailbox_name("Entw&APw-rfe", name_encoding::utf8) == "Entw&APw-rfe");
    CHECK_FALSE(decode_mailbox_name("\xff", name_encoding::utf8).has_value());
    CHECK(is_valid_utf8("Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80"));
    CHECK_FALSE(is_valid_utf8("\xe2\x82"));
}
