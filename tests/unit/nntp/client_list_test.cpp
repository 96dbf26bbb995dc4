// The NNTP client's overview, header and group listings and POST over an
// in-memory stream: LIST OVERVIEW.FMT learned once, OVER / XOVER / the HDR
// fallback, HDR / XHDR, LIST variants, NEWGROUPS, NEWNEWS, DATE, POST with
// its refusals; every listing split at every point.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pigeon/nntp/client.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
using pigeon::test::code_of;

namespace {

const std::string greeting = "200 news.example ready\r\n";
const std::string caps_over = "101 list\r\nVERSION 2\r\nREADER\r\nOVER\r\nHDR\r\nPOST\r\n.\r\n";
const std::string caps_plain = "101 list\r\nVERSION 2\r\nREADER\r\n.\r\n";
const std::string inn_fmt =
    "215 Order of fields in overview database\r\nSubject:\r\nFrom:\r\nDate:\r\nMessage-ID:\r\nReferences:\r\n"
    "Bytes:\r\nLines:\r\nXref:full\r\n.\r\n";

test::duplex_fixture<client> server(const std::string& caps, const std::vector<std::string>& rest,
                                    client_options o = {}) {
    std::vector<std::string> chunks{greeting, caps};
    chunks.insert(chunks.end(), rest.begin(), rest.end());
    return test::start_on_duplex<client>(std::move(chunks), net::tls_mode::none, test::duplex_options{}, o);
}

std::string after_connect(const test::duplex_peer& p) { return p.written().substr(std::string("CAPABILITIES\r\n").size()); }

std::vector<overview_entry> collect_over(client& c, const range& r) {
    std::vector<overview_entry> out;
    c.over(r, [&](const overview_entry& e) { out.push_back(e); });
    return out;
}

} // namespace

// ---- OVER ----------------------------------------------------------------------------

TEST_CASE("OVER with INN's format at every split, the format is asked for once") {
    const std::string response =
        "224 Overview information follows\r\n"
        "2\tRe: build\tIvan <i@x>\tTue, 31 Dec 2019 16:12:17 -0800\t<2@x>\t<1@x>\t2608\t42\tXref: news lab.bench:2\r\n"
        "3\t..dotted\tR <r@x>\tWed, 01 Jan 2020 02:22:41 +0200\t<3@x>\t<1@x> <2@x>\t3347\t54\tXref: news lab.bench:3\r\n"
        ".\r\n";
    test::for_each_split(response, [&](const test::pieces& p) {
        INFO(test::describe(p));
        std::vector<std::string> chunks{inn_fmt};
        for (auto& c : test::to_chunks(p)) chunks.push_back(c);
        chunks.push_back("224 none\r\n.\r\n");
        auto f = server(caps_over, chunks);
        auto e = collect_over(*f.c, range::between(2, 3));
        REQUIRE(e.size() == 2);
        CHECK(e[0].number == 2);
        CHECK(e[0].subject == "Re: build");
        CHECK(e[0].from == "Ivan <i@x>");
        CHECK(e[0].message_id == "<2@x>");
        CHECK(e[0].references == "<1@x>");
        CHECK(e[0].bytes == 2608u);
        CHECK(e[0].lines == 42u);
        CHECK(e[0].extra_value("Xref") == "news lab.bench:2");
        CHECK(e[1].subject == "..dotted");  // not at the start of a line: no stuffing
        CHECK(e[1].references == "<1@x> <2@x>");
        CHECK(collect_over(*f.c, range::from(4)).empty());
        CHECK(after_connect(f.peer) == "LIST OVERVIEW.FMT\r\nOVER 2-3\r\nOVER 4-\r\n");
        REQUIRE(f.peer.writes().size() == 3);
        CHECK(f.peer.writes()[1] == "LIST OVERVIEW.FMT\r\nOVER 2-3\r\n");  // one write
    });
}

TEST_CASE("OVER: reordered and missing fields follow the server's format") {
    auto f = server(caps_over,
                    {"215 fmt\r\nMessage-ID:\r\n:lines\r\nSubject:\r\nX-Extra:full\r\n:bytes\r\n.\r\n",
                     "224 ok\r\n7\t<7@x>\t12\tswapped\tX-Extra: e\t999\r\n8\t<8@x>\t3\r\n9\r\n.\r\n"});
    auto e = collect_over(*f.c, range::between(7, 9));
    REQUIRE(e.size() == 3);
    CHECK(e[0].message_id == "<7@x>");
    CHECK(e[0].lines == 12u);
    CHECK(e[0].subject == "swapped");
    CHECK(e[0].extra_value("X-Extra") == "e");
    CHECK(e[0].bytes == 999u);
    CHECK(e[1].subject.empty());
    CHECK_FALSE(e[1].bytes);
    CHECK(e[2].number == 9);
    CHECK(e[2].message_id.empty());
}

