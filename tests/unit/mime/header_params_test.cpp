// Content-Type / Content-Disposition values and RFC 2231 parameters.
#include <doctest/doctest.h>

#include <chrono>

#include <pigeon/mime/content_type.hpp>
#include <pigeon/mime/header.hpp>

using namespace pigeon::mime;

TEST_CASE("content-type: basic forms") {
    auto r = parse_content_type("Text/HTML; Charset=\"UTF-8\"");
    REQUIRE(r.ok);
    CHECK(r.value.mime_type() == "text/html");
    CHECK(r.value.charset() == "utf-8");
    r = parse_content_type("multipart/mixed;\r\n boundary=\"----=_Part_1\"; (comment) x=y");
    REQUIRE(r.ok);
    CHECK(r.value.is_multipart());
    CHECK(r.value.boundary() == "----=_Part_1");
    CHECK(*r.value.params.get("x") == "y");
    r = parse_content_type("multipart/mixed boundary=abc"); // missing ';'
    REQUIRE(r.ok);
    CHECK(r.value.boundary() == "abc");
    r = parse_content_type(" (c) text (c) / (c) plain (c) ; charset = us-ascii (Plain text)");
    REQUIRE(r.ok);
    CHECK(r.value.mime_type() == "text/plain");
    CHECK(r.value.charset() == "us-ascii");
    CHECK_FALSE(parse_content_type("text").ok);
    CHECK_FALSE(parse_content_type("").ok);
    CHECK_FALSE(parse_content_type("/plain").ok);
    CHECK(parse_content_type("message/rfc822").value.is_message());
}

TEST_CASE("rfc2231 decode: continuations, charsets and percent-encoding") {
    auto d = parse_content_disposition(
        "attachment; filename*0*=UTF-8''na%C3%AFve%20; filename*1=\"file\"; filename*2*=%2Etxt");
    CHECK(d.is_attachment());
    CHECK(d.filename() == "na\xC3\xAFve file.txt");
    // RFC 2231 section 4 example
    auto t = parse_content_type("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    CHECK(*t.value.params.get("title") == "This is ***fun***");
    // section 3 example: plain continuations
    t = parse_content_type("message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    CHECK(*t.value.params.get("url") == "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
    // latin-1 charset
    d = parse_content_disposition("attachment; filename*=iso-8859-1''caf%E9.txt");
    CHECK(d.filename() == "caf\xC3\xA9.txt");
    // the RFC 2231 form wins over the plain one
    d = parse_content_disposition("attachment; filename=\"fallback.txt\"; filename*=utf-8''real.txt");
    CHECK(d.filename() == "real.txt");
}

TEST_CASE("rfc2231 decode: sections out of order, gaps, duplicates, huge numbers") {
    auto d = parse_content_disposition("attachment; filename*1=\"b\"; filename*0=\"a\"; filename*2=\"c\"");
    CHECK(d.filename() == "abc");
    d = parse_content_disposition("attachment; filename*0=\"a\"; filename*2=\"c\"");
    CHECK(d.filename() == "ac");
    CHECK(d.params.had_defects);
    d = parse_content_disposition("attachment; filename*0=\"a\"; filename*0=\"z\"; filename*1=b");
    CHECK(d.filename() == "ab");
    d = parse_content_disposition("attachment; filename*4294967296=\"x\"; filename*0=\"ok\"");
    CHECK(d.filename() == "ok");
    CHECK(d.params.had_defects);
    d = parse_content_disposition("attachment; filename*0*=\"%41\"; filename*1*=utf-8''%42");
    CHECK(d.filename() == "Autf-8''B"); // charset only counts in section 0
}

TEST_CASE("rfc2231 decode: 100000 parameters cost bounded time") {
    std::string v = "attachment";
    for (int i = 0; i < 100000; ++i) v += "; filename*" + std::to_string(i) + "*=%41";
    auto start = std::chrono::steady_clock::now();
    auto d = parse_content_disposition(v);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    CHECK(d.params.had_defects);
    CHECK(d.filename().size() <= 1000);
    CHECK(ms < 2000);
}

TEST_CASE("parameters: RFC 2047 in quoted filenames, escapes, junk") {
    auto d = parse_content_disposition("inline; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"");
    CHECK(d.is_inline());
    CHECK(d.filename() == "\xC3\xA9t\xC3\xA9.pdf");
    d = parse_content_disposition("attachment; filename=\"a \\\"quoted\\\" name\"");
    CHECK(d.filename() == "a \"quoted\" name");
    d = parse_content_disposition("attachment; filename=my file.txt; size=10");
    CHECK(d.filename() == "my file.txt");
    CHECK(*d.params.get("size") == "10");
    d = parse_content_disposition("attachment; =x; junk; filename=ok");
    CHECK(d.filename() == "ok");
    CHECK(d.params.had_defects);
    d = parse_content_disposition("attachment; filename=\"unterminated");
    CHECK(d.filename() == "unterminated");
}
