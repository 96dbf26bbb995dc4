// IMAP string arguments and command building: the INJ-05 vectors of
// anchors-security.md and curl's test 800 quoting.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "pigeon/imap/command.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/string_encoding.hpp"

using namespace pigeon::imap;
using namespace std::string_literals;

namespace {

command build(command_builder& b) {
    std::error_code ec;
    auto c = b.finish(ec);
    REQUIRE(c);
    CHECK_FALSE(ec);
    return *c;
}

std::error_code refusal(command_builder& b) {
    std::error_code ec;
    auto c = b.finish(ec);
    CHECK_FALSE(c);
    return ec;
}

} // namespace

TEST_CASE("astring forms") {
    CHECK(astring_form("INBOX") == string_form::atom);
    CHECK(astring_form("alice@lab.test") == string_form::atom);
    CHECK(astring_form("a]b") == string_form::atom);            // "]" is an ASTRING-CHAR
    CHECK(astring_form("") == string_form::quoted);
    CHECK(astring_form("two words") == string_form::quoted);
    CHECK(astring_form("INBOX\"") == string_form::quoted);
    CHECK(astring_form("a\\b") == string_form::quoted);
    CHECK(astring_form("{5}") == string_form::quoted);
    CHECK(astring_form("*") == string_form::quoted);
    CHECK(astring_form("%") == string_form::quoted);
    CHECK(astring_form("a(b") == string_form::quoted);
    CHECK(astring_form("x\r\nA999 DELETE INBOX") == string_form::literal);
    CHECK(astring_form("x\ny") == string_form::literal);
    CHECK(astring_form("x\ry") == string_form::literal);
    CHECK(astring_form("Entw\xc3\xbcrfe") == string_form::literal);   // 8-bit forces a literal
    CHECK(astring_form(std::string(max_quoted_length, 'a')) == string_form::atom);
    CHECK(astring_form(std::string(max_quoted_length + 1, ' ')) == string_form::literal);
    CHECK(astring_form("a\0b"s) == string_form::invalid);
    CHECK(string_form_of("INBOX") == string_form::quoted);           // a string is never an atom
}

TEST_CASE("quoting escapes backslash and double quote") {
    CHECK(quote("INBOX\"") == "\"INBOX\\\"\"");
    CHECK(quote("a\\b") == "\"a\\\\b\"");
    CHECK(quote("{5}") == "\"{5}\"");
    CHECK(quote("") == "\"\"");
}

TEST_CASE("INJ-05: each vector stays one argument of one command") {
    struct vec {
        std::string name;
        std::string wire;
    };
    const vec vectors[] = {
        {"INBOX\"", "A1 SELECT \"INBOX\\\"\""},
        {"a\\b", "A1 SELECT \"a\\\\b\""},
        {"{5}", "A1 SELECT \"{5}\""},
        {"*", "A1 SELECT \"*\""},
        {"%", "A1 SELECT \"%\""},
        {"x\r\nA999 DELETE INBOX", "A1 SELECT {20}\r\nx\r\nA999 DELETE INBOX"},
        {"Entw\xc3\xbcrfe", "A1 SELECT {9}\r\nEntw\xc3\xbcrfe"},
    };
    for (const auto& v : vectors) {
        command_builder b("A1", "SELECT");
        b.astring(v.name);
        auto c = build(b);
        INFO(v.name);
        CHECK(c.describe() == v.wire);
        // No segment line can carry a line break: the channel would refuse it,
        // and the injected command can never start a line of its own.
        for (const auto& seg : c.segments) CHECK(seg.line.find_first_of("\r\n") == std::string::npos);
    }
    // 10 000 characters go as a literal, not a giant quoted string.
    command_builder b("A1", "SELECT");
    b.astring(std::string(10000, 'x') + " y");
    auto c = build(b);
    REQUIRE(c.segments.size() == 2);
    CHECK(c.segments[0].line == "A1 SELECT {10002}");
    CHECK(c.segments[0].has_literal);
    CHECK(c.segments[0].literal_sync);
    CHECK(c.segments[1].line.empty());
}

