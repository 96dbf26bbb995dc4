// The maildrop commands of the POP3 client over in-memory streams: each
// command's happy path and its refusal (-ERR: command_error, the connection
// still usable), LIST/UIDL parsing with malformed lines (protocol_error, the
// connection closed), RETR un-stuffing across every split, a message of
// several MB streamed without being held, TOP, the state rules (nothing
// sent), QUIT, APOP (RFC 1939 example), bytes sent unasked, and sinks that
// throw.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "fake_maildrop.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using namespace std::string_literals;
using pigeon::test::code_of;

namespace {

const std::string msg1 = "From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n";
const std::string msg2 = "From: b@example.org\r\nSubject: two\r\n\r\n.a line with a dot\r\n..two dots\r\n.\r\nend\r\n";
const std::string msg3 = "Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n";

test::maildrop_session three() { return test::open_maildrop(test::fake_maildrop({msg1, msg2, msg3})); }

// A client logged in over a duplex_stream; the test pushes the server's
// chunks afterwards and reads what was sent after the log-in.
struct duplex_session {
    test::duplex_peer peer;
    std::unique_ptr<client> c;
    std::size_t mark = 0;
    std::string sent() const { return peer.written().substr(mark); }
};

duplex_session logged_in(const client_options& o = {}) {
    auto f = test::start_on_duplex<client>({"+OK ready\r\n", "+OK\r\nUSER\r\n.\r\n", "+OK\r\n", "+OK\r\n",
                                            "+OK\r\nUIDL\r\nTOP\r\n.\r\n"},
                                           net::tls_mode::none, test::duplex_options{}, o);
    f.c->login("user", "pass", true);
    REQUIRE(f.c->state() == state::transaction);
    REQUIRE(f.peer.unread_chunks() == 0);
    return {f.peer, std::move(f.c), f.peer.written().size()};
}

// The code of the protocol_error f throws; other exceptions fail the test.
template <class F>
std::error_code protocol_code(F&& f) {
    try {
        f();
    } catch (const protocol_error& e) {
        return e.code();
    }
    return {};
}

} // namespace

TEST_CASE("STAT, LIST, UIDL: happy paths") {
    auto s = three();
    auto st = s.c.stat();
    CHECK(st.count == 3);
    CHECK(st.size == msg1.size() + msg2.size() + msg3.size());

    auto l = s.c.list();
    REQUIRE(l.size() == 3);
    CHECK(l[1].number == 2);
    CHECK(l[1].size == msg2.size());
    CHECK(s.c.list(3).size == msg3.size());

    std::vector<std::uint32_t> seen;
    s.c.list([&](const message_size& m) { seen.push_back(m.number); });
    CHECK(seen == std::vector<std::uint32_t>{1, 2, 3});

    auto u = s.c.uidl();
    REQUIRE(u.size() == 3);
    CHECK(u[2].uid == "uid-3");
    CHECK(s.c.uidl(2).uid == "uid-2");
    std::size_t n = 0;
    s.c.uidl([&](const message_uid&) { ++n; });
    CHECK(n == 3);
    CHECK(s.server.commands() ==
          std::vector<std::string>{"STAT", "LIST", "LIST 3", "LIST", "UIDL", "UIDL 2", "UIDL"});
    CHECK(s.server.max_outstanding() == 1);
}

