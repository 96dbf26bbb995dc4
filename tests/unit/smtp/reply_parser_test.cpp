// The reply parser fed whole lines, and raw bytes in every split.
#include <doctest/doctest.h>

#include <ostream>

#include <string>
#include <vector>

#include "pigeon/smtp/error.hpp"
#include "pigeon/smtp/reply_parser.hpp"
#include "support/split_feed.hpp"

using pigeon::smtp::errc;
using pigeon::smtp::reply;
using pigeon::smtp::reply_limits;
using pigeon::smtp::reply_parser;
using st = pigeon::smtp::reply_parser::status;

namespace {

/// Feeds every piece, collecting each complete reply; stops at an error.
struct byte_feed_result {
    std::vector<reply> replies;
    std::error_code error;
};

byte_feed_result feed_pieces(const pigeon::test::pieces& pieces, bool enhanced = false, reply_limits limits = {}) {
    byte_feed_result out;
    reply_parser p(limits);
    p.set_enhanced_status_codes(enhanced);
    for (auto piece : pieces) {
        while (!piece.empty()) {
            std::size_t used = 0;
            const auto s = p.feed(piece, used);
            REQUIRE(used <= piece.size());
            piece.remove_prefix(used);
            if (s == st::ready) {
                out.replies.push_back(p.take());
            } else if (s == st::error) {
                out.error = p.error();
                return out;
            } else {
                REQUIRE(piece.empty());  // need_more consumes everything
            }
        }
    }
    return out;
}

reply feed_lines(const std::vector<std::string>& lines, bool enhanced = false) {
    reply_parser p;
    p.set_enhanced_status_codes(enhanced);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto s = p.feed_line(lines[i]);
        if (i + 1 < lines.size()) REQUIRE(s == st::need_more);
        else REQUIRE(s == st::ready);
    }
    return p.take();
}

std::error_code line_error(const std::vector<std::string>& lines, reply_limits limits = {}) {
    reply_parser p(limits);
    for (const auto& l : lines) {
        const auto s = p.feed_line(l);
        if (s == st::error) return p.error();
        if (s == st::ready) return {};
    }
    return {};
}

} // namespace

TEST_CASE("single-line replies") {
    auto r = feed_lines({"250 OK"});
    CHECK(r.code == 250);
    CHECK(r.lines == std::vector<std::string>{"OK"});
    CHECK(r.positive());
    CHECK_FALSE(r.status.has_value());

    r = feed_lines({"354"});  // no text at all
    CHECK(r.code == 354);
    CHECK(r.intermediate());
    CHECK(r.lines == std::vector<std::string>{""});

    r = feed_lines({"221 "});
    CHECK(r.lines == std::vector<std::string>{""});

    CHECK(feed_lines({"421 bye"}).transient());
    CHECK(feed_lines({"554 no"}).permanent());
}

TEST_CASE("multi-line reply keeps every text line") {
    auto r = feed_lines({"250-mail.example.org Hello", "250-PIPELINING", "250-SIZE 1000", "250 8BITMIME"});
    CHECK(r.code == 250);
    CHECK(r.lines == std::vector<std::string>{"mail.example.org Hello", "PIPELINING", "SIZE 1000", "8BITMIME"});
    CHECK(r.to_string() == "250-mail.example.org Hello\n250-PIPELINING\n250-SIZE 1000\n250 8BITMIME");
    CHECK(r.text() == "mail.example.org Hello\nPIPELINING\nSIZE 1000\n8BITMIME");
}

