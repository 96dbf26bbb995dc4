// The NNTP client's reading commands over an in-memory stream: MODE READER
// when the server needs it, GROUP / LISTGROUP and the selection the session
// tracks, ARTICLE / HEAD / BODY / STAT / NEXT / LAST streamed and split at
// every point, limits, refusals, and pipelined retrieval with a window.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
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
const std::string caps_reader = "101 list\r\nVERSION 2\r\nREADER\r\nOVER\r\nHDR\r\n.\r\n";
// The written bytes of a connect() to a READER server.
const std::string connect_bytes = "CAPABILITIES\r\n";

test::duplex_fixture<client> start(std::vector<std::string> chunks, client_options o = {},
                                   test::duplex_options d = {}) {
    return test::start_on_duplex<client>(std::move(chunks), net::tls_mode::none, d, o);
}

/// A READER server that then sends `rest`, chunk by chunk.
test::duplex_fixture<client> reader(const std::vector<std::string>& rest, client_options o = {},
                                    test::duplex_options d = {}) {
    std::vector<std::string> chunks{greeting, caps_reader};
    chunks.insert(chunks.end(), rest.begin(), rest.end());
    return start(std::move(chunks), o, d);
}

/// What the client wrote after connecting.
std::string after_connect(const test::duplex_peer& p) { return p.written().substr(connect_bytes.size()); }

const net::sink_fn discard{};

} // namespace

// ---- MODE READER ------------------------------------------------------------------

TEST_CASE("MODE READER before the first reading command on a mode-switching server") {
    auto f = start({"200 transit\r\n", "101 list\r\nVERSION 2\r\nMODE-READER\r\nIHAVE\r\n.\r\n",
                    "201 reader, no posting\r\n", "101 list\r\nVERSION 2\r\nREADER\r\nOVER\r\n.\r\n",
                    "211 3 1 3 g\r\n", "211 3 1 3 g\r\n"});
    CHECK(f.peer.written() == "CAPABILITIES\r\n");  // nothing at connect
    f.c->group("g");
    CHECK(f.peer.written() == "CAPABILITIES\r\nMODE READER\r\nCAPABILITIES\r\nGROUP g\r\n");
    CHECK(f.c->capabilities().reader());
    f.c->group("g");  // once per connection
    CHECK(f.peer.written() == "CAPABILITIES\r\nMODE READER\r\nCAPABILITIES\r\nGROUP g\r\nGROUP g\r\n");
}

TEST_CASE("MODE READER before AUTHINFO on a mode-switching server") {
    auto f = start({"200 transit\r\n", "101 list\r\nMODE-READER\r\nAUTHINFO USER\r\n.\r\n", "200 reader\r\n",
                    "101 list\r\nREADER\r\nAUTHINFO USER\r\n.\r\n", "381 more\r\n", "281 ok\r\n",
                    "101 list\r\nREADER\r\nPOST\r\n.\r\n"});
    f.c->login("u", "p", true);
    CHECK(f.peer.written() ==
          "CAPABILITIES\r\nMODE READER\r\nCAPABILITIES\r\nAUTHINFO USER u\r\nAUTHINFO PASS p\r\nCAPABILITIES\r\n");
}

TEST_CASE("no MODE READER for a READER server, or when switched off") {
    auto f = reader({"211 0 1 0 g\r\n"});
    f.c->group("g");
    CHECK(after_connect(f.peer) == "GROUP g\r\n");
    client_options o;
    o.mode_reader = false;
    auto g = start({greeting, "101 list\r\nMODE-READER\r\n.\r\n", "211 0 1 0 g\r\n"}, o);
    g.c->group("g");
    CHECK(after_connect(g.peer) == "GROUP g\r\n");
}