TEST_CASE("OVER: LIST OVERVIEW.FMT refused means the standard format, message-id and current forms") {
    auto f = server(caps_over, {"503 no such list\r\n", "224 ok\r\n0\ts\tf\td\t<m@x>\t\t10\t1\r\n.\r\n",
                                "224 ok\r\n5\ts5\tf\td\t<5@x>\t\t10\t1\r\n.\r\n"});
    std::vector<overview_entry> got;
    f.c->over("<m@x>", [&](const overview_entry& e) { got.push_back(e); });
    f.c->over([&](const overview_entry& e) { got.push_back(e); });
    REQUIRE(got.size() == 2);
    CHECK(got[0].number == 0);
    CHECK(got[0].bytes == 10u);
    CHECK(got[1].subject == "s5");
    CHECK(after_connect(f.peer) == "LIST OVERVIEW.FMT\r\nOVER <m@x>\r\nOVER\r\n");
    CHECK(code_of([&] { f.c->over("m@x", [](const overview_entry&) {}); }) == make_error_code(errc::invalid_argument));
}

TEST_CASE("OVER refusals, a bad line, a line too long, the vector limit") {
    auto f = server(caps_over, {inn_fmt, "423 no articles in that range\r\n", "412 no group\r\n"});
    try {
        f.c->over(range::between(1, 5));
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 423);
    }
    CHECK(code_of([&] { f.c->over(range::from(1)); }) == make_error_code(errc::command_failed));
    CHECK(f.c->is_connected());

    auto g = server(caps_over, {inn_fmt, "224 ok\r\n1\ta\r\nnot-a-number\tb\r\n2\tc\r\n.\r\n"});
    std::vector<article_number> seen;
    CHECK(code_of([&] { g.c->over(range::from(1), [&](const overview_entry& e) { seen.push_back(e.number); }); }) ==
          make_error_code(errc::malformed_reply));
    CHECK(seen == std::vector<article_number>{1});
    CHECK_FALSE(g.c->is_connected());

    client_options o;
    o.limits.max_listing_line = 100;
    auto h = server(caps_over, {inn_fmt, "224 ok\r\n1\t" + std::string(200, 's') + "\r\n.\r\n"}, o);
    CHECK(code_of([&] { h.c->over(range::from(1)); }) == make_error_code(errc::line_too_long));
    CHECK_FALSE(h.c->is_connected());

    client_options v;
    v.limits.max_listing_entries = 1;
    auto k = server(caps_over, {inn_fmt, "224 ok\r\n1\ta\r\n2\tb\r\n.\r\n"}, v);
    CHECK(code_of([&] { k.c->over(range::from(1)); }) == make_error_code(errc::response_too_large));
}

TEST_CASE("an OVER response that never ends stops at the deadline, holding nothing") {
    std::vector<std::string> chunks{inn_fmt, "224 ok\r\n"};
    for (int i = 1; i <= 5000; ++i) chunks.push_back(std::to_string(i) + "\ts\tf\td\t<" + std::to_string(i) + "@x>\r\n");
    test::duplex_options d;
    d.at_end = test::end_of_input::timeout;
    std::vector<std::string> all{greeting, caps_over};
    all.insert(all.end(), chunks.begin(), chunks.end());
    auto f = test::start_on_duplex<client>(std::move(all), net::tls_mode::none, d);
    std::size_t n = 0;
    CHECK(code_of([&] { f.c->over(range::from(1), [&](const overview_entry&) { ++n; }); }) ==
          make_error_code(net::errc::timeout));
    // Delivered as they came, but for the last buffer's worth still being
    // un-stuffed when the deadline struck.
    CHECK(n > 2000);
    CHECK(n < 5000);
    CHECK_FALSE(f.c->is_connected());
}

TEST_CASE("XOVER when the server does not list OVER") {
    auto f = server(caps_plain, {inn_fmt, "224 ok\r\n3\ts\tf\td\t<3@x>\t\t1\t1\r\n.\r\n"});
    auto e = collect_over(*f.c, range::single(3));
    REQUIRE(e.size() == 1);
    CHECK(e[0].message_id == "<3@x>");
    CHECK(after_connect(f.peer) == "LIST OVERVIEW.FMT\r\nXOVER 3\r\n");
}

