// Command encoders: CR/LF/NUL never reach a command line; envelope addresses
// and ESMTP parameter values are checked (anchors-security INJ-01).
#include <doctest/doctest.h>

#include <ostream>

#include <string>
#include <vector>

#include "pigeon/smtp/address.hpp"
#include "pigeon/smtp/command.hpp"
#include "pigeon/smtp/error.hpp"

using namespace pigeon::smtp;

namespace {

bool has_line_break(const std::string& s) { return s.find_first_of(std::string("\r\n\0", 3)) != std::string::npos; }

std::error_code mail(std::string_view from, std::string& out, mail_parameters p = {}) {
    return encode_mail(from, p, out);
}
std::error_code rcpt(std::string_view to, std::string& out, rcpt_parameters p = {}) { return encode_rcpt(to, p, out); }

// INJ-01: sender/recipient values that would split a command line or smuggle
// one in, as plain bytes and in the UTF-16 shapes (U+560A, U+560D, U+760A,
// U+760D, whose low bytes are LF/CR) as UTF-8.
const std::vector<std::string> injection_vectors = {
    "v@example.com>\r\nRCPT TO:<a@evil",
    "\"v\r\nRSET\"@example.com",
    std::string("v@example.com\0", 14),
    std::string("v@exa\0mple.com", 14),
    "v@example.com\nDATA",
    "v@example.com\r",
    "v@example.com\rDATA",
    "\nv@example.com",
    "v@example.com> SIZE=1",
    "v@example.com>",
    "<v@example.com",
    "v @example.com",
    "v@example.com RCPT TO:<a@evil>",
    "\"v\r\"@example.com",
    "\"v\x01\"@example.com",
    "v\x7f@example.com",
    "v@example.com\t",
    "v\xe5\x98\x8aRCPT TO:<a@evil>@example.com",  // U+560A then a command
    "v@example.com\xe5\x98\x8d\xe7\x98\x8aRCPT TO:<a@evil>",  // U+560D U+760A
    "\xe7\x98\x8d@example.com>\r\nDATA",                      // U+760D
    "@evil.example:v@example.com",                           // source route
    "v@example.com,w@example.com",
    "v@[127.0.0.1]>\r\nDATA",
    "v@example..com",
    "v@.example.com",
    "v@example.com.",
    "v@",
    "@example.com",
    "v",
    "\xff\xfe@example.com",          // not UTF-8
    "\xc0\xaf@example.com",          // overlong '/'
    "\xed\xa0\x80@example.com",      // surrogate
};

} // namespace

TEST_CASE("INJ-01: every injection vector is refused by MAIL and RCPT with nothing produced") {
    for (const auto& v : injection_vectors) {
        CAPTURE(v);
        std::string out = "untouched";
        mail_parameters mp;
        mp.smtputf8 = true;  // even with SMTPUTF8 allowed
        CHECK(encode_mail(v, mp, out) == errc::invalid_address);
        CHECK(out.empty());
        rcpt_parameters rp;
        rp.smtputf8 = true;
        out = "untouched";
        CHECK(encode_rcpt(v, rp, out) == errc::invalid_address);
        CHECK(out.empty());
        bool utf8 = false;
        CHECK(check_address(v, address_kind::forward_path, utf8) == errc::invalid_address);
    }
}