TEST_CASE("without a capability list MODE READER is tried once, a refusal is ignored") {
    auto f = start({"201 old server\r\n", "500 what?\r\n", "500 what?\r\n", "211 1 5 5 g\r\n", "211 1 5 5 g\r\n"});
    f.c->group("g");
    f.c->group("g");
    CHECK(f.peer.written() == "CAPABILITIES\r\nMODE READER\r\nGROUP g\r\nGROUP g\r\n");
}

TEST_CASE("MODE READER answered 502: the server closes, so does the client") {
    auto f = start({greeting, "101 list\r\nMODE-READER\r\n.\r\n", "502 no reading here\r\n"});
    try {
        f.c->group("g");
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::service_unavailable));
        CHECK(e.server_reply().code == 502);
    }
    CHECK_FALSE(f.c->is_connected());
    CHECK(f.peer.closed());
}

// ---- GROUP, LISTGROUP, the selection -------------------------------------------------

TEST_CASE("GROUP selects, its first article is the current one, 411 leaves the selection") {
    auto f = reader({"211 5024 1 5024 lab.bench\r\n", "411 no such group\r\n", "211 0 7 6 empty\r\n"});
    CHECK_FALSE(f.c->selected_group());
    auto g = f.c->group("lab.bench");
    CHECK(g.count == 5024);
    CHECK(g.low == 1);
    CHECK(g.high == 5024);
    CHECK(g.name == "lab.bench");
    REQUIRE(f.c->selected_group());
    CHECK(f.c->selected_group()->name == "lab.bench");
    CHECK(f.c->current_article() == 1);
    try {
        f.c->group("nope");
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 411);
        CHECK(e.is_permanent());
    }
    CHECK(f.c->is_connected());
    CHECK(f.c->selected_group()->name == "lab.bench");
    CHECK(f.c->group("empty").empty());
    CHECK(f.c->current_article() == 0);
    CHECK(after_connect(f.peer) == "GROUP lab.bench\r\nGROUP nope\r\nGROUP empty\r\n");
}

TEST_CASE("a group whose high-water mark went down is reported as it is") {
    auto f = reader({"211 10 1 10 g\r\n", "211 3 1 4 g\r\n"});
    auto before = f.c->group("g");
    auto now = f.c->group("g");
    CHECK(before.high == 10);
    CHECK(now.high == 4);
    CHECK(f.c->selected_group()->high == 4);
    // What a caller asks for "since last time" is an empty range: nothing sent.
    int calls = 0;
    f.c->over(range::between(before.high + 1, now.high), [&](const overview_entry&) { ++calls; });
    CHECK(calls == 0);
    CHECK(after_connect(f.peer) == "GROUP g\r\nGROUP g\r\n");
}

TEST_CASE("huge announced numbers: 64 bits pass, more is a malformed reply") {
    auto f = reader({"211 18446744073709551615 1 18446744073709551615 g\r\n"});
    auto g = f.c->group("g");
    CHECK(g.count == 18446744073709551615ull);
    CHECK(g.high == 18446744073709551615ull);
    auto h = reader({"211 18446744073709551616 1 2 g\r\n"});
    CHECK(code_of([&] { h.c->group("g"); }) == make_error_code(errc::malformed_reply));
    CHECK_FALSE(h.c->is_connected());
}

TEST_CASE("LISTGROUP: numbers to a callback at every split, the group selected") {
    const std::string response = "211 4 3 9 g list follows\r\n3\r\n5\r\n8\r\n9\r\n.\r\n";
    auto calls = test::for_each_split(response, [&](const test::pieces& p) {
        INFO(test::describe(p));
        auto f = reader(test::to_chunks(p));
        std::vector<article_number> got;
        auto g = f.c->listgroup("g", [&](article_number n) { got.push_back(n); });
        CHECK(got == std::vector<article_number>{3, 5, 8, 9});
        CHECK(g.high == 9);
        CHECK(f.c->current_article() == 3);
        CHECK(after_connect(f.peer) == "LISTGROUP g\r\n");
    });
    CHECK(calls > response.size());
}