TEST_CASE("neither OVER nor XOVER: the standard fields from HDR, pipelined, joined by number") {
    const std::string caps_hdr = "101 list\r\nVERSION 2\r\nREADER\r\nHDR\r\n.\r\n";
    auto f = server(caps_hdr, {inn_fmt, "500 what?\r\n",
                               "225 Subject\r\n1 one\r\n2 two\r\n.\r\n"
                               "225 From\r\n2 b@x\r\n1 a@x\r\n.\r\n"
                               "225 Date\r\n1 d1\r\n.\r\n"
                               "225 Message-ID\r\n1 <1@x>\r\n2 <2@x>\r\n.\r\n"
                               "225 References\r\n1 \r\n2 <1@x>\r\n.\r\n"
                               "503 no metadata\r\n"
                               "225 :lines\r\n1 3\r\n2 x\r\n.\r\n",
                               // The second call goes straight to HDR.
                               "423 none\r\n423 none\r\n423 none\r\n423 none\r\n423 none\r\n423 none\r\n423 none\r\n"});
    auto e = collect_over(*f.c, range::between(1, 2));
    REQUIRE(e.size() == 2);
    CHECK(e[0].number == 1);
    CHECK(e[0].subject == "one");
    CHECK(e[0].from == "a@x");
    CHECK(e[0].date == "d1");
    CHECK(e[0].message_id == "<1@x>");
    CHECK(e[0].references.empty());
    CHECK_FALSE(e[0].bytes);
    CHECK(e[0].lines == 3u);
    CHECK(e[1].from == "b@x");
    CHECK(e[1].references == "<1@x>");
    CHECK_FALSE(e[1].lines);
    const std::string hdrs = "HDR Subject 1-2\r\nHDR From 1-2\r\nHDR Date 1-2\r\nHDR Message-ID 1-2\r\n"
                             "HDR References 1-2\r\nHDR :bytes 1-2\r\nHDR :lines 1-2\r\n";
    CHECK(after_connect(f.peer) == "LIST OVERVIEW.FMT\r\nXOVER 1-2\r\n" + hdrs);
    CHECK(f.peer.writes().back() == hdrs);  // one write
    try {
        collect_over(*f.c, range::between(1, 2));
        FAIL("no exception");
    } catch (const command_error& ex) {
        CHECK(ex.server_reply().code == 423);
    }
    CHECK(f.c->is_connected());
}

TEST_CASE("no OVER, no HDR: XOVER, then XHDR with the RFC 2980 names, message-id goes to XHDR at once") {
    auto g = server(caps_plain, {"221 x\r\n<m@x> subj\r\n.\r\n", "221 x\r\n.\r\n", "221 x\r\n.\r\n",
                                 "221 x\r\n<m@x> <m@x>\r\n.\r\n", "221 x\r\n.\r\n", "221 x\r\n<m@x> 77\r\n.\r\n",
                                 "221 x\r\n.\r\n"});
    std::vector<overview_entry> got;
    g.c->over("<m@x>", [&](const overview_entry& e) { got.push_back(e); });
    REQUIRE(got.size() == 1);
    CHECK(got[0].number == 0);
    CHECK(got[0].subject == "subj");
    CHECK(got[0].bytes == 77u);
    CHECK(after_connect(g.peer) ==
          "XHDR Subject <m@x>\r\nXHDR From <m@x>\r\nXHDR Date <m@x>\r\nXHDR Message-ID <m@x>\r\n"
          "XHDR References <m@x>\r\nXHDR Bytes <m@x>\r\nXHDR Lines <m@x>\r\n");
}

// ---- HDR / XHDR ---------------------------------------------------------------------

