// retrieve_each: RFC 2449 pipelining with a window. With PIPELINING the
// RETRs go out in one write up to the window and are refilled as replies
// come; a -ERR in the window concerns its message only; DELE interleaves
// after each retrieved message; without PIPELINING (or with a window of 1)
// one command at a time. Replies are matched to commands by order only: one
// that does not fit is a protocol error.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "fake_maildrop.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using pigeon::test::code_of;

namespace {

std::vector<std::string> messages(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 1; i <= n; ++i)
        out.push_back("Subject: " + std::to_string(i) + "\r\n\r\n" + std::string(i * 100, 'a') + "\r\n.dot\r\n");
    return out;
}

struct run_result {
    std::vector<retrieve_status> done;
    std::map<std::uint32_t, std::string> bodies;
    std::vector<std::string> writes;    // after the log-in, before QUIT
    std::vector<std::string> commands;  // after the log-in, before QUIT
    std::size_t max_outstanding = 0;
    std::shared_ptr<test::fake_maildrop> md;
};

run_result run(test::fake_maildrop md, const std::vector<std::uint32_t>& numbers, std::size_t window,
               bool delete_each) {
    client_options o;
    o.pipeline_window = window;
    auto s = test::open_maildrop(std::move(md), o);
    run_result r;
    s.c.retrieve_each(
        numbers,
        [&](std::uint32_t n) {
            r.bodies[n];  // opened once per message
            return net::string_sink(r.bodies[n]);
        },
        [&](const retrieve_status& st) { r.done.push_back(st); }, delete_each);
    r.writes = s.server.writes();
    r.commands = s.server.commands();
    r.max_outstanding = s.server.max_outstanding();
    s.c.quit();
    r.md = s.md;
    return r;
}

std::vector<std::uint32_t> range(std::uint32_t from, std::uint32_t to) {
    std::vector<std::uint32_t> v;
    for (std::uint32_t i = from; i <= to; ++i) v.push_back(i);
    return v;
}

std::string retrs(std::uint32_t from, std::uint32_t to) {
    std::string s;
    for (std::uint32_t i = from; i <= to; ++i) s += "RETR " + std::to_string(i) + "\r\n";
    return s;
}

} // namespace

TEST_CASE("PIPELINING: the window goes out in one write, refilled once half of it is answered") {
    const auto msgs = messages(10);
    auto r = run(test::fake_maildrop(msgs), range(1, 10), 4, false);
    CHECK(r.writes == std::vector<std::string>{retrs(1, 4), retrs(5, 6), retrs(7, 8), retrs(9, 10)});
    CHECK(r.max_outstanding == 4);
    REQUIRE(r.done.size() == 10);
    for (std::uint32_t i = 1; i <= 10; ++i) {
        const auto& st = r.done[i - 1];
        INFO("message " << i);
        CHECK(st.number == i);
        CHECK(st.ok);
        CHECK(st.retrieved);
        CHECK_FALSE(st.deleted);
        CHECK(st.bytes == msgs[i - 1].size());
        CHECK(st.refusal.empty());
        CHECK(r.bodies[i] == msgs[i - 1]);
    }
    CHECK(r.md->removed.empty());

    // A window larger than the batch: everything in the first write.
    r = run(test::fake_maildrop(msgs), range(1, 10), 32, false);
    CHECK(r.writes == std::vector<std::string>{retrs(1, 10)});
    CHECK(r.max_outstanding == 10);
    CHECK(r.done.size() == 10);

    // The default window.
    auto s = test::open_maildrop(test::fake_maildrop(messages(100)));
    std::size_t n = 0;
    s.c.retrieve_each(range(1, 100), nullptr, [&](const retrieve_status& st) { n += st.ok; });
    CHECK(n == 100);
    CHECK(s.server.max_outstanding() == client_options{}.pipeline_window);
    CHECK(s.server.writes().front() == retrs(1, 32));
}