TEST_CASE("INJ-01: ORCPT / ENVID and SIZE cannot carry a line break") {
    std::string out;
    rcpt_parameters rp;
    for (const char* bad : {"a@b\r\nDATA", "a@b\n", "a@b\r", "a\x01@b"}) {
        rp.orcpt = bad;
        CHECK(rcpt("bob@example.org", out, rp) == errc::invalid_parameter);
        CHECK(out.empty());
    }
    rp.orcpt = std::string("a@b\0c", 5);
    CHECK(rcpt("bob@example.org", out, rp) == errc::invalid_parameter);

    mail_parameters mp;
    for (const std::string& bad : {std::string("id\r\nRSET"), std::string("id\n"), std::string("i\0d", 3),
                                  std::string("caf\xc3\xa9")}) {
        mp.envid = bad;
        CHECK(mail("alice@example.org", out, mp) == errc::invalid_parameter);
        CHECK(out.empty());
    }
    // SIZE is a number: it cannot carry anything.
    mp = {};
    mp.size = 18446744073709551615ull;
    REQUIRE_FALSE(mail("alice@example.org", out, mp));
    CHECK(out == "MAIL FROM:<alice@example.org> SIZE=18446744073709551615");
}

TEST_CASE("valid addresses") {
    std::string out;
    REQUIRE_FALSE(mail("alice@lab.test", out));
    CHECK(out == "MAIL FROM:<alice@lab.test>");
    REQUIRE_FALSE(mail("", out));
    CHECK(out == "MAIL FROM:<>");
    REQUIRE_FALSE(rcpt("bob@lab.test", out));
    CHECK(out == "RCPT TO:<bob@lab.test>");
    REQUIRE_FALSE(rcpt("Postmaster", out));
    CHECK(out == "RCPT TO:<Postmaster>");
    CHECK(rcpt("", out) == errc::invalid_address);
    CHECK(mail("postmaster", out) == errc::invalid_address);

    for (const char* ok : {"first.last+tag@sub.example.org", "o'brien@example.ie", "x!#$%&'*+/=?^_`{|}~-@example.com",
                           "\"john doe\"@example.com", "\"a\\\"b\"@example.com", "\"<odd>\"@example.com",
                           "user@[192.0.2.1]", "user@[IPv6:2001:db8::1]", "u@under_score.example", "a@b"}) {
        CAPTURE(ok);
        bool utf8 = true;
        CHECK_FALSE(check_address(ok, address_kind::forward_path, utf8));
        CHECK_FALSE(utf8);
        CHECK_FALSE(rcpt(ok, out));
        CHECK(out == std::string("RCPT TO:<") + ok + ">");
    }
}

TEST_CASE("length limits of paths") {
    std::string out;
    CHECK_FALSE(rcpt(std::string(64, 'a') + "@example.com", out));
    CHECK(rcpt(std::string(65, 'a') + "@example.com", out) == errc::invalid_address);
    const std::string long_domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." + std::string(63, 'd') +
                                    "." + std::string(62, 'd');
    CHECK(rcpt("a@" + long_domain, out) == errc::invalid_address);  // path over 254
    CHECK_FALSE(rcpt("a@" + long_domain.substr(2), out));             // exactly 254
}

TEST_CASE("non-ASCII addresses need SMTPUTF8") {
    std::string out;
    const std::string addr = "j\xc3\xb8rgen@b\xc3\xbc" "cher.example";
    bool utf8 = false;
    CHECK_FALSE(check_address(addr, address_kind::reverse_path, utf8));
    CHECK(utf8);
    CHECK(mail(addr, out) == errc::need_smtputf8);
    CHECK(out.empty());
    mail_parameters mp;
    mp.smtputf8 = true;
    mp.body = body_type::eight_bit;
    REQUIRE_FALSE(mail(addr, out, mp));
    CHECK(out == "MAIL FROM:<" + addr + "> BODY=8BITMIME SMTPUTF8");
    CHECK(rcpt(addr, out) == errc::need_smtputf8);
    rcpt_parameters rp;
    rp.smtputf8 = true;
    CHECK_FALSE(rcpt(addr, out, rp));
    // A lone U+560A is a letter like any other.
    CHECK_FALSE(rcpt("\xe5\x98\x8a@example.com", out, rp));
}