TEST_CASE("refusals: command_error with the reply, and the next command works") {
    auto s = three();
    auto refused = [&](auto&& f, const char* what) {
        INFO(what);
        try {
            f();
            FAIL("no command_error");
        } catch (const auth_error&) {
            FAIL("auth_error");
        } catch (const command_error& e) {
            CHECK(e.code() == make_error_code(errc::command_failed));
            CHECK(e.server_reply().status == "-ERR");
            CHECK(e.server_reply().text() == "-ERR no such message");
            CHECK(e.is_permanent());
        }
        CHECK(s.c.is_connected());
        CHECK(s.c.state() == state::transaction);
        CHECK(s.c.stat().count >= 1);  // usable
    };
    std::string sink;
    refused([&] { s.c.list(9); }, "LIST 9");
    refused([&] { s.c.uidl(9); }, "UIDL 9");
    refused([&] { s.c.retrieve(9, net::string_sink(sink)); }, "RETR 9");
    refused([&] { s.c.retrieve(9); }, "RETR 9 (string)");
    refused([&] { s.c.top(9, 0, net::string_sink(sink)); }, "TOP 9");
    refused([&] { s.c.mark_deleted(9); }, "DELE 9");
    CHECK(sink.empty());

    // A transient refusal says so.
    auto d = logged_in();
    d.peer.push("-ERR [SYS/TEMP] try later\r\n");
    try {
        d.c->stat();
        FAIL("no command_error");
    } catch (const command_error& e) {
        CHECK(e.is_transient());
        CHECK(e.server_reply().response_code == "SYS/TEMP");
    }
    d.peer.push("-ERR [IN-USE] busy\r\n");
    CHECK_THROWS_AS(d.c->noop(), command_error);
    d.peer.push("-ERR no\r\n");
    CHECK_THROWS_AS(d.c->reset(), command_error);
    d.peer.push("-ERR no\r\n");
    CHECK_THROWS_AS(d.c->list(), command_error);
    d.peer.push("-ERR no\r\n");
    CHECK_THROWS_AS(d.c->uidl(), command_error);
    d.peer.push("+OK 0 0\r\n");
    CHECK(d.c->stat().count == 0);
    CHECK(d.sent() == "STAT\r\nNOOP\r\nRSET\r\nLIST\r\nUIDL\r\nSTAT\r\n");
}

TEST_CASE("DELE, RSET and QUIT: only a clean QUIT removes what is marked") {
    auto s = three();
    s.c.mark_deleted(2);
    CHECK(s.c.stat().count == 2);
    CHECK_THROWS_AS(s.c.retrieve(2), command_error);  // marked: gone for this session
    CHECK(s.c.list().size() == 2);
    s.c.reset();
    CHECK(s.c.stat().count == 3);
    s.c.mark_deleted(1);
    s.c.mark_deleted(3);
    s.c.noop();
    s.c.quit();
    CHECK(s.md->removed == std::vector<std::uint32_t>{1, 3});
    CHECK_FALSE(s.c.is_connected());
    CHECK(s.c.state() == state::disconnected);
    CHECK(s.server.commands() == std::vector<std::string>{"DELE 2", "STAT", "RETR 2", "LIST", "RSET", "STAT",
                                                          "DELE 1", "DELE 3", "NOOP", "QUIT"});

    // close() instead of QUIT: nothing removed.
    auto t = three();
    t.c.mark_deleted(1);
    t.c.close();
    CHECK(t.md->removed.empty());
    CHECK(t.server.commands() == std::vector<std::string>{"DELE 1"});
}

TEST_CASE("QUIT answered -ERR: command_error, and the connection is closed anyway") {
    test::fake_maildrop md({msg1});
    md.quit_ok = false;
    auto s = test::open_maildrop(std::move(md));
    s.c.mark_deleted(1);
    try {
        s.c.quit();
        FAIL("no command_error");
    } catch (const command_error& e) {
        CHECK(e.code() == make_error_code(errc::command_failed));
        CHECK(e.server_reply().text() == "-ERR some deleted messages not removed");
    }
    CHECK_FALSE(s.c.is_connected());
    CHECK(s.server.closed());
    CHECK(code_of([&] { s.c.stat(); }) == make_error_code(errc::invalid_state));
}