TEST_CASE("LOGIN quoting as in curl test 800, password marked secret") {
    command_builder b("A002", "LOGIN");
    b.astring("\"user").astring("sec\"ret{", true);
    auto c = build(b);
    REQUIRE(c.segments.size() == 1);
    const auto& seg = c.segments[0];
    CHECK(seg.line == "A002 LOGIN \"\\\"user\" \"sec\\\"ret{\"");
    CHECK(seg.line.substr(seg.secret.offset, seg.secret.length) == "\"sec\\\"ret{\"");
    CHECK(c.describe() == "A002 LOGIN \"\\\"user\" <redacted>");
}

TEST_CASE("a literal password: synchronizing, or non-synchronizing with LITERAL+") {
    command_builder b("A3", "LOGIN");
    b.astring("carol@lab.test").astring("p\xc3\xa4sswort", true);
    auto c = build(b);
    REQUIRE(c.segments.size() == 2);
    CHECK(c.segments[0].line == "A3 LOGIN carol@lab.test {9}");
    CHECK(c.segments[0].secret.length == 0);  // the literal header is no secret
    CHECK(c.segments[0].literal_secret);
    CHECK(c.segments[0].literal_sync);
    CHECK(c.describe() == "A3 LOGIN carol@lab.test {9}\r\n<redacted>");

    literal_options plus;
    plus.non_synchronizing = true;
    plus.non_sync_max = static_cast<std::size_t>(-1);
    command_builder b2("A4", "LOGIN", plus);
    b2.astring("u\xc3\xa4").astring("pw");
    auto c2 = build(b2);
    CHECK(c2.segments[0].line == "A4 LOGIN {3+}");
    CHECK_FALSE(c2.segments[0].literal_sync);
    CHECK(c2.segments[1].line == " pw");

    literal_options minus;
    minus.non_synchronizing = true;
    minus.non_sync_max = 4096;
    command_builder b3("A5", "X", minus);
    b3.astring(std::string(4097, '\n'));
    CHECK(build(b3).segments[0].line == "A5 X {4097}");  // over LITERAL-'s limit: synchronizing
}

TEST_CASE("encoders refuse CR, LF and NUL where they cannot be carried") {
    {
        command_builder b("A1", "LOGIN");
        b.astring("user").astring("pa\0ss"s, true);
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    for (std::string bad : {"a\r"s, "a\n"s, "a\0"s, "a b"s, ""s, "a(b"s, "\xc3\xa4"s}) {
        command_builder b("A1", "AUTHENTICATE");
        b.atom(bad);
        INFO(bad);
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    for (std::string bad : {"1:*\r\nA2 DELETE x"s, "1\n"s, "1\0"s, ""s}) {
        command_builder b("A1", "FETCH");
        b.raw(bad);
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    {
        command_builder b("A 1", "NOOP");  // bad tag
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    {
        command_builder b("A+1", "NOOP");
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    {
        command_builder b("A1", "NO OP");
        CHECK(refusal(b) == make_error_code(errc::invalid_argument));
    }
    {
        command_builder b("A1", "FETCH");
        b.raw("1:* (FLAGS)");
        CHECK(build(b).describe() == "A1 FETCH 1:* (FLAGS)");
    }
}

TEST_CASE("SASL-IR initial response is a secret atom") {
    command_builder b("A1", "AUTHENTICATE");
    b.atom("PLAIN").atom("AGFsaWNlAHNlY3JldA==", true);
    auto c = build(b);
    CHECK(c.segments[0].line == "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==");
    CHECK(c.describe() == "A1 AUTHENTICATE PLAIN <redacted>");
}

TEST_CASE("tags are unique and their prefix unpredictable") {
    tag_generator fixed("A");
    CHECK(fixed.next() == "A1");
    CHECK(fixed.next() == "A2");
    std::set<std::string> prefixes;
    for (int i = 0; i < 8; ++i) {
        tag_generator g;
        REQUIRE(g.prefix().size() == 4);
        for (char c : g.prefix()) CHECK((c >= 'A' && c <= 'Z'));
        prefixes.insert(g.prefix());
        auto t1 = g.next(), t2 = g.next();
        CHECK(t1 != t2);
    }
    CHECK(prefixes.size() > 1);  // 8 draws from 26^4 all equal: chance ~1e-37
}