TEST_CASE("MAIL FROM parameters in a fixed order") {
    std::string out;
    mail_parameters mp;
    mp.size = 1234;
    mp.body = body_type::eight_bit;
    mp.ret = dsn_ret::headers;
    mp.envid = "QQ314159+x=y z";
    REQUIRE_FALSE(mail("alice@lab.test", out, mp));
    CHECK(out == "MAIL FROM:<alice@lab.test> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=QQ314159+2Bx+3Dy+20z");
    mp = {};
    mp.body = body_type::binary;
    mp.ret = dsn_ret::full;
    REQUIRE_FALSE(mail("alice@lab.test", out, mp));
    CHECK(out == "MAIL FROM:<alice@lab.test> BODY=BINARYMIME RET=FULL");
    mp = {};
    mp.body = body_type::seven_bit;
    REQUIRE_FALSE(mail("", out, mp));
    CHECK(out == "MAIL FROM:<> BODY=7BIT");
    mp = {};
    mp.envid = std::string(100, 'e');
    CHECK_FALSE(mail("a@b", out, mp));
    mp.envid = std::string(34, '+');  // 102 encoded characters
    CHECK(mail("a@b", out, mp) == errc::invalid_parameter);
}

TEST_CASE("RCPT TO with NOTIFY and ORCPT") {
    std::string out;
    rcpt_parameters rp;
    rp.notify_on = notify::failure | notify::delay;
    rp.orcpt = "Bob+Smith=x@example.org";
    REQUIRE_FALSE(rcpt("bob@lab.test", out, rp));
    CHECK(out == "RCPT TO:<bob@lab.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bob+2BSmith+3Dx@example.org");
    rp = {};
    rp.notify_on = notify::never;
    REQUIRE_FALSE(rcpt("bob@lab.test", out, rp));
    CHECK(out == "RCPT TO:<bob@lab.test> NOTIFY=NEVER");
    rp.notify_on = notify::never | notify::success;
    CHECK(rcpt("bob@lab.test", out, rp) == errc::invalid_parameter);
    CHECK(out.empty());
    rp.notify_on = static_cast<notify>(64);
    CHECK(rcpt("bob@lab.test", out, rp) == errc::invalid_parameter);

    // Non-ASCII ORCPT: RFC 6533 utf-8 address type.
    rp = {};
    rp.orcpt = "j\xc3\xb8rgen+x@example.org";
    REQUIRE_FALSE(rcpt("bob@lab.test", out, rp));
    CHECK(out == "RCPT TO:<bob@lab.test> ORCPT=utf-8;j\\x{F8}rgen\\x{2B}x@example.org");
    rp.smtputf8 = true;
    REQUIRE_FALSE(rcpt("bob@lab.test", out, rp));
    CHECK(out == "RCPT TO:<bob@lab.test> ORCPT=utf-8;j\xc3\xb8rgen\\x{2B}x@example.org");
    rp.orcpt = std::string(501, 'o');
    CHECK(rcpt("bob@lab.test", out, rp) == errc::invalid_parameter);
}

TEST_CASE("NOTIFY parsing") {
    notify n = notify::none;
    CHECK_FALSE(parse_notify("NEVER", n));
    CHECK(n == notify::never);
    CHECK_FALSE(parse_notify("success,Failure, delay", n));
    CHECK(n == (notify::success | notify::failure | notify::delay));
    CHECK(to_string(n) == "SUCCESS,FAILURE,DELAY");
    CHECK_FALSE(parse_notify("delay", n));
    CHECK(to_string(n) == "DELAY");
    for (const char* bad : {"", ",", "NEVER,SUCCESS", "SUCCESS,SUCCESS", "SOMETIMES", "SUCCESS,", "SUCCESS\r\nDATA"}) {
        CAPTURE(bad);
        notify before = notify::delay;
        CHECK(parse_notify(bad, before) == errc::invalid_parameter);
        CHECK(before == notify::delay);
    }
    CHECK(to_string(notify::none).empty());
}

