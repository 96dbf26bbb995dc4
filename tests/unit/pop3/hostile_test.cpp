// Servers that send too much, forever, or stop: a LIST of a million lines
// (the callback form takes them all, the vector form stops at its limit), a
// message without end (streamed in bounded memory until the sink stops it;
// the std::string form stops at its limit), a listing line or status line
// without end, a server that falls silent in the middle of a message. The
// replies are generated as they are read: nothing here holds them whole, so
// the peak RSS of this process shows what the client holds.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "answering_stream.hpp"
#include "support/code_of.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
using pigeon::test::code_of;

namespace {

long status_kib(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(f, line))
        if (line.rfind(k, 0) == 0) return std::stol(line.substr(k.size()));
    return -1;
}

// Resets the peak RSS (Linux clear_refs); false where that is not possible.
bool reset_peak() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    f.flush();
    return static_cast<bool>(f) && status_kib("VmHWM") > 0;
}

// AddressSanitizer keeps freed memory in quarantine: RSS says nothing then.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool rss_meaningful = false;
#else
constexpr bool rss_meaningful = true;
#endif

// Peak RSS growth over f in KiB, or -1 when it cannot be measured.
template <class F>
long peak_growth_kib(F&& f) {
    const bool ok = rss_meaningful && reset_peak();
    const long before = status_kib("VmRSS");
    f();
    return ok ? status_kib("VmHWM") - before : -1;
}

// The reply to one command, everything else "+OK" (CAPA: -ERR).
using reply_fn = std::function<net::source_fn()>;

struct hostile {
    test::answering_handle server;
    client c;
};

hostile connect_to(std::string command, reply_fn make, const client_options& o = {}) {
    auto s = std::make_unique<test::answering_stream>("+OK hostile\r\n", [command, make](std::string_view cmd) {
        if (cmd == command) return make();
        if (cmd == "CAPA") return test::answer("-ERR\r\n");
        return test::answer("+OK\r\n");
    });
    auto h = s->handle();
    net::endpoint ep;
    ep.host = "test.invalid";
    ep.tls = net::tls_mode::none;
    client c;
    c.connect(net::channel(std::move(s)), ep, o);
    c.login("u", "p", true);
    h.reset_record();
    return {h, std::move(c)};
}

// "+OK", then lines "<i> <i*7>" for i = 1..n (UIDL: "<i> id<i>"), then ".".
reply_fn listing(std::uint32_t n, bool uidl) {
    return [n, uidl] {
        auto i = std::make_shared<std::uint32_t>(0);
        return test::answer_lines(
            "+OK\r\n",
            [i, n, uidl](std::string& line) {
                if (*i == n) return false;
                ++*i;
                line = std::to_string(*i) + ' ' + (uidl ? "id" + std::to_string(*i) : std::to_string(*i * 7ull)) + "\r\n";
                return true;
            },
            ".\r\n");
    };
}

// "+OK", then the same 78-character line forever.
reply_fn endless_message() {
    return [] {
        return test::answer_lines(
            "+OK\r\n",
            [](std::string& line) {
                line.assign(76, 'x');
                line += "\r\n";
                return true;
            },
            "");
    };
}

} // namespace

TEST_CASE("a LIST of a million lines: the callback form takes them all in bounded memory") {
    constexpr std::uint32_t n = 1'000'000;
    auto h = connect_to("LIST", listing(n, false));
    std::uint32_t count = 0, out_of_order = 0;
    std::uint64_t sizes = 0;
    const long growth = peak_growth_kib([&] {
        h.c.list([&](const message_size& m) {
            ++count;
            if (m.number != count) ++out_of_order;
            sizes += m.size;
        });
    });
    CHECK(count == n);
    CHECK(out_of_order == 0);
    CHECK(sizes == 7ull * n * (n + 1) / 2);
    MESSAGE("peak RSS growth over a 1e6-line LIST (callback): " << growth << " KiB");
    if (growth >= 0) CHECK(growth < 4 * 1024);
    h.c.noop();  // in step
}

