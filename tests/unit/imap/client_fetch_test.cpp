// UID FETCH, APPEND and IDLE over an in-memory stream: bodies streamed to
// per-message sinks with the server's bytes split at every point, the
// pipelined batches with completions in any order, unsolicited data during
// a FETCH, APPEND's literal forms and its NUL refusal, IDLE's events.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::imap;
using pigeon::test::code_of;

namespace {

constexpr const char* caps =
    "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ ESEARCH UIDPLUS MOVE CONDSTORE BINARY IDLE] ready\r\n";
constexpr const char* selected = "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] x\r\nA1 OK [READ-WRITE] done\r\n";

test::duplex_fixture<client> start(std::vector<std::string> chunks, const char* greeting = caps,
                                   test::duplex_options d = {}) {
    chunks.insert(chunks.begin(), greeting);
    client_options o;
    o.tag_prefix = "A";
    return test::start_on_duplex<client>(std::move(chunks), net::tls_mode::none, d, o);
}

std::vector<std::string> to_chunks(const test::pieces& ps) {
    std::vector<std::string> out;
    for (auto p : ps)
        if (!p.empty()) out.emplace_back(p);
    return out;
}

struct collected {
    std::map<std::uint32_t, std::string> bodies;  // by UID
    std::vector<message_data> messages;
    std::vector<body_target> targets;
};

body_opener open_into(collected& c) {
    return [&c](const body_target& t) -> net::sink_fn {
        c.targets.push_back(t);
        std::string* dst = &c.bodies[t.uid.value_or(0)];
        return [dst](std::string_view b) { dst->append(b); };
    };
}

} // namespace

TEST_CASE("UID FETCH streams every body literal to its message's sink, at every split") {
    const std::string body1 = "From: a@x\r\nSubject: one\r\n\r\nline 1\r\n";
    const std::string body2 = "From: b@y\r\n\r\n{5}\r\n* 9 EXISTS\r\nA2 OK fake\r\n";  // looks like protocol
    const std::string server = "* 1 FETCH (UID 10 RFC822.SIZE " + std::to_string(body1.size()) + " BODY[] {" +
                               std::to_string(body1.size()) + "}\r\n" + body1 + " FLAGS (\\Seen))\r\n" +
                               "* 2 FETCH (UID 11 BODY[] {" + std::to_string(body2.size()) + "}\r\n" + body2 +
                               ")\r\n* 4 EXISTS\r\nA2 OK Fetch completed.\r\n";
    std::size_t runs = test::for_each_split(server, [&](const test::pieces& ps) {
        INFO("split: " << test::describe(ps));
        auto chunks = to_chunks(ps);
        chunks.insert(chunks.begin(), selected);
        auto f = start(chunks);
        f.c->select("INBOX");
        std::vector<mailbox_event> events;
        f.c->set_event_handler([&](const mailbox_event& e) { events.push_back(e); });
        collected c;
        fetch_items items = fetch_items::whole_message();
        items.flags = items.rfc822_size = true;
        f.c->fetch_each(uid_set::from_range(10, 11), items, [&](message_data& m) { c.messages.push_back(m); },
                        open_into(c));
        CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 UID FETCH 10:11 (UID FLAGS RFC822.SIZE BODY.PEEK[])\r\n");
        CHECK(c.bodies[10] == body1);
        CHECK(c.bodies[11] == body2);
        REQUIRE(c.messages.size() == 2);
        CHECK(c.messages[0].uid == 10u);
        CHECK(c.messages[0].rfc822_size == body1.size());
        REQUIRE(c.messages[0].flags);
        CHECK(c.messages[0].flags->front() == "\\Seen");
        REQUIRE(c.messages[0].sections.size() == 1);
        CHECK(c.messages[0].sections[0].streamed);
        CHECK(c.messages[0].sections[0].size == body1.size());
        CHECK(c.messages[0].sections[0].bytes.empty());
        REQUIRE(c.targets.size() == 2);
        CHECK(c.targets[0].seq == 1u);
        CHECK(c.targets[0].item == "BODY[]");
        CHECK(c.targets[1].size == body2.size());
        REQUIRE(events.size() == 1);
        CHECK(events[0].type == mailbox_event::kind::exists);
        CHECK(f.c->mailbox().exists == 4u);
        CHECK(f.c->is_connected());
    });
    CHECK(runs > server.size());
}

