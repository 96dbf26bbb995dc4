// RFC 5322 address lists, including the INJ-04 strictness vectors
// (CVE-2023-27043, CVE-2019-16056, Mailsploit).
#include <doctest/doctest.h>

#include <pigeon/mime/address.hpp>

using namespace pigeon::mime;

namespace {
std::vector<std::string> addrs(std::string_view v) {
    std::vector<std::string> out;
    for (const auto& m : parse_address_list(v).mailboxes()) out.push_back(m.address());
    return out;
}
using sv = std::vector<std::string>;
} // namespace

TEST_CASE("address: common forms") {
    auto l = parse_address_list("John Doe <jdoe@example.com>, mary@example.net (Mary Smith), \"Q, Joe\" <q@x.org>");
    REQUIRE(l.ok());
    auto m = l.mailboxes();
    REQUIRE(m.size() == 3);
    CHECK(m[0].display_name == "John Doe");
    CHECK(m[0].local_part == "jdoe");
    CHECK(m[0].domain == "example.com");
    CHECK(m[1].address() == "mary@example.net");
    CHECK(m[1].display_name == "Mary Smith");
    CHECK(m[2].display_name == "Q, Joe");
    CHECK(m[2].to_string() == "\"Q, Joe\" <q@x.org>");
    CHECK(addrs("<a@b>") == sv{"a@b"});
    CHECK(addrs("a@[192.168.0.1]") == sv{"a@[192.168.0.1]"});
}

TEST_CASE("address: quoted local parts") {
    auto l = parse_address_list("\"john smith\"@example.com, \"a\\\"b\"@x");
    REQUIRE(l.ok());
    auto m = l.mailboxes();
    CHECK(m[0].local_part == "john smith");
    CHECK(m[0].address() == "\"john smith\"@example.com");
    CHECK(m[1].local_part == "a\"b");
    CHECK(m[1].address() == "\"a\\\"b\"@x");
}

TEST_CASE("address: groups") {
    auto l = parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, x@y");
    REQUIRE(l.ok());
    REQUIRE(l.items.size() == 2);
    CHECK(l.items[0].is_group);
    CHECK(l.items[0].group_name == "A Group");
    CHECK(l.items[0].mailboxes.size() == 3);
    CHECK(l.items[1].mailboxes[0].address() == "x@y");
    l = parse_address_list("undisclosed-recipients:;");
    REQUIRE(l.ok());
    CHECK(l.items[0].is_group);
    CHECK(l.items[0].mailboxes.empty());
    l = parse_address_list("Empty : ; , Other: a@b;"); // Mutt CVE-2021-3181 shape
    REQUIRE(l.ok());
    CHECK(l.items.size() == 2);
}

TEST_CASE("address: comments and folding (RFC 5322 appendix A.5)") {
    auto l = parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
    REQUIRE(l.ok());
    auto m = l.mailboxes();
    REQUIRE(m.size() == 1);
    CHECK(m[0].display_name == "Pete");
    CHECK(m[0].address() == "pete@silly.test");
    l = parse_address_list("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
                           "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)");
    REQUIRE(l.ok());
    CHECK(l.items[0].mailboxes.size() == 3);
    CHECK(l.items[0].mailboxes[0].address() == "c@public.example");
}

TEST_CASE("address: obsolete forms") {
    // periods in phrases, CFWS around dots, routes, empty list elements
    auto l = parse_address_list("John Q. Public <jqp@example.com>");
    REQUIRE(l.ok());
    CHECK(l.mailboxes()[0].display_name == "John Q. Public");
    CHECK(addrs("john . doe @ example . com") == sv{"john.doe@example.com"});
    CHECK(addrs("<@a.test,@b.test:user@c.test>") == sv{"user@c.test"});
    CHECK(addrs("a@b,, ,c@d") == (sv{"a@b", "c@d"}));
    CHECK(addrs("\"quoted\".atom@x") == sv{"quoted.atom@x"});
}

TEST_CASE("address: encoded words decode in display names only") {
    auto l = parse_address_list("=?utf-8?q?Andr=C3=A9?= <andre@x.test>");
    REQUIRE(l.ok());
    CHECK(l.mailboxes()[0].display_name == "Andr\xC3\xA9");
    l = parse_address_list("=?utf-8?b?w6k=?= =?utf-8?b?w6k=?= <e@x>");
    CHECK(l.mailboxes()[0].display_name == "\xC3\xA9\xC3\xA9");
    l = parse_address_list("\"=?utf-8?q?Q=C3=BCoted?=\" <q@x>");
    CHECK(l.mailboxes()[0].display_name == "Q\xC3\xBCoted");
}