TEST_CASE("HDR at every split, XHDR without HDR") {
    const std::string response = "225 Headers follow\r\n1 first\r\n2 \r\n3  two  blanks\r\n.\r\n";
    test::for_each_split(response, [&](const test::pieces& p) {
        INFO(test::describe(p));
        auto f = server(caps_over, test::to_chunks(p));
        auto h = f.c->hdr("Subject", range::between(1, 3));
        REQUIRE(h.size() == 3);
        CHECK(h[0].value == "first");
        CHECK(h[1].value.empty());
        CHECK(h[2].value == "two  blanks");
        CHECK(after_connect(f.peer) == "HDR Subject 1-3\r\n");
    });
    auto g = server(caps_plain, {"221 x\r\n<a@b> v\r\n.\r\n", "221 x\r\n4 w\r\n.\r\n"});
    std::vector<hdr_entry> got;
    g.c->hdr("From", "<a@b>", [&](const hdr_entry& e) { got.push_back(e); });
    g.c->hdr("From", [&](const hdr_entry& e) { got.push_back(e); });
    REQUIRE(got.size() == 2);
    CHECK(got[0].message_id == "<a@b>");
    CHECK(got[1].number == 4);
    CHECK(after_connect(g.peer) == "XHDR From <a@b>\r\nXHDR From\r\n");
    CHECK(code_of([&] { g.c->hdr("Sub ject", range::from(1)); }) == make_error_code(errc::invalid_argument));
}

// ---- LIST, NEWGROUPS, NEWNEWS, DATE ---------------------------------------------------

TEST_CASE("LIST ACTIVE at every split, and the other LIST variants") {
    const std::string response =
        "215 list\r\nlab.test 0000000002 0000000001 y\r\nlab.mod 5 1 m\r\nalias 0 1 =lab.test\r\n.\r\n";
    test::for_each_split(response, [&](const test::pieces& p) {
        INFO(test::describe(p));
        auto f = server(caps_over, test::to_chunks(p));
        auto a = f.c->list_active("lab.*");
        REQUIRE(a.size() == 3);
        CHECK(a[0].name == "lab.test");
        CHECK(a[0].high == 2);
        CHECK(a[0].posting == group_posting::allowed);
        CHECK(a[1].posting == group_posting::moderated);
        CHECK(a[2].alias_of == "lab.test");
        CHECK(after_connect(f.peer) == "LIST ACTIVE lab.*\r\n");
    });
    auto f = server(caps_over, {"215 d\r\nlab.test\tpigeon lab: tests.\r\nlab.misc\r\n.\r\n",
                                "215 t\r\nlab.test 1796529410 lab@lab.test\r\n.\r\n",
                                "215 c\r\nlab.test 2 1 2 y\r\n.\r\n", "215 h\r\n:\r\n:bytes\r\nSubject\r\n.\r\n"});
    auto d = f.c->list_newsgroups();
    REQUIRE(d.size() == 2);
    CHECK(d[0].description == "pigeon lab: tests.");
    CHECK(d[1].description.empty());
    auto t = f.c->list_active_times("lab.test");
    REQUIRE(t.size() == 1);
    CHECK(t[0].created.time_since_epoch().count() == 1796529410);
    CHECK(t[0].creator == "lab@lab.test");
    auto c = f.c->list_counts();
    REQUIRE(c.size() == 1);
    CHECK(c[0].count == 2);
    auto h = f.c->list_headers(list_headers_form::range);
    REQUIRE(h.size() == 3);
    CHECK(h[0].any());
    CHECK(h[1].metadata());
    CHECK(after_connect(f.peer) ==
          "LIST NEWSGROUPS\r\nLIST ACTIVE.TIMES lab.test\r\nLIST COUNTS\r\nLIST HEADERS RANGE\r\n");
    CHECK(code_of([&] { f.c->list_active("a b"); }) == make_error_code(errc::invalid_argument));
}

TEST_CASE("LIST: a bad line is malformed, refusals keep the connection, the vector is bounded") {
    auto f = server(caps_over, {"215 list\r\nlab.test 2\r\n.\r\n"});
    CHECK(code_of([&] { f.c->list_active(); }) == make_error_code(errc::malformed_reply));
    CHECK_FALSE(f.c->is_connected());
    auto g = server(caps_over, {"503 not here\r\n", "111 20260101000000\r\n"});
    CHECK(code_of([&] { g.c->list_active_times(); }) == make_error_code(errc::command_failed));
    g.c->noop();
    client_options o;
    o.limits.max_listing_entries = 2;
    auto h = server(caps_over, {"215 list\r\na 1 1 y\r\nb 1 1 y\r\nc 1 1 y\r\n.\r\n"}, o);
    CHECK(code_of([&] { h.c->list_active(); }) == make_error_code(errc::response_too_large));
    // The callback form holds nothing: no limit.
    auto k = server(caps_over, {"215 list\r\na 1 1 y\r\nb 1 1 y\r\nc 1 1 y\r\n.\r\n"}, o);
    int n = 0;
    k.c->list_active("", [&](const active_entry&) { ++n; });
    CHECK(n == 3);
}