TEST_CASE("without a sink the bodies stay in message_data, the vector form") {
    auto f = start({selected, "* 1 FETCH (UID 10 BODY[HEADER] {4}\r\nab\r\n BODY[1]<0> \"xy\")\r\nA2 OK\r\n"});
    f.c->select("INBOX");
    fetch_items items;
    items.sections.push_back({"HEADER", {}, 0, false, true});
    items.sections.push_back({"1", 0, 2, false, true});
    auto ms = f.c->fetch(uid_set::from_range(10, 10), items);
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 UID FETCH 10 (UID BODY.PEEK[HEADER] BODY.PEEK[1]<0.2>)\r\n");
    REQUIRE(ms.size() == 1);
    REQUIRE(ms[0].find_section("HEADER"));
    CHECK(ms[0].find_section("HEADER")->bytes == "ab\r\n");
    CHECK(ms[0].find_section("1")->bytes == "xy");
}

TEST_CASE("fetch items are checked before sending") {
    auto f = start({selected}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    f.c->select("INBOX");
    auto items = fetch_items::whole_message();
    items.sections[0].section = "1]\r\nA9 DELETE INBOX";
    CHECK(code_of([&] { f.c->fetch(uid_set::from_range(1, 2), items); }) == make_error_code(errc::invalid_argument));
    items.sections[0] = {"", 5, 0, false, true};
    CHECK(code_of([&] { f.c->fetch(uid_set::from_range(1, 2), items); }) == make_error_code(errc::invalid_argument));
    items.sections[0] = {"1", {}, 0, true, true};
    CHECK(code_of([&] { f.c->fetch(uid_set::from_range(1, 2), items); }) == make_error_code(errc::not_supported));
    fetch_items m;
    m.modseq = true;
    CHECK(code_of([&] { f.c->fetch(uid_set::from_range(1, 2), m); }) == make_error_code(errc::not_supported));
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\n");
}

TEST_CASE("pipelined batches: distinct tags, completions in any order, a refusal does not stop the rest") {
    auto f = start({selected,
                    // A2 (1:2) and A3 (3:4) in flight; A3 completes first, then A4 (5) is sent.
                    "* 3 FETCH (UID 3 FLAGS ())\r\n* 4 FETCH (UID 4 FLAGS ())\r\nA3 OK\r\n"
                    "* 1 FETCH (UID 1 FLAGS ())\r\n",
                    "A2 NO [SERVERBUG] try later\r\n",
                    "* 5 FETCH (UID 5 FLAGS (\\Seen))\r\nA4 OK\r\n"});
    f.c->select("INBOX");
    std::vector<std::uint32_t> got;
    fetch_items items;
    items.flags = true;
    fetch_options o;
    o.batch = 2;
    o.in_flight = 2;
    try {
        f.c->fetch_each(uid_set::from_range(1, 5), items, [&](message_data& m) { got.push_back(*m.uid); }, {}, o);
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "SERVERBUG");
        CHECK(e.is_transient());
    }
    CHECK(got == std::vector<std::uint32_t>{3, 4, 1, 5});
    CHECK(f.peer.writes() == std::vector<std::string>{"A1 SELECT INBOX\r\n",
                                                      "A2 UID FETCH 1:2 (UID FLAGS)\r\nA3 UID FETCH 3:4 (UID FLAGS)\r\n",
                                                      "A4 UID FETCH 5 (UID FLAGS)\r\n"});
    CHECK(f.c->is_connected());
}

