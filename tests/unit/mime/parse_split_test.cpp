// The parser gives the same events however its input is split: whole, every
// 2-way split, byte by byte; and its reported ranges tile the input.
#include <doctest/doctest.h>

#include <algorithm>

#include "parse_support.hpp"

using namespace pigeon::mime;
using pigeon::mime::test::parse_log;

namespace {

const char* const k_samples[] = {
    // simple
    "From: a@b\r\nSubject: hi\r\n\r\nbody line\r\n",
    // bare LF, folded header, header without final newline
    "Subject: one\n two\nX: y",
    // multipart with preamble, epilogue, trailing blanks after the delimiter
    "Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\npre\r\n--xx  \r\nContent-Type: text/plain\r\n\r\n"
    "hello\r\n--xx\r\n\r\nsecond\r\n--xx-- \r\nepi\r\n",
    // nested, inner boundary has the outer as a prefix
    "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=ab\n\n"
    "--ab\n\none\n--ab\n\ntwo\n--ab--\n--a\n\nthree\n--a--\n",
    // missing final boundary, and the inner one closed by the outer delimiter
    "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\ninner\n--a\n\nlast\n",
    // message/rfc822 inside multipart
    "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: message/rfc822\r\n\r\n"
    "Subject: inner\r\n\r\ninner body\r\n--q--\r\n",
    // delimiter-looking lines that are not delimiters; dashes; CR alone
    "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx\n-- b\n---b\n\r--b\r\n\rx\n--b--",
    // headers ended by a non-header line, 8-bit header bytes
    "Subject: caf\xc3\xa9\r\nX-Latin: \xe9t\xe9\r\nthis is not a header\r\nmore\r\n",
    // empty parts, delimiter right after delimiter, no blank line
    "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n--z\r\nA: b\r\n--z--",
    // mbox envelope, orphan continuation
    "From someone Mon Jan 1 00:00:00 2024\n cont\nSubject: x\n\nb\n",
    // multipart/digest default type
    "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: m1\n\nb1\n--d\nContent-Type: text/plain\n\nb2\n--d--\n",
    // dashes inside lines and at line starts, a base64-like body, CRLF split points
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nwell-known\r\n-x-\r\n--b-x\r\nfoo-\r\n"
    "QUJD\r\nREVG\r\n--b\r\n\r\nz-\r\n--b--\r\n-",
    // empty input pieces
    "",
    "\r\n",
    "--",
};

} // namespace

TEST_CASE("parser: every split gives the same events") {
    for (const char* s : k_samples) {
        std::string input(s);
        const std::string expected = parse_log(input);
        INFO("input: " << test::escape(input));
        std::size_t calls = pigeon::test::for_each_split(input, [&](const pigeon::test::pieces& p) {
            INFO("split " << pigeon::test::describe(p));
            CHECK(parse_log(p) == expected);
        });
        CHECK(calls >= 1);
    }
}

TEST_CASE("parser: 3-way splits of a nested message") {
    std::string input = k_samples[3];
    const std::string expected = parse_log(input);
    pigeon::test::for_each_split3(input, [&](const pigeon::test::pieces& p) {
        INFO("split " << pigeon::test::describe(p));
        REQUIRE(parse_log(p) == expected);
    });
}

TEST_CASE("parser: reported ranges tile the input") {
    for (const char* s : k_samples) {
        std::string input(s);
        test::recorder r;
        parser p(r);
        p.feed(input);
        p.finish();
        r.text();
        auto ranges = r.ranges;
        std::sort(ranges.begin(), ranges.end());
        std::uint64_t at = 0;
        INFO("input: " << test::escape(input));
        for (auto& [off, len] : ranges) {
            if (len == 0) continue;
            CHECK(off == at);
            at = off + len;
        }
        CHECK(at == input.size());
    }
}