TEST_CASE("a -ERR inside the window concerns that message only") {
    const auto msgs = messages(8);
    test::fake_maildrop md(msgs);
    md.refuse_retr = {3, 4, 8};
    auto r = run(md, range(1, 8), 4, false);
    REQUIRE(r.done.size() == 8);
    for (std::uint32_t i = 1; i <= 8; ++i) {
        const auto& st = r.done[i - 1];
        INFO("message " << i);
        CHECK(st.number == i);
        const bool refused = i == 3 || i == 4 || i == 8;
        CHECK(st.ok == !refused);
        CHECK(st.retrieved == !refused);
        if (refused) {
            CHECK(st.refusal.text() == "-ERR no such message");
            CHECK(st.bytes == 0);
            CHECK(r.bodies.count(i) == 0);  // never opened
        } else {
            CHECK(r.bodies[i] == msgs[i - 1]);
        }
    }
    CHECK(r.writes.front() == retrs(1, 4));
}

TEST_CASE("delete_each: DELE n follows RETR n in the pipeline, done() after its reply, in order") {
    auto r = run(test::fake_maildrop(messages(5)), range(1, 5), 4, true);
    // Worked out by hand: refills at <= 2 in flight, DELEs first.
    CHECK(r.writes == std::vector<std::string>{retrs(1, 4), "DELE 1\r\nDELE 2\r\n", "DELE 3\r\nDELE 4\r\n", "RETR 5\r\n",
                                               "DELE 5\r\n"});
    CHECK(r.max_outstanding <= 4);
    REQUIRE(r.done.size() == 5);
    for (std::uint32_t i = 1; i <= 5; ++i) {
        INFO("message " << i);
        CHECK(r.done[i - 1].number == i);
        CHECK(r.done[i - 1].ok);
        CHECK(r.done[i - 1].retrieved);
        CHECK(r.done[i - 1].deleted);
    }
    CHECK(r.md->removed == range(1, 5));  // on QUIT

    // Every DELE n after RETR n, whatever the window.
    for (std::size_t window : {1, 2, 3, 5, 7, 64}) {
        INFO("window " << window);
        auto q = run(test::fake_maildrop(messages(12)), range(1, 12), window, true);
        std::map<std::string, std::size_t> at;
        for (std::size_t k = 0; k < q.commands.size(); ++k) at[q.commands[k]] = k;
        for (std::uint32_t i = 1; i <= 12; ++i) {
            const auto n = std::to_string(i);
            REQUIRE(at.count("DELE " + n));
            CHECK(at["RETR " + n] < at["DELE " + n]);
        }
        CHECK(q.commands.size() == 24);
        CHECK(q.max_outstanding <= window);
        REQUIRE(q.done.size() == 12);
        for (std::uint32_t i = 1; i <= 12; ++i) CHECK(q.done[i - 1].number == i);
        CHECK(q.md->removed == range(1, 12));
    }
}

TEST_CASE("delete_each: a refused RETR is not deleted, a refused DELE is reported as such, order kept") {
    test::fake_maildrop md(messages(6));
    md.refuse_retr = {2};
    md.refuse_dele = {4};
    auto r = run(md, range(1, 6), 3, true);
    REQUIRE(r.done.size() == 6);
    for (std::uint32_t i = 1; i <= 6; ++i) CHECK(r.done[i - 1].number == i);
    CHECK_FALSE(r.done[1].ok);
    CHECK_FALSE(r.done[1].retrieved);
    CHECK_FALSE(r.done[1].deleted);
    CHECK(r.done[3].retrieved);
    CHECK_FALSE(r.done[3].deleted);
    CHECK_FALSE(r.done[3].ok);
    CHECK(r.done[3].bytes == r.bodies[4].size());
    CHECK(r.done[3].refusal.text() == "-ERR no such message");
    for (std::uint32_t i : {1, 3, 5, 6}) CHECK(r.done[i - 1].deleted);
    CHECK(std::count(r.commands.begin(), r.commands.end(), "DELE 2") == 0);
    CHECK(r.md->removed == std::vector<std::uint32_t>{1, 3, 5, 6});
}