TEST_CASE("INJ-04: CVE-2023-27043 strings never yield a different address") {
    const char* vectors[] = {
        "alice@example.org(<bob@example.com>",
        "alice@example.org)<bob@example.com>",
        "alice@example.org<<bob@example.com>",
        "alice@example.org@<bob@example.com>",
        "alice@example.org[<bob@example.com>",
        "alice@example.org]<bob@example.com>",
    };
    for (const char* v : vectors) {
        INFO(v);
        auto l = parse_address_list(v);
        CHECK_FALSE(l.ok());
        for (const auto& m : l.mailboxes()) {
            CHECK(m.address() != "bob@example.com");
            CHECK(m.address() == "alice@example.org");
        }
        CHECK(l.mailboxes().empty());
    }
}

TEST_CASE("INJ-04: CVE-2019-16056 and other ambiguous forms are rejected") {
    auto l = parse_address_list("a@malicious.org@important.com");
    CHECK_FALSE(l.ok());
    CHECK(l.mailboxes().empty());
    l = parse_address_list("<aaa@bbb.com>ccc@ddd.com");
    CHECK_FALSE(l.ok());
    CHECK(l.mailboxes().empty());
    // rejected elements do not swallow their neighbours
    l = parse_address_list("good@a.test, a@b@c, other@b.test");
    CHECK(l.errors == std::vector<std::string>{"a@b@c"});
    CHECK(addrs("good@a.test, a@b@c, other@b.test") == (sv{"good@a.test", "other@b.test"}));
}

TEST_CASE("INJ-04: forms with one conforming reading give exactly that address") {
    auto l = parse_address_list("\"a@b\" <c@d>");
    REQUIRE(l.ok());
    CHECK(l.mailboxes()[0].address() == "c@d");
    CHECK(l.mailboxes()[0].display_name == "a@b");
    CHECK(addrs("<@evil:user@good>") == sv{"user@good"});
    CHECK(addrs("user%evil@good") == sv{"user%evil@good"});
    CHECK(addrs("evil!user@good") == sv{"evil!user@good"});
}

TEST_CASE("INJ-04: Mailsploit From keeps its literal local part") {
    auto l = parse_address_list("=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?==?utf-8?Q?=00?==?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?="
                                "@mailsploit.com");
    REQUIRE(l.ok());
    auto m = l.mailboxes();
    REQUIRE(m.size() == 1);
    CHECK(m[0].domain == "mailsploit.com");
    CHECK(m[0].local_part.find("=?utf-8?b?") == 0);
    CHECK(m[0].address().find("whitehouse.gov") == std::string::npos);
    // as a display name it decodes, but control characters are scrubbed
    l = parse_address_list("=?utf-8?b?cG90dXNAd2hpdGVob3VzZS5nb3Y=?==?utf-8?Q?=00?= <evil@x.test>");
    REQUIRE(l.ok());
    CHECK(l.mailboxes()[0].address() == "evil@x.test");
    CHECK(l.mailboxes()[0].display_name.find('\0') == std::string::npos);
}

TEST_CASE("address: malformed input is reported, never crashes") {
    const char* bad[] = {"", "   ", "plainword", "<>", "<a@>", "@b", "a@", "\"unterminated@x", "(((((", "a@b.", ">",
                         "Name <a@b", "a@b>", "g: a@b", "x:y:z@w;", "\\", "a@b c@d"};
    for (const char* v : bad) {
        INFO(v);
        auto l = parse_address_list(v);
        for (const auto& m : l.mailboxes()) CHECK_FALSE(m.domain.empty());
    }
    CHECK_FALSE(parse_address_list("a@b c@d").ok());
    CHECK_FALSE(parse_address_list("plainword").ok());
    CHECK(parse_address_list("").ok());
    CHECK(parse_mailbox("Joe <j@x>").ok);
    CHECK_FALSE(parse_mailbox("j@x, k@y").ok);
}

TEST_CASE("address: deep comment nesting is linear") {
    std::string v = "a@b (" + std::string(100000, '(') + std::string(100000, ')') + ")";
    auto l = parse_address_list(v);
    CHECK(l.ok());
    std::string w = std::string(50000, '(') + "a@b";
    CHECK_FALSE(parse_address_list(w).ok());
}