TEST_CASE("enhanced status codes only when enabled") {
    auto r = feed_lines({"550 5.1.1 <nobody@lab.test>: Recipient address rejected"}, true);
    REQUIRE(r.status.has_value());
    CHECK(r.status->klass == 5);
    CHECK(r.status->subject == 1);
    CHECK(r.status->detail == 1);
    CHECK(r.status->to_string() == "5.1.1");
    CHECK(r.text() == "<nobody@lab.test>: Recipient address rejected");
    CHECK(r.lines[0] == "5.1.1 <nobody@lab.test>: Recipient address rejected");

    r = feed_lines({"550 5.1.1 <nobody@lab.test>: Recipient address rejected"}, false);
    CHECK_FALSE(r.status.has_value());
    CHECK(r.text() == "5.1.1 <nobody@lab.test>: Recipient address rejected");

    r = feed_lines({"250-2.0.0 first", "250 2.0.0 Ok: queued as 4XyZ"}, true);
    REQUIRE(r.status.has_value());
    CHECK(r.status->to_string() == "2.0.0");
    CHECK(r.text() == "first\nOk: queued as 4XyZ");

    r = feed_lines({"452 4.5.3 Too many recipients"}, true);
    CHECK(r.status->to_string() == "4.5.3");
    r = feed_lines({"250 2.1.0"}, true);  // the code alone
    CHECK(r.status->to_string() == "2.1.0");
    r = feed_lines({"553 5.123.456 x"}, true);
    CHECK(r.status->subject == 123);
    CHECK(r.status->detail == 456);
}

TEST_CASE("text that only looks like an enhanced status code is left alone") {
    for (const char* line : {"550 4.1.1 class differs from the reply", "250 2.0 too short", "250 2.0.0x glued",
                             "250 2.1234.0 subject too long", "250 2..0 empty", "334 2.0.0"}) {
        CAPTURE(line);
        const auto r = feed_lines({line}, true);
        CHECK_FALSE(r.status.has_value());
    }
}

TEST_CASE("malformed lines are errors / not exceptions") {
    CHECK(line_error({""}) == errc::malformed_reply);
    CHECK(line_error({"25"}) == errc::malformed_reply);
    CHECK(line_error({"2500 x"}) == errc::malformed_reply);
    CHECK(line_error({"250x"}) == errc::malformed_reply);
    CHECK(line_error({"abc def"}) == errc::malformed_reply);
    CHECK(line_error({"999 nine"}) == errc::malformed_reply);  // LOAD-09
    CHECK(line_error({"199 one"}) == errc::malformed_reply);
    CHECK(line_error({"600 six"}) == errc::malformed_reply);
    CHECK(line_error({"260 six in the middle"}) == errc::malformed_reply);
    CHECK(line_error({"-250 x"}) == errc::malformed_reply);
    CHECK(line_error({std::string("250 a\0b", 7)}) == errc::nul_in_reply);
    CHECK(line_error({"250 a\rb"}) == errc::nul_in_reply);
    CHECK(line_error({"250-a", "251 b"}) == errc::inconsistent_reply);
    CHECK(line_error({"250-a", "550 b"}) == errc::inconsistent_reply);
    CHECK(line_error({"250-a", "garbage"}) == errc::malformed_reply);
}

TEST_CASE("limits on line length and line count") {
    reply_limits lim;
    lim.max_line_length = 20;
    lim.max_lines = 3;
    CHECK(line_error({"250 " + std::string(16, 'x')}, lim) == std::error_code{});
    CHECK(line_error({"250 " + std::string(17, 'x')}, lim) == errc::line_too_long);
    CHECK(line_error({"250-a", "250-b", "250 c"}, lim) == std::error_code{});
    CHECK(line_error({"250-a", "250-b", "250-c", "250 d"}, lim) == errc::response_too_large);

    // Endless continuation lines (LOAD-05) stop at the default limit.
    reply_parser p;
    st s = st::need_more;
    std::size_t fed = 0;
    while (s == st::need_more && fed < 100000) {
        s = p.feed_line("250-AUTH PLAIN");
        ++fed;
    }
    CHECK(s == st::error);
    CHECK(p.error() == errc::response_too_large);
    CHECK(fed == reply_limits{}.max_lines + 1);
}