TEST_CASE("RETR: un-stuffed, CRLF, and the same across every split of the reply") {
    const std::string reply = "+OK 99 octets\r\n"
                              "Subject: dots\r\n"
                              "\r\n"
                              "..leading dot\r\n"
                              "..\r\n"
                              "...\r\n"
                              "a.b\r\n"
                              "bare\rCR inside\r\n"
                              ". \r\n"
                              "\r\n"
                              ".\r\n";
    const std::string expected = "Subject: dots\r\n"
                                 "\r\n"
                                 ".leading dot\r\n"
                                 ".\r\n"
                                 "..\r\n"
                                 "a.b\r\n"
                                 "bare\rCR inside\r\n"
                                 " \r\n"
                                 "\r\n";
    const std::size_t calls = test::for_each_split(reply, [&](const test::pieces& p) {
        INFO("split " << test::describe(p));
        auto d = logged_in();
        d.peer.push(test::to_chunks(p));
        std::string got;
        CHECK(d.c->retrieve(7, net::string_sink(got)) == expected.size());
        CHECK(got == expected);
        CHECK(d.peer.unread_chunks() == 0);
        d.peer.push("+OK\r\n");
        d.c->noop();  // the connection is in step
        CHECK(d.sent() == "RETR 7\r\nNOOP\r\n");
    });
    CHECK(calls == reply.size() + 1);
    // Three-way splits around the terminator and the stuffed lines.
    test::for_each_split3(std::string_view(reply).substr(reply.size() - 30), [&](const test::pieces& p) {
        INFO("split3 " << test::describe(p));
        auto d = logged_in();
        d.peer.push(reply.substr(0, reply.size() - 30));
        d.peer.push(test::to_chunks(p));
        CHECK(d.c->retrieve(7) == expected);
    });
}

TEST_CASE("an empty message, and a last line without its line end is not the end") {
    auto d = logged_in();
    d.peer.push("+OK 0 octets\r\n.\r\n");
    CHECK(d.c->retrieve(1).empty());
    // The block ends only at CRLF "." CRLF: a connection closing before is an error.
    d.peer.push("+OK\r\nno end");
    CHECK(code_of([&] { d.c->retrieve(2); }) == make_error_code(net::errc::connection_closed));
    CHECK(d.peer.closed());
}

TEST_CASE("NUL bytes and bare CRs are passed on as received, a bare LF line end becomes CRLF") {
    auto d = logged_in();
    d.peer.push("+OK\r\nA\0B\r\nC\rD\r\nbare LF\nnext\r\n..\n.\r\n"s);
    std::string got = d.c->retrieve(1);
    CHECK(got == "A\0B\r\nC\rD\r\nbare LF\r\nnext\r\n.\r\n"s);
}

TEST_CASE("a message of 24 MiB is streamed in pieces, never held whole") {
    // The reply is produced as it is read: neither side holds the message.
    const std::uint64_t lines = 24 * 1024 * 1024 / 64;
    auto make_line = [](std::uint64_t i, std::string& out) {
        // 64 bytes with CRLF; every 7th line starts with a dot (stuffed).
        out = (i % 7 == 0 ? ".." : "xx") + std::to_string(i);
        out.resize(62, 'y');
        out += "\r\n";
    };
    auto stream = std::make_unique<test::answering_stream>("+OK ready\r\n", [&](std::string_view cmd) {
        if (cmd == "CAPA") return test::answer("-ERR\r\n");
        if (cmd != "RETR 1") return test::answer("+OK\r\n");
        auto i = std::make_shared<std::uint64_t>(0);
        return test::answer_lines(
            "+OK\r\n",
            [i, make_line](std::string& line) {
                if (*i == lines) return false;
                make_line((*i)++, line);
                return true;
            },
            ".\r\n");
    });
    net::endpoint ep;
    ep.host = "test.invalid";
    ep.tls = net::tls_mode::none;
    client c;
    c.connect(net::channel(std::move(stream)), ep);
    c.login("u", "p", true);

    std::uint64_t total = 0, calls = 0, biggest = 0, mismatches = 0, line_no = 0;
    std::string expect_line, partial;
    const std::uint64_t n = c.retrieve(1, [&](std::string_view chunk) {
        total += chunk.size();
        ++calls;
        biggest = std::max<std::uint64_t>(biggest, chunk.size());
        // Compare line by line against what the server meant (un-stuffed).
        partial.append(chunk);
        std::size_t pos = 0;
        for (;;) {
            const auto eol = partial.find("\r\n", pos);
            if (eol == std::string::npos) break;
            make_line(line_no++, expect_line);
            if (expect_line.rfind("..", 0) == 0) expect_line.erase(0, 1);
            if (partial.compare(pos, eol + 2 - pos, expect_line) != 0) ++mismatches;
            pos = eol + 2;
        }
        partial.erase(0, pos);
    });
    const std::uint64_t unstuffed = lines * 64 - (lines + 6) / 7;
    CHECK(n == unstuffed);
    CHECK(total == unstuffed);
    CHECK(line_no == lines);
    CHECK(mismatches == 0);
    CHECK(partial.empty());
    CHECK(calls > 100);
    CHECK(biggest <= 128 * 1024);  // pieces of about the channel's buffer
    c.noop();
}