TEST_CASE("NEWGROUPS, NEWNEWS (and its refusal), DATE") {
    using namespace std::chrono;
    const sys_seconds since = sys_days{year{2026} / 1 / 2} + hours{3} + minutes{4} + seconds{5};
    auto f = server(caps_over, {"231 new\r\nlab.new 1 1 y\r\n.\r\n", "230 ids\r\n<a@x>\r\n <b@x> \r\n.\r\n",
                                "502 NEWNEWS command disabled by administrator\r\n", "111 20261206035652\r\n",
                                "230 ids\r\nnot-an-id\r\n.\r\n"});
    auto g = f.c->newgroups(since);
    REQUIRE(g.size() == 1);
    CHECK(g[0].name == "lab.new");
    CHECK(f.c->newnews("lab.*", since) == std::vector<std::string>{"<a@x>", "<b@x>"});
    try {
        f.c->newnews("lab.*", since, [](std::string_view) {});
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 502);
    }
    CHECK(f.c->date() == sys_days{year{2026} / 12 / 6} + hours{3} + minutes{56} + seconds{52});
    CHECK(code_of([&] { f.c->newnews("lab.*", since); }) == make_error_code(errc::malformed_reply));
    CHECK(after_connect(f.peer) ==
          "NEWGROUPS 20260102 030405 GMT\r\nNEWNEWS lab.* 20260102 030405 GMT\r\nNEWNEWS lab.* 20260102 030405 GMT\r\n"
          "DATE\r\nNEWNEWS lab.* 20260102 030405 GMT\r\n");
    auto h = server(caps_over, {"111 2026\r\n"});
    CHECK(code_of([&] { h.c->date(); }) == make_error_code(errc::malformed_reply));
}

// ---- POST ---------------------------------------------------------------------------

TEST_CASE("POST: 340, the article dot-stuffed with CRLF line ends, 240") {
    auto f = server(caps_over, {"340 send it\r\n", "240 article received <p@x>\r\n"});
    auto r = f.c->post("From: a@x\nNewsgroups: lab.test\nSubject: s\n\n.dot\nlast");
    CHECK(r.code == 240);
    CHECK(after_connect(f.peer) ==
          "POST\r\nFrom: a@x\r\nNewsgroups: lab.test\r\nSubject: s\r\n\r\n..dot\r\nlast\r\n.\r\n");
}

TEST_CASE("POST refused: 440 / 480 before anything is read from the source, 441 after") {
    for (const char* refusal : {"440 posting not permitted\r\n", "480 authenticate first\r\n"}) {
        INFO(refusal);
        auto f = server(caps_over, {refusal, "111 20260101000000\r\n"});
        bool read = false;
        try {
            f.c->post([&](char*, std::size_t) -> std::size_t {
                read = true;
                return 0;
            });
            FAIL("no exception");
        } catch (const command_error& e) {
            CHECK((e.server_reply().code == 440 || e.server_reply().code == 480));
        }
        CHECK_FALSE(read);
        CHECK(after_connect(f.peer) == "POST\r\n");
        f.c->noop();
    }
    auto g = server(caps_over, {"340 go\r\n", "441 posting failed: no Newsgroups\r\n", "111 20260101000000\r\n"});
    try {
        g.c->post("Subject: x\r\n\r\nbody\r\n");
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 441);
    }
    CHECK(after_connect(g.peer) == "POST\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    g.c->noop();
}

TEST_CASE("POST: a source that fails half way closes the connection") {
    auto f = server(caps_over, {"340 go\r\n"});
    int calls = 0;
    CHECK_THROWS_AS(f.c->post([&](char* buf, std::size_t) -> std::size_t {
        if (calls++) throw std::runtime_error("read error");
        buf[0] = 'x';
        return 1;
    }),
                    std::runtime_error);
    CHECK_FALSE(f.c->is_connected());
}

TEST_CASE("POST: a NUL in the article is refused by the channel, no end-of-data reaches the server") {
    auto f = server(caps_over, {"340 go\r\n"});
    CHECK(code_of([&] { f.c->post(std::string_view("Subject: x\r\n\r\nbad\0byte\r\n", 24)); }) ==
          make_error_code(net::errc::nul_in_data));
    CHECK_FALSE(f.c->is_connected());
    CHECK(f.peer.written().find("\r\n.\r\n") == std::string::npos);
}