TEST_CASE("xtext") {
    std::string out;
    xtext_encode("a+b=c d\x01\xff~!", out);
    CHECK(out == "a+2Bb+3Dc+20d+01+FF~!");
}

TEST_CASE("EHLO / HELO / LHLO names") {
    std::string out;
    REQUIRE_FALSE(encode_hello(hello_kind::ehlo, "client.example.org", out));
    CHECK(out == "EHLO client.example.org");
    REQUIRE_FALSE(encode_hello(hello_kind::helo, "[192.0.2.7]", out));
    CHECK(out == "HELO [192.0.2.7]");
    REQUIRE_FALSE(encode_hello(hello_kind::lhlo, "localhost", out));
    CHECK(out == "LHLO localhost");
    for (const std::string& bad : {std::string(""), std::string("host\r\nMAIL FROM:<x@y>"), std::string("a b"),
                                  std::string("h\0st", 4), std::string("h\xc3\xa9st"), std::string("host."),
                                  std::string("[1.2.3.4"), std::string("[]"), std::string(256, 'h')}) {
        CAPTURE(bad);
        CHECK(encode_hello(hello_kind::ehlo, bad, out) == errc::invalid_argument);
        CHECK(out.empty());
    }
}

TEST_CASE("AUTH lines and where the secret starts") {
    std::string out;
    std::size_t off = 0;
    REQUIRE_FALSE(encode_auth("PLAIN", std::string("AGFsaWNlAHNlY3JldA=="), out, off));
    CHECK(out == "AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    CHECK(off == 11);
    CHECK(out.substr(off) == "AGFsaWNlAHNlY3JldA==");
    REQUIRE_FALSE(encode_auth("login", std::nullopt, out, off));
    CHECK(out == "AUTH LOGIN");
    CHECK(off == std::string::npos);
    REQUIRE_FALSE(encode_auth("EXTERNAL", std::string("="), out, off));
    CHECK(out == "AUTH EXTERNAL =");
    CHECK(encode_auth("PLAIN\r\nMAIL", std::nullopt, out, off) == errc::invalid_argument);
    CHECK(encode_auth("PLAIN", std::string("abc\r\nRSET"), out, off) == errc::invalid_argument);
    CHECK(encode_auth("PLAIN", std::string("abc def"), out, off) == errc::invalid_argument);
    CHECK(encode_auth("", std::nullopt, out, off) == errc::invalid_argument);
    CHECK(encode_auth("A-MECHANISM-NAME-LONGER", std::nullopt, out, off) == errc::invalid_argument);
    CHECK(out.empty());
}

TEST_CASE("BDAT and the line check") {
    CHECK(encode_bdat(0, true) == "BDAT 0 LAST");
    CHECK(encode_bdat(1048576, false) == "BDAT 1048576");
    CHECK_FALSE(check_command_line("NOOP"));
    CHECK(check_command_line("NOOP\r\n") == errc::invalid_argument);
    CHECK(check_command_line(std::string_view("NO\0OP", 5)) == errc::invalid_argument);
}

TEST_CASE("no successful encoding ever contains CR / LF or NUL (exhaustive over one inserted byte)") {
    // Insert every byte value at every position of a valid address: either
    // the encoder refuses it, or the line is clean.
    const std::string base = "\"q p\"@example.org";
    std::size_t refused = 0, accepted = 0;
    for (std::size_t pos = 0; pos <= base.size(); ++pos) {
        for (int b = 0; b < 256; ++b) {
            std::string addr = base;
            addr.insert(pos, 1, static_cast<char>(b));
            std::string out;
            rcpt_parameters rp;
            rp.smtputf8 = true;
            rp.orcpt = addr;
            if (encode_rcpt(addr, rp, out)) {
                ++refused;
                CHECK(out.empty());
            } else {
                ++accepted;
                CHECK_FALSE(has_line_break(out));
            }
        }
    }
    CHECK(refused > 0);
    CHECK(accepted > 0);
}