TEST_CASE("a LIST of a million lines: the vector form up to limits.max_listing_entries, then protocol_error at once") {
    constexpr std::uint32_t n = 1'000'000;
    {
        auto h = connect_to("LIST", listing(n, false));
        auto v = h.c.list();  // the default limit is a million
        CHECK(v.size() == n);
        CHECK(v.back().number == n);
    }
    {
        auto h = connect_to("LIST", listing(n + 1, false));
        CHECK(code_of([&] { h.c.list(); }) == make_error_code(errc::response_too_large));
    }
    client_options o;
    o.limits.max_listing_entries = 1000;
    auto h = connect_to("LIST", listing(n, false), o);
    try {
        h.c.list();
        FAIL("no protocol_error");
    } catch (const protocol_error& e) {
        CHECK(e.code() == make_error_code(errc::response_too_large));
        CHECK(std::string(e.what()).find("max_listing_entries") != std::string::npos);
    }
    CHECK_FALSE(h.c.is_connected());
    CHECK(h.server.closed());
    // Stopped within about a buffer of the limit, not at the end of 13 MB.
    MESSAGE("bytes read of the listing: " << h.server.served());
    CHECK(h.server.served() < 512 * 1024);

    // The same for UIDL.
    auto u = connect_to("UIDL", listing(n, true), o);
    CHECK(code_of([&] { u.c.uidl(); }) == make_error_code(errc::response_too_large));
    auto w = connect_to("UIDL", listing(n, true));
    std::uint32_t count = 0;
    w.c.uidl([&](const message_uid& m) { count += m.uid == "id" + std::to_string(m.number); });
    CHECK(count == n);
}

TEST_CASE("a message without end: streamed in bounded memory until the sink stops it") {
    auto h = connect_to("RETR 1", endless_message());
    struct enough {};
    constexpr std::uint64_t stop_at = 256ull * 1024 * 1024;
    std::uint64_t total = 0;
    std::size_t biggest = 0;
    const long growth = peak_growth_kib([&] {
        CHECK_THROWS_AS(h.c.retrieve(1,
                                     [&](std::string_view chunk) {
                                         total += chunk.size();
                                         biggest = std::max(biggest, chunk.size());
                                         if (total >= stop_at) throw enough{};
                                     }),
                        enough);
    });
    CHECK(total >= stop_at);
    CHECK(biggest <= 128 * 1024);
    MESSAGE("peak RSS growth while streaming 256 MiB of an endless message: " << growth << " KiB");
    if (growth >= 0) CHECK(growth < 4 * 1024);
    CHECK_FALSE(h.c.is_connected());  // the rest of the message cannot be skipped
    CHECK(h.server.closed());
}

TEST_CASE("a message without end into the std::string form: response_too_large at its limit") {
    client_options o;
    o.limits.max_message_in_memory = 1024 * 1024;
    auto h = connect_to("RETR 1", endless_message(), o);
    CHECK(code_of([&] { h.c.retrieve(1); }) == make_error_code(errc::response_too_large));
    CHECK(h.server.closed());
    CHECK(h.server.served() < 2 * 1024 * 1024);
    auto t = connect_to("TOP 1 5", endless_message(), o);
    CHECK(code_of([&] { t.c.top(1, 5); }) == make_error_code(errc::response_too_large));
}

TEST_CASE("a listing line or status line without end: line_too_long, bounded") {
    reply_fn endless_line = [] {
        return test::answer_lines(
            "+OK\r\n1 ",
            [](std::string& line) {
                line.assign(4096, '7');
                return true;
            },
            "");
    };
    auto h = connect_to("LIST", endless_line);
    CHECK(code_of([&] { h.c.list([](const message_size&) {}); }) == make_error_code(errc::line_too_long));
    CHECK(h.server.served() < 1024 * 1024);
    CHECK(h.server.closed());

    reply_fn endless_status = [] {
        return test::answer_lines(
            "+OK ",
            [](std::string& line) {
                line.assign(4096, 's');
                return true;
            },
            "");
    };
    auto s = connect_to("STAT", endless_status);
    CHECK(code_of([&] { s.c.stat(); }) == make_error_code(errc::line_too_long));
    CHECK(s.server.served() < 128 * 1024);  // a buffer's worth, for an 8 KiB limit
}

TEST_CASE("a server that falls silent in the middle of a message: the read's deadline ends it") {
    // The stream reports a timeout once the reply stops, as a socket does
    // when the idle deadline (connect_options::io_timeout) passes.
    reply_fn stalls = [] {
        auto i = std::make_shared<int>(0);
        return test::answer_lines(
            "+OK\r\n",
            [i](std::string& line) {
                if (++*i > 1000) return false;
                line = "line\r\n";
                return true;
            },
            "");
    };
    auto h = connect_to("RETR 1", stalls);
    std::uint64_t got = 0;
    CHECK(code_of([&] { h.c.retrieve(1, [&](std::string_view c) { got += c.size(); }); }) ==
          make_error_code(net::errc::timeout));
    CHECK(got <= 6000);
    CHECK_FALSE(h.c.is_connected());
}