TEST_CASE("LISTGROUP forms: current group, range, bounded vector") {
    auto f = reader({"211 2 1 2 g\r\n1\r\n2\r\n.\r\n", "211 2 1 2 g\r\n2\r\n.\r\n", "211 2 1 2 g\r\n1\r\n2\r\n.\r\n"});
    std::vector<article_number> got;
    f.c->listgroup([&](article_number n) { got.push_back(n); });
    CHECK(f.c->listgroup("g", range::from(2)) == std::vector<article_number>{2});
    CHECK(f.c->listgroup("g") == std::vector<article_number>{1, 2});
    CHECK(after_connect(f.peer) == "LISTGROUP\r\nLISTGROUP g 2-\r\nLISTGROUP g\r\n");

    client_options o;
    o.limits.max_listing_entries = 2;
    auto h = reader({"211 3 1 3 g\r\n1\r\n2\r\n3\r\n.\r\n"}, o);
    CHECK(code_of([&] { h.c->listgroup("g"); }) == make_error_code(errc::response_too_large));
    CHECK_FALSE(h.c->is_connected());
    // A line that is no number.
    auto k = reader({"211 3 1 3 g\r\n1\r\nx2\r\n.\r\n"});
    CHECK(code_of([&] { k.c->listgroup("g", [](article_number) {}); }) == make_error_code(errc::malformed_reply));
    CHECK_FALSE(k.c->is_connected());
}