TEST_CASE("a completion for a tag not in flight is fatal during a pipelined fetch") {
    auto f = start({selected, "A9 OK\r\n"});
    f.c->select("INBOX");
    fetch_options o;
    o.batch = 1;
    CHECK(code_of([&] { f.c->fetch_each(uid_set::from_range(1, 3), fetch_items::listing(), [](message_data&) {}, {}, o); }) ==
          make_error_code(errc::unknown_tag));
    CHECK_FALSE(f.c->is_connected());
}

TEST_CASE("an unsolicited flood during a FETCH is folded, never kept") {
    std::string flood;
    for (int i = 0; i < 20000; ++i) flood += "* 1 FETCH (FLAGS (\\Seen))\r\n* 3 EXISTS\r\n";
    auto f = start({selected, flood, "* 1 FETCH (UID 2 FLAGS ())\r\nA2 OK\r\n"});
    f.c->select("INBOX");
    std::size_t events = 0;
    f.c->set_event_handler([&](const mailbox_event&) { ++events; });
    auto ms = f.c->fetch(uid_set::from_range(2, 2), fetch_items::listing());
    CHECK(ms.size() == 1);
    CHECK(events == 40000);
}

TEST_CASE("a literal announced larger than sent: the connection ends, no hang") {
    test::duplex_options d;
    d.at_end = test::end_of_input::timeout;
    auto f = start({selected, "* 1 FETCH (UID 1 BODY[] {100000}\r\nonly this"}, caps, d);
    f.c->select("INBOX");
    std::string got;
    auto ec = code_of([&] {
        f.c->fetch_each(uid_set::from_range(1, 1), fetch_items::whole_message(), [](message_data&) {},
                        [&](const body_target&) { return net::string_sink(got); });
    });
    CHECK(ec == make_error_code(net::errc::timeout));
    CHECK(got == "only this");
    CHECK_FALSE(f.c->is_connected());
}

TEST_CASE("a sink that throws ends the connection (the stream is mid-literal)") {
    auto f = start({selected, "* 1 FETCH (UID 1 BODY[] {4}\r\nabcd)\r\nA2 OK\r\n"});
    f.c->select("INBOX");
    CHECK_THROWS_AS(f.c->fetch_each(uid_set::from_range(1, 1), fetch_items::whole_message(), [](message_data&) {},
                                    [](const body_target&) -> net::sink_fn {
                                        return [](std::string_view) { throw std::runtime_error("disk full"); };
                                    }),
                    std::runtime_error);
    CHECK_FALSE(f.c->is_connected());
}

TEST_CASE("APPEND: LITERAL+ sends at once, flags and date, APPENDUID") {
    auto f = start({"A1 OK [APPENDUID 38505 3955] APPEND completed\r\n"});
    append_options o;
    o.flags = {"\\Seen", "$Work"};
    o.internal_date = parse_date_time("06-Dec-2026 03:52:16 +0100");
    auto r = f.c->append("Sent", std::string_view("Subject: x\r\n\r\nhi\r\n"), o);
    REQUIRE(r);
    CHECK(r->uidvalidity == 38505u);
    CHECK(r->uids.to_string() == "3955");
    CHECK(f.peer.written() ==
          "A1 APPEND Sent (\\Seen $Work) \"06-Dec-2026 03:52:16 +0100\" {18+}\r\nSubject: x\r\n\r\nhi\r\n\r\n");
}

TEST_CASE("APPEND: without LITERAL+ it waits for the continuation, NO instead of it keeps the connection") {
    auto f = start({"+ Ready\r\n", "A1 OK done\r\n", "A2 NO [TOOBIG] too big\r\n"}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    CHECK_FALSE(f.c->append("INBOX", std::string_view("abc")));
    CHECK(f.peer.writes() == std::vector<std::string>{"A1 APPEND INBOX {3}\r\n", "abc", "\r\n"});
    try {
        f.c->append("INBOX", std::string_view("abc"));
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "TOOBIG");
    }
    CHECK(f.c->is_connected());
}

