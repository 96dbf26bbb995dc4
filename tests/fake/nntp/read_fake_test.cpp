// The NNTP client's reading commands against scripted servers
// (tests/scripts/nntp/): MODE READER on a mode-switching server, OVER with
// reordered and missing fields, a 423 in the middle of a pipelined window
// (the script only answers once four commands are in), an article that never
// ends or is over the limit, huge numbers, a high-water mark that went down,
// a reply injected into a pipeline, POST after AUTHINFO.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pigeon/nntp/client.hpp"
#include "support/code_of.hpp"
#include "support/connected.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
using pigeon::test::check_script;
using pigeon::test::code_of;
using pigeon::test::script_server;

namespace {

net::endpoint ep(const script_server& srv, net::tls_mode mode = net::tls_mode::none) {
    return test::script_endpoint(srv, net::protocol::nntp, mode);
}

client_options opts(const script_server& srv) {
    client_options o;
    o.net = test::script_session_options(srv);
    return o;
}

} // namespace

TEST_CASE("a mode-switching server: MODE READER, GROUP, OVER by the server's field order") {
    auto srv = script_server::from_file("nntp/read_mode_switching.txt");
    auto c = test::connected<client>(ep(srv), opts(srv));
    CHECK_FALSE(c.capabilities().reader());
    auto g = c.group("misc.test");
    CHECK(c.capabilities().reader());
    CHECK(g.low == 10);
    CHECK(c.current_article() == 10);
    auto e = c.over(range::between(g.low, g.high));
    REQUIRE(e.size() == 3);
    CHECK(e[0].message_id == "<10@x>");
    CHECK(e[0].bytes == 1200u);
    CHECK(e[0].subject == "first");
    CHECK(e[0].from == "A <a@x>");
    CHECK(e[0].lines == 20u);
    CHECK(e[0].references.empty());
    CHECK_FALSE(e[1].bytes);  // empty field
    CHECK(e[1].subject == "second");
    CHECK(e[1].from.empty());  // missing at the end of the line
    CHECK(e[2].subject.empty());
    CHECK(c.over(range::single(12)).at(0).subject == "third");  // the format is not asked again
    c.quit();
    check_script(srv);
}

TEST_CASE("pipelined ARTICLE: four in flight, a 423 in the middle, the rest continue") {
    auto srv = script_server::from_file("nntp/pipelined_423.txt");
    auto o = opts(srv);
    o.pipeline_window = 4;
    auto c = test::connected<client>(ep(srv), o);
    auto g = c.group("lab.bench");
    std::vector<article_ref> refs;
    for (article_number n = g.low; n <= g.high; ++n) refs.push_back(n);
    std::vector<std::string> bodies(refs.size());
    std::vector<retrieve_status> done;
    c.retrieve_each(
        refs, [&](const article_ref& r) { return net::string_sink(bodies[r.number() - 1]); },
        [&](const retrieve_status& s) { done.push_back(s); });
    REQUIRE(done.size() == 6);
    CHECK(bodies[0] == "Subject: one\r\n\r\n.body 1\r\n");
    CHECK_FALSE(done[2].ok);
    CHECK(done[2].refusal.code == 423);
    CHECK(done[2].ref == article_ref(3));
    CHECK(bodies[2].empty());
    for (std::size_t i : {0u, 1u, 3u, 4u, 5u}) {
        INFO(i);
        CHECK(done[i].ok);
        CHECK(done[i].status.number == i + 1);
        CHECK(done[i].status.bytes == bodies[i].size());
    }
    CHECK(bodies[5] == "Subject: six\r\n\r\nbody 6\r\n");
    c.quit();
    check_script(srv);
}