TEST_CASE("TOP: the header and the first lines") {
    auto s = three();
    CHECK(s.c.top(3, 2) == "Subject: three\r\n\r\nl1\r\nl2\r\n");
    CHECK(s.c.top(3, 0) == "Subject: three\r\n\r\n");
    std::string got;
    CHECK(s.c.top(2, 100, net::string_sink(got)) == msg2.size());
    CHECK(got == msg2);
    CHECK(s.server.commands() == std::vector<std::string>{"TOP 3 2", "TOP 3 0", "TOP 2 100"});
}

TEST_CASE("before authentication, after close, or with message number 0: request_error, nothing sent") {
    auto f = test::start_on_duplex<client>({"+OK ready\r\n", "+OK\r\nUSER\r\n.\r\n"}, net::tls_mode::none,
                                           test::duplex_options{});
    const std::string before = f.peer.written();
    std::string sink;
    auto refused = [&](client& c) {
        const auto invalid = make_error_code(errc::invalid_state);
        CHECK(code_of([&] { c.stat(); }) == invalid);
        CHECK(code_of([&] { c.list(); }) == invalid);
        CHECK(code_of([&] { c.list([](const message_size&) {}); }) == invalid);
        CHECK(code_of([&] { c.list(1); }) == invalid);
        CHECK(code_of([&] { c.uidl(); }) == invalid);
        CHECK(code_of([&] { c.uidl(1); }) == invalid);
        CHECK(code_of([&] { c.retrieve(1, net::string_sink(sink)); }) == invalid);
        CHECK(code_of([&] { c.retrieve(1); }) == invalid);
        CHECK(code_of([&] { c.top(1, 0); }) == invalid);
        CHECK(code_of([&] { c.retrieve_each({1}, nullptr, nullptr); }) == invalid);
        CHECK(code_of([&] { c.mark_deleted(1); }) == invalid);
        CHECK(code_of([&] { c.reset(); }) == invalid);
        CHECK(code_of([&] { c.noop(); }) == invalid);
        CHECK_THROWS_AS(c.stat(), request_error);
    };
    refused(*f.c);
    CHECK(f.peer.written() == before);
    CHECK(f.c->state() == state::authorization);

    auto s = three();
    CHECK(code_of([&] { s.c.retrieve(0); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { s.c.mark_deleted(0); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { s.c.top(0, 1); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { s.c.retrieve_each({1, 0}, nullptr, nullptr); }) == make_error_code(errc::invalid_argument));
    CHECK(s.server.commands().empty());
    s.c.close();
    refused(s.c);
    CHECK(s.server.commands().empty());
}

TEST_CASE("malformed LIST and UIDL lines: protocol_error, connection closed") {
    const char* bad_list[] = {"1", "x 5", "0 5", "1 5x", "-1 5", "1 99999999999999999999999", "1\t", ""};
    for (const char* line : bad_list) {
        INFO("LIST line \"" << std::string(line) << "\"");
        auto d = logged_in();
        // The bad line comes first: nothing reaches the callback.
        d.peer.push("+OK\r\n"s + line + "\r\n2 5\r\n.\r\n");
        std::size_t seen = 0;
        CHECK(protocol_code([&] { d.c->list([&](const message_size&) { ++seen; }); }) ==
              make_error_code(errc::malformed_reply));
        CHECK(seen == 0);
        CHECK(d.peer.closed());
        CHECK_FALSE(d.c->is_connected());
        CHECK(code_of([&] { d.c->noop(); }) == make_error_code(errc::invalid_state));
    }
    const std::string bad_uidl[] = {"1 " + std::string(71, 'u'), "1 has space", "1", "1 ", "0 abc", "x abc",
                                    "1 tab\x01", "1 nul\0x"s};
    for (const auto& line : bad_uidl) {
        INFO("UIDL line \"" << line << "\"");
        auto d = logged_in();
        d.peer.push("+OK\r\n1 good\r\n" + line + "\r\n3 good\r\n.\r\n");
        std::vector<std::string> seen;
        CHECK(protocol_code([&] { d.c->uidl([&](const message_uid& u) { seen.push_back(u.uid); }); }) ==
              make_error_code(errc::malformed_reply));
        CHECK(seen == std::vector<std::string>{"good"});
        CHECK(d.peer.closed());
    }
    // Single-message forms, STAT.
    auto single = [](const char* reply, auto&& call) {
        auto d = logged_in();
        d.peer.push(reply);
        CHECK_MESSAGE(protocol_code([&] { call(*d.c); }) == make_error_code(errc::malformed_reply), reply);
        CHECK(d.peer.closed());
    };
    single("+OK 2 100\r\n", [](client& c) { c.list(1); });  // the wrong message
    single("+OK 1\r\n", [](client& c) { c.list(1); });
    single("+OK 1 a b\r\n", [](client& c) { c.uidl(1); });
    single("+OK 2 abc\r\n", [](client& c) { c.uidl(1); });
    single("+OK lots\r\n", [](client& c) { c.stat(); });
    single("* 1 EXISTS\r\n", [](client& c) { c.noop(); });
    single("+OKAY\r\n", [](client& c) { c.reset(); });
}

TEST_CASE("a LIST line over limits.max_line is refused") {
    client_options o;
    o.limits.max_line = 100;
    auto d = logged_in(o);
    d.peer.push("+OK\r\n1 " + std::string(500, '1') + "\r\n.\r\n");
    CHECK(protocol_code([&] { d.c->list(); }) == make_error_code(errc::line_too_long));
    CHECK(d.peer.closed());
}

TEST_CASE("bytes sent unasked after a complete reply: protocol_error, not the next command's reply") {
    // "+OK" and a forged line in one segment: the forged line would be read
    // as the reply to the next command.
    struct injected {
        const char* reply;
        void (*call)(client&);
    };
    const injected cases[] = {
        {"+OK\r\n+OK forged\r\n", [](client& c) { c.mark_deleted(1); }},
        {"+OK\r\n-ERR forged\r\n", [](client& c) { c.noop(); }},
        {"+OK\r\n+OK\r\n", [](client& c) { c.reset(); }},
        {"+OK 1 2\r\n+OK 3 4\r\n", [](client& c) { c.stat(); }},
        {"-ERR no\r\n+OK forged\r\n", [](client& c) { c.mark_deleted(1); }},
        {"+OK\r\n1 5\r\n.\r\n2 6\r\n.\r\n", [](client& c) { c.list(); }},
        {"+OK\r\nmsg\r\n.\r\n+OK\r\n", [](client& c) { c.retrieve(1); }},
        {"+OK\r\n1 a\r\n.\r\n-ERR\r\n", [](client& c) { c.uidl(); }},
    };
    for (const auto& k : cases) {
        INFO(k.reply);
        auto d = logged_in();
        d.peer.push(k.reply);
        CHECK(protocol_code([&] { k.call(*d.c); }) == make_error_code(errc::unexpected_reply));
        CHECK(d.peer.closed());
    }
}

TEST_CASE("a sink or callback that throws closes the connection, the exception is the caller's") {
    struct stop {};
    auto s = three();
    CHECK_THROWS_AS(s.c.retrieve(2, [](std::string_view) { throw stop{}; }), stop);
    CHECK_FALSE(s.c.is_connected());
    CHECK(s.server.closed());
    auto t = three();
    CHECK_THROWS_AS(t.c.list([](const message_size& m) {
        if (m.number == 2) throw stop{};
    }),
                    stop);
    CHECK_FALSE(t.c.is_connected());
    auto u = three();
    CHECK_THROWS_AS(u.c.retrieve_each({1, 2, 3}, [](std::uint32_t n) -> net::sink_fn {
        if (n == 2) throw stop{};
        return {};
    },
                                      nullptr),
                    stop);
    CHECK_FALSE(u.c.is_connected());
}

TEST_CASE("the std::string forms are bounded by limits.max_message_in_memory") {
    client_options o;
    o.limits.max_message_in_memory = msg2.size();
    auto s = test::open_maildrop(test::fake_maildrop({msg1, msg2, msg3 + std::string(100, 'z') + "\r\n"}), o);
    CHECK(s.c.retrieve(2) == msg2);  // exactly the limit
    CHECK(s.c.top(3, 1).size() < msg2.size());
    try {
        s.c.retrieve(3);
        FAIL("no protocol_error");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::response_too_large));
        CHECK(std::string(e.what()).find("max_message_in_memory") != std::string::npos);
    }
    CHECK_FALSE(s.c.is_connected());
}

TEST_CASE("APOP: the RFC 1939 example") {
    auto f = test::start_on_duplex<client>(
        {"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n", "-ERR\r\n", "+OK maildrop has 1 message\r\n",
         "-ERR\r\n"},
        net::tls_mode::none, test::duplex_options{});
    f.c->apop("mrose", "tanstaaf", true);
    CHECK(f.peer.written() == "CAPA\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nCAPA\r\n");
    CHECK(f.c->state() == state::transaction);
    CHECK(f.c->info().auth_mechanism == "APOP");
}

TEST_CASE("APOP refusals") {
    const char* stamped = "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n";
    // No timestamp in the greeting: nothing to digest.
    auto f = test::start_on_duplex<client>({"+OK ready\r\n", "-ERR\r\n"}, net::tls_mode::none, test::duplex_options{});
    try {
        f.c->apop("mrose", "tanstaaf", true);
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::no_mechanism));
        CHECK(e.mechanism() == "APOP");
    }
    CHECK(f.peer.written() == "CAPA\r\n");

    // Without TLS unless allowed.
    auto g = test::start_on_duplex<client>({stamped, "-ERR\r\n"}, net::tls_mode::none, test::duplex_options{});
    CHECK(code_of([&] { g.c->apop("mrose", "tanstaaf"); }) == make_error_code(errc::cleartext_refused));
    CHECK(g.peer.written() == "CAPA\r\n");
    CHECK(g.c->state() == state::authorization);

    // Under TLS (STLS) it needs no permission; the server's -ERR is an
    // auth_error and the connection stays usable.
    test::duplex_options tls;
    tls.pretend_tls = true;
    auto h = test::start_on_duplex<client>(
        {stamped, "+OK\r\nSTLS\r\n.\r\n", "+OK go\r\n", "+OK\r\nUSER\r\n.\r\n", "-ERR [AUTH] wrong\r\n", "+OK\r\n",
         "+OK\r\n", "+OK\r\n.\r\n"},
        net::tls_mode::starttls, tls);
    try {
        h.c->apop("mrose", "wrong");
        FAIL("no auth_error");
    } catch (const auth_error& e) {
        CHECK(e.code() == make_error_code(errc::auth_failed));
        CHECK(e.server_reply().has_code("AUTH"));
    }
    CHECK(h.peer.written_after_tls().find("APOP mrose ") != std::string::npos);
    h.c->login("mrose", "right");
    CHECK(h.c->state() == state::transaction);

    // Refused after authentication.
    CHECK(code_of([&] { h.c->apop("mrose", "x"); }) == make_error_code(errc::invalid_state));
}