TEST_CASE("APPEND never puts a NUL on the wire") {
    auto f = start({"A1 OK\r\n"});
    // In memory: refused before anything is sent.
    CHECK(code_of([&] { f.c->append("INBOX", std::string_view("a\0b", 3)); }) == make_error_code(errc::invalid_argument));
    CHECK(f.peer.written().empty());
    // From a source: the size is announced first, so the connection is
    // abandoned before the literal ends.
    std::string big(200000, 'x');
    big[150000] = '\0';
    auto ec = code_of([&] { f.c->append("INBOX", big.size(), net::string_source(big)); });
    CHECK(ec == make_error_code(errc::invalid_argument));
    CHECK_FALSE(f.c->is_connected());
    const std::string w = f.peer.written();
    CHECK(w.rfind("A1 APPEND INBOX {200000+}\r\n", 0) == 0);
    CHECK(w.find('\0') == std::string::npos);
    CHECK(w.size() < 27 + 150000);
}

TEST_CASE("APPEND from a source that breaks its word aborts, literal8 with BINARY") {
    auto f = start({});
    std::string s = "short";
    CHECK(code_of([&] { f.c->append("INBOX", 10, net::string_source(s)); }) == make_error_code(errc::invalid_argument));
    CHECK_FALSE(f.c->is_connected());
    auto g = start({});
    CHECK(code_of([&] { g.c->append("INBOX", 2, net::string_source(s)); }) == make_error_code(errc::invalid_argument));
    CHECK(g.peer.written() == "A1 APPEND INBOX {2+}\r\nsh");  // no final CRLF

    auto h = start({"A1 OK\r\n"});
    append_options o;
    o.binary = true;
    h.c->append("INBOX", std::string_view("a\0b", 3), o);
    CHECK(h.peer.written() == std::string("A1 APPEND INBOX ~{3+}\r\na\0b\r\n", 28));
    auto n = start({}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    CHECK(code_of([&] { n.c->append("INBOX", std::string_view("a"), o); }) == make_error_code(errc::not_supported));
}

TEST_CASE("IDLE: events typed, DONE when the handler says stop") {
    auto f = start({selected, "+ idling\r\n", "* 4 EXISTS\r\n* 2 EXPUNGE\r\n", "* 1 FETCH (FLAGS (\\Seen))\r\nA2 OK done\r\n"});
    f.c->select("INBOX");
    std::vector<mailbox_event::kind> kinds;
    auto end = f.c->idle(
        [&](const mailbox_event& e) {
            kinds.push_back(e.type);
            return e.type != mailbox_event::kind::expunge;
        },
        std::chrono::seconds(60));
    CHECK(end == idle_end::stopped);
    CHECK(kinds == std::vector<mailbox_event::kind>{mailbox_event::kind::exists, mailbox_event::kind::expunge,
                                                    mailbox_event::kind::fetch});
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 IDLE\r\nDONE\r\n");
    CHECK(f.c->mailbox().exists == 3u);
}

TEST_CASE("IDLE: the wait runs out without closing, IDLE not offered is refused") {
    test::duplex_options d;
    d.at_end = test::end_of_input::timeout;
    auto f = start({selected, "+ idling\r\n"}, caps, d);
    f.c->select("INBOX");
    // The silent peer: the wait ends at once, DONE goes out, and the reply
    // never comes (the duplex stream times out on the read).
    CHECK(code_of([&] { f.c->idle([](const mailbox_event&) { return true; }, std::chrono::milliseconds(10)); }) ==
          make_error_code(net::errc::timeout));
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 IDLE\r\nDONE\r\n");
    auto g = start({}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    CHECK(code_of([&] { g.c->idle([](const mailbox_event&) { return true; }, std::chrono::milliseconds(10)); }) ==
          make_error_code(errc::not_supported));
}