TEST_CASE("one command at a time: without PIPELINING, or with a window of 1") {
    for (bool offered : {false, true}) {
        INFO((offered ? "PIPELINING, window 1" : "no PIPELINING, window 32"));
        test::fake_maildrop md(messages(4));
        md.pipelining = offered;
        auto r = run(md, range(1, 4), offered ? 1 : 32, true);
        CHECK(r.max_outstanding == 1);
        CHECK(r.writes == std::vector<std::string>{"RETR 1\r\n", "DELE 1\r\n", "RETR 2\r\n", "DELE 2\r\n", "RETR 3\r\n",
                                                   "DELE 3\r\n", "RETR 4\r\n", "DELE 4\r\n"});
        REQUIRE(r.done.size() == 4);
        for (const auto& st : r.done) CHECK(st.ok);
    }
    // A window of 0 is taken as 1.
    auto r = run(test::fake_maildrop(messages(3)), range(1, 3), 0, false);
    CHECK(r.max_outstanding == 1);
    CHECK(r.done.size() == 3);
}

TEST_CASE("repeated numbers are sent as given, nothing at all for none") {
    auto r = run(test::fake_maildrop(messages(3)), {2, 2}, 8, true);
    REQUIRE(r.done.size() == 2);
    CHECK(r.done[0].deleted);
    CHECK(r.done[1].retrieved);  // both RETRs were in flight before the first DELE
    CHECK_FALSE(r.done[1].deleted);
    CHECK(r.done[1].refusal.text() == "-ERR no such message");

    r = run(test::fake_maildrop(messages(3)), {}, 8, true);
    CHECK(r.done.empty());
    CHECK(r.commands.empty());
}

TEST_CASE("a reply that does not fit the command order is a protocol error") {
    test::duplex_options d;
    auto f = test::start_on_duplex<client>({"+OK ready\r\n", "+OK\r\nUSER\r\nPIPELINING\r\n.\r\n", "+OK\r\n", "+OK\r\n",
                                            "+OK\r\nPIPELINING\r\n.\r\n"},
                                           net::tls_mode::none, d);
    f.c->login("u", "p", true);
    // RETR 2 refused, yet content follows, read where RETR 3's status is due.
    f.peer.push("+OK\r\none\r\n.\r\n-ERR gone\r\nstray content\r\n.\r\n+OK\r\nthree\r\n.\r\n");
    std::vector<retrieve_status> done;
    try {
        f.c->retrieve_each({1, 2, 3}, nullptr, [&](const retrieve_status& st) { done.push_back(st); });
        FAIL("no protocol_error");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::malformed_reply));
    }
    CHECK(f.peer.closed());
    REQUIRE(done.size() == 2);
    CHECK(done[0].ok);
    CHECK_FALSE(done[1].ok);

    // The server stops answering in the middle: the connection is closed,
    // what was done is reported.
    auto g = test::start_on_duplex<client>({"+OK ready\r\n", "+OK\r\nUSER\r\nPIPELINING\r\n.\r\n", "+OK\r\n", "+OK\r\n",
                                            "+OK\r\nPIPELINING\r\n.\r\n"},
                                           net::tls_mode::none, d);
    g.c->login("u", "p", true);
    g.peer.push("+OK\r\none\r\n.\r\n+OK\r\ntw");
    done.clear();
    CHECK(code_of([&] {
              g.c->retrieve_each({1, 2, 3}, nullptr, [&](const retrieve_status& st) { done.push_back(st); });
          }) == make_error_code(net::errc::connection_closed));
    CHECK(done.size() == 1);
    CHECK_FALSE(g.c->is_connected());
    CHECK(g.peer.written().find("RETR 1\r\nRETR 2\r\nRETR 3\r\n") != std::string::npos);
}
