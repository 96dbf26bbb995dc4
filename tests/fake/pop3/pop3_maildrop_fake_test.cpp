// The POP3 maildrop commands against scripted servers over TCP and TLS
// (tests/scripts/pop3/): a whole session, pipelined retrieval with DELE,
// and broken or hostile servers (repeated or malformed unique-ids, a RETR
// that stalls, NUL bytes and bare LFs in a message, a line injected after
// +OK).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "support/code_of.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using namespace std::string_literals;
using pigeon::test::alice;
using pigeon::test::check_script;
using pigeon::test::code_of;
using pigeon::test::script_server;

namespace {

client_options opts(const script_server& srv) {
    client_options o;
    o.net = test::script_session_options(srv);
    return o;
}

client logged_in(const script_server& srv, const client_options& o) {
    auto c = test::connected<client>(test::script_endpoint(srv, net::protocol::pop3, net::tls_mode::implicit), o);
    c.authenticate(alice());
    REQUIRE(c.state() == state::transaction);
    return c;
}

client logged_in(const script_server& srv) { return logged_in(srv, opts(srv)); }

} // namespace

TEST_CASE("a whole maildrop session, one command at a time") {
    auto srv = script_server::from_file("pop3/maildrop_session.txt");
    auto c = logged_in(srv);
    CHECK_FALSE(c.capabilities().pipelining());
    auto st = c.stat();
    CHECK(st.count == 2);
    CHECK(st.size == 83);
    auto l = c.list();
    REQUIRE(l.size() == 2);
    CHECK(l[1].size == 43);
    auto u = c.uidl();
    REQUIRE(u.size() == 2);
    CHECK(u[0].uid == "00000001aa");
    CHECK(c.top(2, 0) == "Subject: two\r\n\r\n");
    CHECK(c.retrieve(2) == "Subject: two\r\n\r\n.dot line\r\n..\r\nlast line\r\n");
    try {
        c.retrieve(3);
        FAIL("no command_error");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "SYS/PERM");
        CHECK(e.is_permanent());
    }
    c.mark_deleted(1);
    c.reset();
    c.noop();
    c.mark_deleted(2);
    c.quit();
    check_script(srv);
}

TEST_CASE("pipelined RETRs in one write, DELE after each retrieved message, none for the refused one") {
    auto srv = script_server::from_file("pop3/pipelined_delete.txt");
    auto c = logged_in(srv);
    REQUIRE(c.capabilities().pipelining());
    std::map<std::uint32_t, std::string> bodies;
    std::vector<retrieve_status> done;
    c.retrieve_each(
        {1, 2, 3}, [&](std::uint32_t n) { return net::string_sink(bodies[n]); },
        [&](const retrieve_status& s) { done.push_back(s); }, true);
    REQUIRE(done.size() == 3);
    CHECK(done[0].ok);
    CHECK(done[0].deleted);
    CHECK(bodies[1] == "one\r\n");
    CHECK_FALSE(done[1].ok);
    CHECK_FALSE(done[1].retrieved);
    CHECK(done[1].refusal.transient());
    CHECK(done[2].deleted);
    CHECK(bodies[3] == "three\r\n");
    c.quit();
    // The script reads all three RETRs before it answers any: a client that
    // waited for the first reply would fail it with a timeout.
    check_script(srv);
}

TEST_CASE("UIDL with repeated ids and numbers: returned as they came") {
    auto srv = script_server::from_file("pop3/uidl_duplicates.txt");
    auto c = logged_in(srv);
    auto u = c.uidl();
    REQUIRE(u.size() == 4);
    CHECK(u[0].uid == "same-id");
    CHECK(u[2].uid == "same-id");
    CHECK(u[3].number == 3);
    c.quit();
    check_script(srv);
}

TEST_CASE("a unique-id of 71 characters, or with a space: protocol_error, the connection closed") {
    for (const char* script : {"pop3/uidl_uid_too_long.txt", "pop3/uidl_uid_space.txt"}) {
        INFO(script);
        auto srv = script_server::from_file(script);
        auto c = logged_in(srv);
        const bool one = std::string(script).find("space") != std::string::npos;
        try {
            if (one) c.uidl(2);
            else c.uidl();
            FAIL("no protocol_error");
        } catch (const protocol_error& e) {
            CHECK(e.code() == make_error_code(errc::malformed_reply));
        }
        CHECK_FALSE(c.is_connected());
        check_script(srv);
    }
}

TEST_CASE("a RETR that stalls ends at the idle deadline") {
    auto srv = script_server::from_file("pop3/retr_stalls.txt");
    auto o = opts(srv);
    o.net.connect.io_timeout = std::chrono::milliseconds(300);
    auto c = logged_in(srv, o);
    std::string got;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(code_of([&] { c.retrieve(1, net::string_sink(got)); }) == make_error_code(net::errc::timeout));
    const auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(waited < std::chrono::milliseconds(1400));
    CHECK(got.size() < 64);  // at most what came before the silence
    CHECK_FALSE(c.is_connected());
    check_script(srv);
}

TEST_CASE("NUL bytes and a bare CR as received, a bare LF line end as CRLF") {
    auto srv = script_server::from_file("pop3/retr_nul_bare_lf.txt");
    auto c = logged_in(srv);
    CHECK(c.retrieve(1) == "Subject: nul\r\n\r\nA\0B\0\r\nbare\rCR\r\nbare LF\r\nlast\r\n"s);
    c.noop();
    c.quit();
    check_script(srv);
}

TEST_CASE("a line injected after +OK: protocol_error, nothing more sent") {
    auto srv = script_server::from_file("pop3/injected_after_ok.txt");
    auto c = logged_in(srv);
    try {
        c.mark_deleted(1);
        FAIL("no protocol_error");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::unexpected_reply));
    }
    CHECK_FALSE(c.is_connected());
    CHECK(code_of([&] { c.stat(); }) == make_error_code(errc::invalid_state));
    check_script(srv);
}
