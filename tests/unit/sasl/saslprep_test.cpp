// SASLprep: the RFC 4013 section 3 examples and what real passwords hold.
#include <doctest/doctest.h>

#include <ostream>  // lets doctest print std::error_code
#include <string>
#include <system_error>

#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/saslprep.hpp"

using namespace std::string_literals;
using pigeon::sasl::errc;
using pigeon::sasl::saslprep;

namespace {

std::string prep_ok(std::string_view in) {
    std::error_code ec;
    std::string out = saslprep(in, ec);
    CHECK_FALSE(ec);
    return out;
}

bool prep_fails(std::string_view in) {
    std::error_code ec;
    const std::string out = saslprep(in, ec);
    return ec == errc::saslprep_failed && out.empty();
}

} // namespace

TEST_CASE("SASLprep: RFC 4013 section 3 examples") {
    CHECK(prep_ok("I\xC2\xADX") == "IX");        // 1. SOFT HYPHEN mapped to nothing
    CHECK(prep_ok("user") == "user");            // 2. no transformation
    CHECK(prep_ok("USER") == "USER");            // 3. case preserved
    CHECK(prep_ok("\xC2\xAA") == "a");           // 4. U+00AA output is "a"
    CHECK(prep_ok("\xE2\x85\xA8") == "IX");      // 5. U+2168 ROMAN NUMERAL NINE
    CHECK(prep_fails("\x07"));                   // 6. prohibited character
    CHECK(prep_fails("\xD8\xA7" "1"));           // 7. bidi: RAL must start and end
}

TEST_CASE("SASLprep: spaces and mapped-to-nothing characters") {
    CHECK(prep_ok("a\xC2\xA0" "b") == "a b");              // NO-BREAK SPACE
    CHECK(prep_ok("a\xE3\x80\x80" "b") == "a b");          // IDEOGRAPHIC SPACE
    CHECK(prep_ok("a\xE2\x80\x83" "b") == "a b");          // EM SPACE
    CHECK(prep_ok("a\xE2\x80\x8C" "b") == "ab");           // ZERO WIDTH NON-JOINER
    CHECK(prep_ok("a\xEF\xBB\xBF" "b") == "ab");           // ZERO WIDTH NO-BREAK SPACE
    CHECK(prep_ok("a\xEF\xB8\x8F" "b") == "ab");           // VARIATION SELECTOR-16
}

TEST_CASE("SASLprep: NFKC across scripts") {
    CHECK(prep_ok("e\xCC\x81") == "\xC3\xA9");                 // e + COMBINING ACUTE -> é
    CHECK(prep_ok("A\xCC\x8A") == "\xC3\x85");                 // A + RING ABOVE -> Å
    CHECK(prep_ok("s\xCC\x8C") == "\xC5\xA1");                 // s + CARON -> š (Latin Extended-A)
    CHECK(prep_ok("\xEF\xBC\xA1\xEF\xBD\x82") == "Ab");        // fullwidth A b
    CHECK(prep_ok("\xEF\xAC\x81") == "fi");                    // LIGATURE FI
    CHECK(prep_ok("\xC2\xBD") == "1\xE2\x81\x84" "2");         // VULGAR FRACTION 1/2 -> 1⁄2
    CHECK(prep_ok("\xCE\xB1\xCC\x81") == "\xCE\xAC");          // alpha + acute -> ά
    CHECK(prep_ok("\xD0\xB8\xCC\x86") == "\xD0\xB9");          // и + BREVE -> й
    CHECK(prep_ok("\xE2\x84\xA6") == "\xCE\xA9");              // OHM SIGN -> OMEGA
    CHECK(prep_ok("Stra\xC3\x9F" "e") == "Stra\xC3\x9F" "e");  // ß unchanged (no case folding)
    CHECK(prep_ok("\xE6\x97\xA5\xE6\x9C\xAC") == "\xE6\x97\xA5\xE6\x9C\xAC");  // CJK unchanged
    CHECK(prep_ok("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // unassigned in 3.2: allowed (query)
}

TEST_CASE("SASLprep: prohibited output and bidi") {
    CHECK(prep_fails("a\x7f"));                     // DEL
    CHECK(prep_fails("a\0b"s));                     // NUL
    CHECK(prep_fails("a\xC2\x85"));                 // NEL (C.2.2)
    CHECK(prep_fails("\xEE\x80\x80"));              // private use U+E000
    CHECK(prep_fails("\xEF\xBF\xBE"));              // non-character U+FFFE
    CHECK(prep_fails("\xE2\x80\x8E" "a"));          // LEFT-TO-RIGHT MARK (C.8)
    CHECK(prep_fails("\xD8\xA7" "a" "\xD8\xA7"));   // RAL with LCat
    CHECK(prep_ok("\xD8\xA7" "1" "\xD8\xA7") == "\xD8\xA7" "1" "\xD8\xA7");  // RAL first and last
}

TEST_CASE("SASLprep: malformed UTF-8 is refused") {
    CHECK(prep_fails("\xff"));
    CHECK(prep_fails("\xC3"));                 // truncated
    CHECK(prep_fails("\xC0\xAF"));             // overlong '/'
    CHECK(prep_fails("\xED\xA0\x80"));         // surrogate
    CHECK(prep_fails("\xF4\x90\x80\x80"));     // above U+10FFFF
    CHECK(prep_fails("\xE2\x82"));             // truncated 3-byte
}

TEST_CASE("SASLprep: printable ASCII is unchanged") {
    std::string all;
    for (char c = 0x20; c < 0x7f; ++c) all.push_back(c);
    CHECK(prep_ok(all) == all);
    CHECK(prep_ok("") == "");
}
