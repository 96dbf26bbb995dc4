#include "pigeon/net/hostname.hpp"

#include <doctest/doctest.h>

using pigeon::net::is_ip_literal;
using pigeon::net::match_dns_name;

TEST_CASE("match_dns_name: exact names, case-insensitive, root dot") {
    CHECK(match_dns_name("mail.example.com", "mail.example.com"));
    CHECK(match_dns_name("MAIL.Example.COM", "mail.example.com"));
    CHECK(match_dns_name("mail.example.com.", "mail.example.com"));
    CHECK(match_dns_name("localhost", "localhost"));
    CHECK_FALSE(match_dns_name("mail.example.com", "mail.example.org"));
    CHECK_FALSE(match_dns_name("example.com", "mail.example.com"));
    CHECK_FALSE(match_dns_name("", "example.com"));
}

TEST_CASE("match_dns_name: a wildcard only as the whole left-most label (RFC 6125/7817)") {
    CHECK(match_dns_name("*.example.com", "mail.example.com"));
    CHECK(match_dns_name("*.Example.com", "IMAP.example.COM"));
    CHECK_FALSE(match_dns_name("*.example.com", "example.com"));        // needs a label
    CHECK_FALSE(match_dns_name("*.example.com", "a.b.example.com"));    // one label only
    CHECK_FALSE(match_dns_name("*.com", "example.com"));                // too broad
    CHECK_FALSE(match_dns_name("*", "localhost"));
    CHECK_FALSE(match_dns_name("m*.example.com", "mail.example.com"));  // partial wildcard
    CHECK_FALSE(match_dns_name("*mail.example.com", "xmail.example.com"));
    CHECK_FALSE(match_dns_name("mail.*.com", "mail.example.com"));
    CHECK_FALSE(match_dns_name("*.*.example.com", "a.b.example.com"));
    CHECK_FALSE(match_dns_name("*.example.com", ".example.com"));
}

TEST_CASE("match_dns_name: IP addresses never match DNS names or wildcards") {
    CHECK_FALSE(match_dns_name("*.0.0.1", "127.0.0.1"));
    CHECK_FALSE(match_dns_name("127.0.0.1", "127.0.0.1"));
    CHECK(is_ip_literal("127.0.0.1"));
    CHECK(is_ip_literal("::1"));
    CHECK(is_ip_literal("2001:db8::25"));
    CHECK_FALSE(is_ip_literal("localhost"));
    CHECK_FALSE(is_ip_literal("1.2.3"));
}

TEST_CASE("match_dns_name: malformed names never match") {
    CHECK_FALSE(match_dns_name("exa mple.com", "exa mple.com"));
    CHECK_FALSE(match_dns_name("example..com", "example..com"));
    CHECK_FALSE(match_dns_name(std::string_view("a\0b.com", 7), std::string_view("a\0b.com", 7)));
}