TEST_CASE("error state sticks until reset - ready starts the next reply") {
    reply_parser p;
    CHECK(p.feed_line("xyz") == st::error);
    CHECK(p.feed_line("250 ok") == st::error);
    p.reset();
    CHECK(p.feed_line("250 ok") == st::ready);
    CHECK(p.value().code == 250);
    CHECK(p.feed_line("354 go") == st::ready);  // without take(): the next reply
    CHECK(p.value().code == 354);
    CHECK(p.value().lines.size() == 1);
}

TEST_CASE("byte feed: every split and byte by byte give the same replies") {
    const std::string input =
        "220-fake.example ESMTP\r\n220 second line\r\n"
        "250-fake.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 ENHANCEDSTATUSCODES\r\n"
        "550 5.1.1 no such user\n"  // a bare LF from a sloppy server
        "250 2.0.0 Ok: queued as ABC\r\n";
    const auto n = pigeon::test::for_each_split(input, [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const auto res = feed_pieces(pieces, true);
        REQUIRE_FALSE(res.error);
        REQUIRE(res.replies.size() == 4);
        CHECK(res.replies[0].code == 220);
        CHECK(res.replies[0].lines == std::vector<std::string>{"fake.example ESMTP", "second line"});
        CHECK(res.replies[1].lines.size() == 4);
        CHECK(res.replies[1].lines[2] == "SIZE 10240000");
        CHECK(res.replies[2].code == 550);
        CHECK(res.replies[2].status->to_string() == "5.1.1");
        CHECK(res.replies[2].text() == "no such user");
        CHECK(res.replies[3].text() == "Ok: queued as ABC");
    });
    CHECK(n == input.size() + 1);
}

TEST_CASE("byte feed: three-way splits of a short multi-line reply") {
    const std::string input = "250-a\r\n250 b\r\n";
    pigeon::test::for_each_split3(input, [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const auto res = feed_pieces(pieces);
        REQUIRE(res.replies.size() == 1);
        CHECK(res.replies[0].lines == std::vector<std::string>{"a", "b"});
    });
}

TEST_CASE("byte feed stops after the reply and leaves the rest") {
    reply_parser p;
    const std::string data = "250 one\r\n251 two\r\n";
    std::size_t used = 0;
    CHECK(p.feed(data, used) == st::ready);
    CHECK(used == 9);
    CHECK(p.take().code == 250);
    CHECK(p.feed(std::string_view(data).substr(used), used) == st::ready);
    CHECK(p.take().code == 251);
}

TEST_CASE("byte feed: errors in every split") {
    for (const std::string& bad : {std::string("250-a\r\n251 b\r\n"), std::string("25\r\n"),
                                  std::string("250 x\0y\r\n", 9), std::string("999 z\r\n")}) {
        pigeon::test::for_each_split(bad, [&](const pigeon::test::pieces& pieces) {
            INFO("input " << bad.size() << " split " << pigeon::test::describe(pieces));
            const auto res = feed_pieces(pieces);
            CHECK(res.error);
            CHECK(res.replies.empty());
        });
    }
}

TEST_CASE("byte feed: an over-long partial line is refused without buffering it") {
    reply_limits lim;
    lim.max_line_length = 64;
    reply_parser p(lim);
    std::size_t used = 0;
    const std::string chunk(40, 'x');
    CHECK(p.feed("250 " + chunk, used) == st::need_more);
    CHECK(p.feed(chunk, used) == st::error);
    CHECK(p.error() == errc::line_too_long);
    // A line of exactly the limit followed by CRLF is fine, split anywhere.
    const std::string ok = "250 " + std::string(60, 'y') + "\r\n";
    pigeon::test::for_each_split(ok, [&](const pigeon::test::pieces& pieces) {
        const auto res = feed_pieces(pieces, false, lim);
        CHECK_FALSE(res.error);
        CHECK(res.replies.size() == 1);
    });
}
