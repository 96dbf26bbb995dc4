// The typed IMAP commands against scripted servers (tests/scripts/imap/ and
// transcripts built here): pipelined FETCH completions out of order, forged
// tags and continuations, literals announced larger than sent, replies
// split at every byte, untagged floods during SELECT and FETCH (bounded
// memory), the APPEND NUL abort, IDLE with re-IDLE.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>

#include "pigeon/imap/client.hpp"
#include "support/code_of.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace pigeon::imap;
using pigeon::test::check_script;
using pigeon::test::code_of;
using pigeon::test::script_server;

namespace {

client_options opts(const script_server& srv, std::chrono::milliseconds io = std::chrono::seconds(5)) {
    client_options o;
    o.net = test::script_session_options(srv);
    o.net.connect.io_timeout = io;
    o.tag_prefix = "A";
    return o;
}

client connect_to(const script_server& srv, std::chrono::milliseconds io = std::chrono::seconds(5)) {
    return test::connected<client>(test::script_endpoint(srv, net::protocol::imap, net::tls_mode::none), opts(srv, io));
}

long rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

} // namespace

TEST_CASE("pipelined UID FETCH: completions out of order, a NO for one batch, bodies to their sinks") {
    auto srv = script_server::from_file("imap/fetch_pipelined_out_of_order.txt");
    auto c = connect_to(srv);
    c.select("INBOX");
    std::map<std::uint32_t, std::string> bodies;
    std::vector<std::uint32_t> order;
    fetch_items items = fetch_items::whole_message();
    items.rfc822_size = true;
    fetch_options o;
    o.batch = 2;
    o.in_flight = 2;
    try {
        c.fetch_each(
            uid_set::from_range(1, 6), items,
            [&](message_data& m) {
                order.push_back(*m.uid);
                CHECK(m.rfc822_size == bodies[*m.uid].size());
            },
            [&](const body_target& t) { return net::string_sink(bodies[*t.uid]); }, o);
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "UNAVAILABLE");
    }
    CHECK(order == std::vector<std::uint32_t>{3, 4, 1, 5, 6});
    CHECK(bodies[1] == "one");
    CHECK(bodies[5] == "five");
    c.logout();
    check_script(srv);
}

TEST_CASE("FETCH by sequence number in descending batches, each completion reported") {
    auto srv = script_server::from_file("imap/fetch_descending_by_sequence.txt");
    auto c = connect_to(srv);
    c.examine("INBOX");
    std::vector<std::string> log;
    fetch_items items;
    items.flags = true;
    fetch_options o;
    o.batch = 2;
    o.in_flight = 2;
    o.by_sequence = true;
    o.descending = true;
    o.on_batch_done = [&](const uid_set& batch, bool ok) {
        log.push_back("done " + batch.to_string() + (ok ? " ok" : " no"));
    };
    try {
        c.fetch_each(
            uid_set::from_numbers({1, 2, 3, 4, 5, 7}), items,
            [&](message_data& m) { log.push_back("seq " + std::to_string(m.seq) + " uid " + std::to_string(*m.uid)); },
            {}, o);
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "UNAVAILABLE");
    } catch (...) {
        check_script(srv);
        throw;
    }
    CHECK(log == std::vector<std::string>{"seq 5 uid 50", "seq 7 uid 70", "done 5,7 ok", "seq 3 uid 30", "seq 4 uid 40",
                                          "done 3:4 ok", "seq 1 uid 10", "done 1:2 no"});
    // "*" has no top to start from.
    CHECK(code_of([&] { c.fetch_each(uid_set::from_range(3, uid_set::star), items, [](message_data&) {}, {}, o); }) ==
          make_error_code(errc::invalid_argument));
    c.logout();
    check_script(srv);
}

TEST_CASE("forged completions and continuations during a FETCH are protocol errors") {
    {
        auto srv = script_server::from_file("imap/fetch_tag_injected.txt");
        auto c = connect_to(srv);
        c.select("INBOX");
        fetch_items items;
        items.flags = true;
        fetch_options o;
        o.batch = 2;
        CHECK(code_of([&] { c.fetch_each(uid_set::from_range(1, 6), items, [](message_data&) {}, {}, o); }) ==
              make_error_code(errc::unknown_tag));
        CHECK_FALSE(c.is_connected());
        check_script(srv);
    }
    {
        auto srv = script_server::from_file("imap/fetch_continuation_injected.txt");
        auto c = connect_to(srv);
        c.select("INBOX");
        fetch_items items;
        items.flags = true;
        CHECK(code_of([&] { c.fetch(uid_set::from_range(1, 1), items); }) ==
              make_error_code(errc::unexpected_continuation));
        check_script(srv);
    }
}

TEST_CASE("a literal announced larger than sent: the deadline ends it") {
    auto srv = script_server::from_file("imap/fetch_literal_short.txt");
    auto c = connect_to(srv, std::chrono::milliseconds(400));
    c.select("INBOX");
    std::string got;
    const auto t0 = std::chrono::steady_clock::now();
    auto ec = code_of([&] {
        c.fetch_each(uid_set::from_range(1, 1), fetch_items::whole_message(), [](message_data&) {},
                     [&](const body_target&) { return net::string_sink(got); });
    });
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(ec == make_error_code(net::errc::timeout));
    CHECK(got == "only a few bytes");
    CHECK(took < std::chrono::milliseconds(2500));
    CHECK_FALSE(c.is_connected());
}