TEST_CASE("bad arguments are refused before anything is sent") {
    auto f = reader({});
    CHECK(code_of([&] { f.c->group("a b"); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { f.c->article("no-brackets", discard); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { f.c->listgroup("g\r\nQUIT"); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { f.c->retrieve_each({1, "<bad id>"}, nullptr, nullptr); }) ==
          make_error_code(errc::invalid_argument));
    CHECK(after_connect(f.peer).empty());
    CHECK(f.c->is_connected());
}

// ---- ARTICLE, HEAD, BODY, STAT ---------------------------------------------------------

TEST_CASE("ARTICLE streams the article un-stuffed at every split") {
    const std::string response =
        "220 3 <a.3@example> article\r\nSubject: dots\r\nFrom: a@example\r\n\r\n..leading dot\r\n...\r\n"
        ". not the end\r\nlast\r\n.\r\n";
    const std::string expected =
        "Subject: dots\r\nFrom: a@example\r\n\r\n.leading dot\r\n..\r\n not the end\r\nlast\r\n";
    test::for_each_split(response, [&](const test::pieces& p) {
        INFO(test::describe(p));
        auto f = reader(test::to_chunks(p));
        std::string got;
        auto st = f.c->article(3, net::string_sink(got));
        CHECK(got == expected);
        CHECK(st.code == 220);
        CHECK(st.number == 3);
        CHECK(st.message_id == "<a.3@example>");
        CHECK(st.bytes == expected.size());
        CHECK(f.c->current_article() == 3);
        CHECK(after_connect(f.peer) == "ARTICLE 3\r\n");
    });
}

TEST_CASE("HEAD, BODY by message-id and of the current article, STAT, NEXT, LAST move the selection") {
    auto f = reader({"211 3 1 3 g\r\n", "221 0 <x@y> head\r\nSubject: s\r\n.\r\n", "222 1 <x@y> body\r\nhi\r\n.\r\n",
                     "223 2 <z@y> next\r\n", "220 2 <z@y>\r\nA: b\r\n\r\nc\r\n.\r\n", "223 1 <x@y> last\r\n",
                     "223 3 <w@y>\r\n", "223 3 <w@y>\r\n", "223 0 <x@y>\r\n"});
    f.c->group("g");
    CHECK(f.c->head("<x@y>") == "Subject: s\r\n");
    CHECK(f.c->current_article() == 1);  // by message-id: unchanged
    std::string b;
    CHECK(f.c->body(net::string_sink(b)).number == 1);
    CHECK(b == "hi\r\n");
    CHECK(f.c->next().number == 2);
    CHECK(f.c->current_article() == 2);
    std::string a;
    CHECK(f.c->article(net::string_sink(a)).bytes == 11);
    CHECK(f.c->last().message_id == "<x@y>");
    CHECK(f.c->current_article() == 1);
    CHECK(f.c->stat(3).number == 3);
    CHECK(f.c->current_article() == 3);
    CHECK(f.c->stat().number == 3);
    CHECK(f.c->stat("<x@y>").number == 0);
    CHECK(f.c->current_article() == 3);
    CHECK(after_connect(f.peer) ==
          "GROUP g\r\nHEAD <x@y>\r\nBODY\r\nNEXT\r\nARTICLE\r\nLAST\r\nSTAT 3\r\nSTAT\r\nSTAT <x@y>\r\n");
}

TEST_CASE("refusals keep the connection: 423, 430, 412, 420, 421") {
    auto f = reader({"423 no such article number\r\n", "430 no such article\r\n", "412 no group\r\n",
                     "420 no current article\r\n", "421 no next\r\n", "111 20260101000000\r\n"});
    for (int i = 0; i < 5; ++i) {
        INFO(i);
        try {
            switch (i) {
            case 0: f.c->article(7, discard); break;
            case 1: f.c->head("<gone@x>", discard); break;
            case 2: f.c->stat(1); break;
            case 3: f.c->body(discard); break;
            default: f.c->next(); break;
            }
            FAIL("no exception");
        } catch (const command_error& e) {
            CHECK(e.server_reply().code == (i == 0 ? 423 : i == 1 ? 430 : i == 2 ? 412 : i == 3 ? 420 : 421));
        }
    }
    CHECK(f.c->is_connected());
    f.c->noop();
}

TEST_CASE("a reply for another article, an unknown positive code, 400: the connection goes") {
    auto f = reader({"220 4 <a@b>\r\nx\r\n.\r\n"});
    CHECK(code_of([&] { f.c->article(3, discard); }) == make_error_code(errc::unexpected_reply));
    CHECK_FALSE(f.c->is_connected());
    auto g = reader({"211 1 1 1 g\r\n"});
    CHECK(code_of([&] { g.c->article(3, discard); }) == make_error_code(errc::unexpected_reply));
    auto h = reader({"400 shutting down\r\n"});
    try {
        h.c->article(3, discard);
        FAIL("no exception");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::service_unavailable));
        CHECK(e.is_transient());
    }
    CHECK_FALSE(h.c->is_connected());
    auto k = reader({"hello there\r\n"});
    CHECK(code_of([&] { k.c->stat(1); }) == make_error_code(errc::malformed_reply));
    auto m = reader({"220 3 no-id\r\nx\r\n.\r\n"});
    CHECK(code_of([&] { m.c->article(3, discard); }) == make_error_code(errc::malformed_reply));
}

TEST_CASE("an article that never ends: the size limit, or the idle deadline") {
    std::vector<std::string> endless{"220 3 <a@b>\r\n"};
    for (int i = 0; i < 2000; ++i) endless.push_back(std::string(1000, 'x') + "\r\n");
    client_options o;
    o.limits.max_article_bytes = 100 * 1024;
    auto f = reader(endless, o);
    std::uint64_t seen = 0;
    CHECK(code_of([&] { f.c->article(3, [&](std::string_view c) { seen += c.size(); }); }) ==
          make_error_code(errc::response_too_large));
    CHECK(seen <= o.limits.max_article_bytes);
    CHECK_FALSE(f.c->is_connected());
    CHECK(f.peer.unread_chunks() > 0);  // it stopped reading

    // Without a size limit a server that stops sending runs into the deadline
    // (here: the stream reports a timeout when its chunks are used up).
    test::duplex_options d;
    d.at_end = test::end_of_input::timeout;
    auto g = reader({"220 3 <a@b>\r\n", "some\r\n", "lines\r\n"}, {}, d);
    CHECK(code_of([&] { g.c->article(3, discard); }) == make_error_code(net::errc::timeout));
    CHECK_FALSE(g.c->is_connected());

    // The in-memory form has its own bound.
    client_options m;
    m.limits.max_article_in_memory = 50 * 1024;
    auto h = reader(endless, m);
    CHECK(code_of([&] { h.c->article(3); }) == make_error_code(errc::response_too_large));
    CHECK_FALSE(h.c->is_connected());
}

TEST_CASE("an exception from the caller's sink closes the connection") {
    auto f = reader({"211 5 1 5 g\r\n", "223 3 <a@b>\r\n", "220 3 <a@b>\r\nx\r\n.\r\n"});
    f.c->group("g");
    f.c->stat(3);
    CHECK(f.c->current_article() == 3);
    REQUIRE(f.c->selected_group());
    CHECK_THROWS_AS(f.c->article(3, [](std::string_view) { throw std::runtime_error("disk full"); }),
                    std::runtime_error);
    CHECK_FALSE(f.c->is_connected());
    CHECK_FALSE(f.c->selected_group());  // nothing is selected on a closed connection
    CHECK(f.c->current_article() == 0);
    CHECK(code_of([&] { f.c->stat(1); }) == make_error_code(errc::invalid_state));
}

// ---- pipelined retrieval ------------------------------------------------------------

namespace {

std::string article_reply(int code, article_number n, const std::string& text) {
    return std::to_string(code) + " " + std::to_string(n) + " <" + std::to_string(n) + "@x>\r\n" + text + ".\r\n";
}

struct batch_result {
    std::vector<std::string> bodies;        // per ref, "" when refused
    std::vector<retrieve_status> statuses;  // in done() order
};

batch_result run_batch(client& c, const std::vector<article_ref>& refs, article_part part = article_part::article) {
    batch_result out;
    out.bodies.resize(refs.size());
    std::size_t opened = 0;
    c.retrieve_each(
        refs,
        [&](const article_ref& ref) {
            std::size_t i = 0;
            while (!(refs[i] == ref)) ++i;
            ++opened;
            return net::string_sink(out.bodies[i]);
        },
        [&](const retrieve_status& s) { out.statuses.push_back(s); }, part);
    CHECK(opened <= refs.size());
    return out;
}

} // namespace

TEST_CASE("retrieve_each: one write per refill, replies in order, a 423 in the middle of a window") {
    std::string replies;
    for (article_number n = 1; n <= 7; ++n)
        replies += n == 4 ? std::string("423 no such article number\r\n")
                          : article_reply(220, n, "Body: " + std::to_string(n) + "\r\n\r\n..x\r\n");
    client_options o;
    o.pipeline_window = 4;
    auto f = reader({replies}, o);
    std::vector<article_ref> refs{1, 2, 3, 4, 5, 6, 7};
    auto r = run_batch(*f.c, refs);
    REQUIRE(r.statuses.size() == 7);
    for (std::size_t i = 0; i < 7; ++i) {
        INFO(i);
        CHECK(r.statuses[i].ref == refs[i]);
        if (i == 3) {
            CHECK_FALSE(r.statuses[i].ok);
            CHECK(r.statuses[i].refusal.code == 423);
            CHECK(r.bodies[i].empty());
        } else {
            CHECK(r.statuses[i].ok);
            CHECK(r.statuses[i].status.number == i + 1);
            CHECK(r.bodies[i] == "Body: " + std::to_string(i + 1) + "\r\n\r\n.x\r\n");
            CHECK(r.statuses[i].status.bytes == r.bodies[i].size());
        }
    }
    // connect, then 4 in one write; after 2 answers 2 more; then the last 1.
    const auto& w = f.peer.writes();
    REQUIRE(w.size() == 4);
    CHECK(w[1] == "ARTICLE 1\r\nARTICLE 2\r\nARTICLE 3\r\nARTICLE 4\r\n");
    CHECK(w[2] == "ARTICLE 5\r\nARTICLE 6\r\n");
    CHECK(w[3] == "ARTICLE 7\r\n");
    CHECK(f.c->current_article() == 7);
    CHECK(f.c->is_connected());
}

TEST_CASE("retrieve_each at every split of the replies, by number and message-id, HEAD and BODY") {
    const std::string replies = "221 5 <5@x>\r\nA: 1\r\n.\r\n430 no such article\r\n221 0 <k@x>\r\n..B: 2\r\n.\r\n";
    test::for_each_split(replies, [&](const test::pieces& p) {
        INFO(test::describe(p));
        auto f = reader(test::to_chunks(p));
        auto r = run_batch(*f.c, {5, "<gone@x>", "<k@x>"}, article_part::head);
        REQUIRE(r.statuses.size() == 3);
        CHECK(r.bodies[0] == "A: 1\r\n");
        CHECK(r.statuses[1].refusal.code == 430);
        CHECK(r.bodies[2] == ".B: 2\r\n");
        CHECK(r.statuses[2].status.message_id == "<k@x>");
        CHECK(after_connect(f.peer) == "HEAD 5\r\nHEAD <gone@x>\r\nHEAD <k@x>\r\n");
    });
    auto g = reader({"222 9 <9@x>\r\nbody\r\n.\r\n"});
    auto r = run_batch(*g.c, {9}, article_part::body);
    CHECK(r.bodies[0] == "body\r\n");
    CHECK(after_connect(g.peer) == "BODY 9\r\n");
}

TEST_CASE("retrieve_each: an injected or missing reply is caught by its number") {
    // The server answers ARTICLE 2 where ARTICLE 1 was asked for (a reply
    // went missing, or one was injected): nothing after it can be trusted.
    auto f = reader({article_reply(220, 2, "x\r\n") + article_reply(220, 3, "y\r\n")});
    std::vector<retrieve_status> seen;
    CHECK(code_of([&] {
              f.c->retrieve_each({1, 2}, [](const article_ref&) { return net::sink_fn{}; },
                                 [&](const retrieve_status& s) { seen.push_back(s); });
          }) == make_error_code(errc::unexpected_reply));
    CHECK(seen.empty());
    CHECK_FALSE(f.c->is_connected());
    // An extra status line between two articles.
    auto g = reader({article_reply(220, 1, "x\r\n") + "211 1 1 1 g\r\n" + article_reply(220, 2, "y\r\n")});
    CHECK(code_of([&] { run_batch(*g.c, {1, 2}); }) == make_error_code(errc::unexpected_reply));
    CHECK_FALSE(g.c->is_connected());
}

TEST_CASE("retrieve_each: an exception from a callback closes the connection, empty input sends nothing") {
    auto f = reader({article_reply(220, 1, "x\r\n") + article_reply(220, 2, "y\r\n")});
    CHECK_THROWS_AS(f.c->retrieve_each(
                        {1, 2}, [](const article_ref&) { return net::sink_fn{}; },
                        [](const retrieve_status&) { throw std::runtime_error("stop"); }),
                    std::runtime_error);
    CHECK_FALSE(f.c->is_connected());
    auto g = reader({});
    g.c->retrieve_each({}, nullptr, nullptr);
    CHECK(after_connect(g.peer).empty());
}

TEST_CASE("retrieve_each with window 1 is stop-and-wait") {
    client_options o;
    o.pipeline_window = 1;
    auto f = reader({article_reply(220, 1, "x\r\n"), article_reply(220, 2, "y\r\n")}, o);
    auto r = run_batch(*f.c, {1, 2});
    CHECK(r.bodies == std::vector<std::string>{"x\r\n", "y\r\n"});
    CHECK(f.peer.writes().size() == 3);
}