TEST_CASE("an article that never ends: the idle deadline ends it") {
    auto srv = script_server::from_file("nntp/article_never_ends.txt");
    auto o = opts(srv);
    o.net.connect.io_timeout = std::chrono::milliseconds(300);
    auto c = test::connected<client>(ep(srv), o);
    std::string got;
    auto t0 = std::chrono::steady_clock::now();
    CHECK(code_of([&] { c.article("<slow@x>", net::string_sink(got)); }) == make_error_code(net::errc::timeout));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1400));
    CHECK_FALSE(c.is_connected());
    check_script(srv);
}

TEST_CASE("an article over limits.max_article_bytes: stopped, the connection closed") {
    auto srv = script_server::from_file("nntp/article_over_limit.txt");
    auto o = opts(srv);
    o.limits.max_article_bytes = 200;
    auto c = test::connected<client>(ep(srv), o);
    std::string got;
    CHECK(code_of([&] { c.body(1, net::string_sink(got)); }) == make_error_code(errc::response_too_large));
    CHECK(got.size() <= 200);
    CHECK_FALSE(c.is_connected());
    check_script(srv);
}

TEST_CASE("huge article numbers: 64 bits pass, beyond is malformed") {
    auto srv = script_server::from_file("nntp/huge_numbers.txt");
    auto c = test::connected<client>(ep(srv), opts(srv));
    auto n = c.listgroup("big.group");
    CHECK(n == std::vector<article_number>{4294967296ull, 18446744073709551615ull});
    CHECK(c.selected_group()->count == 18446744073709551615ull);
    CHECK(c.stat(18446744073709551615ull).message_id == "<last@x>");
    CHECK(c.current_article() == 18446744073709551615ull);
    CHECK(code_of([&] { c.group("bigger.group"); }) == make_error_code(errc::malformed_reply));
    CHECK_FALSE(c.is_connected());
    check_script(srv);
}

TEST_CASE("a high-water mark that went down: reported as it is, nothing asked beyond it") {
    auto srv = script_server::from_file("nntp/high_water_down.txt");
    auto c = test::connected<client>(ep(srv), opts(srv));
    auto before = c.group("lab.test");
    auto now = c.group("lab.test");
    CHECK(before.high == 20);
    CHECK(now.high == 8);
    int newer = 0;
    c.over(range::between(before.high + 1, now.high), [&](const overview_entry&) { ++newer; });
    CHECK(newer == 0);
    auto all = c.over(range::between(now.low, now.high));
    REQUIRE(all.size() == 2);
    CHECK(all[1].number == 8);
    c.quit();
    check_script(srv);
}

TEST_CASE("a reply injected into a pipeline is caught by its article number") {
    auto srv = script_server::from_file("nntp/injected_reply.txt");
    auto c = test::connected<client>(ep(srv), opts(srv));
    std::vector<std::string> bodies(3);
    std::vector<retrieve_status> done;
    CHECK(code_of([&] {
              c.retrieve_each(
                  {1, 2}, [&](const article_ref& r) { return net::string_sink(bodies[r.number()]); },
                  [&](const retrieve_status& s) { done.push_back(s); });
          }) == make_error_code(errc::unexpected_reply));
    REQUIRE(done.size() == 1);
    CHECK(bodies[1] == "Subject: one\r\n\r\nbody\r\n");
    CHECK(bodies[2].empty());  // the injected article reached no sink
    CHECK_FALSE(c.is_connected());
    check_script(srv);
}

TEST_CASE("POST after AUTHINFO: dot-stuffed with CRLF, 441 after sending keeps the connection") {
    auto srv = script_server::from_file("nntp/post_authinfo.txt");
    auto c = test::connected<client>(ep(srv, net::tls_mode::implicit), opts(srv));
    c.login("alice@lab.test", "alice-pass-1");
    CHECK(c.capabilities().post());
    auto r = c.post("From: alice@lab.test\nNewsgroups: lab.test\nSubject: hello\n\n.a line with a dot\nend\n");
    CHECK(r.code == 240);
    try {
        c.post("Subject: no newsgroups\r\n\r\nbody\r\n");
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 441);
        CHECK(e.is_permanent());
    }
    c.noop();
    c.quit();
    check_script(srv);
}