TEST_CASE("a FETCH response split at every byte (one TCP segment each)") {
    const std::string body = "Subject: split\r\n\r\n{3}\r\nA2 OK not really\r\n";
    const std::string reply = "* 1 FETCH (UID 9 FLAGS (\\Seen) BODY[] {" + std::to_string(body.size()) + "}\r\n" +
                              body + " ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\nA2 OK done\r\n";
    std::string script = "S: * PREAUTH [CAPABILITY IMAP4rev1] ready\nC: A1 SELECT INBOX\nS: * 1 EXISTS\n"
                         "S: A1 OK [READ-WRITE] ok\nC: A2 UID FETCH 9 (UID FLAGS ENVELOPE BODY.PEEK[])\n";
    char hex[8];
    for (unsigned char ch : reply) {
        std::snprintf(hex, sizeof hex, "\\x%02x", ch);
        script += std::string("S~ ") + hex + "\nSLEEP 0\n";
    }
    script_server srv(script);
    auto c = connect_to(srv);
    c.select("INBOX");
    fetch_items items = fetch_items::whole_message();
    items.flags = items.envelope = true;
    std::string got;
    std::vector<message_data> ms;
    c.fetch_each(uid_set::from_range(9, 9), items, [&](message_data& m) { ms.push_back(m); },
                 [&](const body_target&) { return net::string_sink(got); });
    CHECK(got == body);
    REQUIRE(ms.size() == 1);
    REQUIRE(ms[0].envelope);
    CHECK(ms[0].envelope->subject == "s");
    check_script(srv);
}

TEST_CASE("untagged floods during SELECT and FETCH are folded: memory stays flat") {
    constexpr int n = 200000;
    std::string script = "S: * PREAUTH [CAPABILITY IMAP4rev1] ready\nC: A1 SELECT INBOX\n";
    for (int i = 0; i < n; ++i) script += "S: * 1 EXISTS\n";
    script += "S: A1 OK [READ-WRITE] ok\nC: A2 UID FETCH 1 (UID FLAGS)\n";
    for (int i = 0; i < n; ++i) script += "S: * 1 FETCH (FLAGS (\\Seen))\n";
    script += "S: * 1 FETCH (UID 1 FLAGS ())\nS: A2 OK done\n";
    script_server srv(script);
    auto c = connect_to(srv);
    std::size_t events = 0;
    c.set_event_handler([&](const mailbox_event&) { ++events; });
    const long before = rss_kb();
    c.select("INBOX");
    CHECK(c.mailbox().exists == 1u);
    fetch_items items;
    items.flags = true;
    auto ms = c.fetch(uid_set::from_range(1, 1), items);
    const long grown = rss_kb() - before;
    CHECK(ms.size() == 1);
    CHECK(events == n);  // the EXISTS flood is the SELECT's own data, folded
    MESSAGE("RSS growth over 400,000 untagged responses: " << grown << " KiB");
    CHECK(grown < 16 * 1024);
    check_script(srv);
}

TEST_CASE("mailbox names cannot smuggle a command (INJ-05)") {
    auto srv = script_server::from_file("imap/mailbox_name_injection.txt");
    auto c = connect_to(srv);
    CHECK_THROWS_AS(c.create("x\r\nA999 DELETE INBOX"), command_error);
    CHECK(c.is_connected());
    c.logout();
    check_script(srv);
}

TEST_CASE("APPEND: a NUL found mid-stream aborts before the message ends") {
    auto srv = script_server::from_file("imap/append_nul_aborted.txt");
    auto c = connect_to(srv);
    const std::string msg("Subject: x\r\n\r\nhello\0world\r\n", 27);
    std::size_t pos = 0;
    net::source_fn trickle = [&](char* buf, std::size_t cap) {
        std::size_t k = std::min<std::size_t>({cap, 12, msg.size() - pos});
        msg.copy(buf, k, pos);
        pos += k;
        return k;
    };
    CHECK(code_of([&] { c.append("Drafts", msg.size(), trickle); }) == make_error_code(errc::invalid_argument));
    CHECK_FALSE(c.is_connected());
    auto r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
    for (const auto& l : r.client_lines) CHECK(l.find('\0') == std::string::npos);
}

TEST_CASE("IDLE: re-IDLE before the period ends, events typed, DONE at the end of the wait") {
    auto srv = script_server::from_file("imap/idle_reidle.txt");
    auto c = connect_to(srv);
    c.select("INBOX");
    std::vector<mailbox_event::kind> kinds;
    idle_options o;
    o.reidle = std::chrono::milliseconds(1000);
    const auto t0 = std::chrono::steady_clock::now();
    auto end = c.idle(
        [&](const mailbox_event& e) {
            kinds.push_back(e.type);
            return true;
        },
        std::chrono::milliseconds(1800), o);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(end == idle_end::timeout);
    CHECK(took >= std::chrono::milliseconds(1800));
    CHECK(took < std::chrono::milliseconds(3000));
    CHECK(kinds == std::vector<mailbox_event::kind>{mailbox_event::kind::exists, mailbox_event::kind::expunge,
                                                    mailbox_event::kind::fetch});
    CHECK(c.mailbox().exists == 2u);
    c.logout();
    check_script(srv);
}
