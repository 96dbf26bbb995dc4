// Per-operation deadlines, the progress rule of bulk transfers, cancel() and
// scoped_operation_timeout, on the in-memory stream with real (short) waits:
// duplex_options::chunk_delay makes each chunk arrive late, the way a server
// that drip-feeds its bytes does. tests/fake/net/ repeats the timing cases on
// real sockets.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/error.hpp"
#include "support/duplex_stream.hpp"

using namespace pigeon;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct rig {
    test::duplex_peer peer;
    net::channel ch;
    explicit rig(std::vector<std::string> chunks, test::duplex_options o = {})
        : rig(std::make_unique<test::duplex_stream>(std::move(chunks), o)) {}
    explicit rig(std::unique_ptr<test::duplex_stream> s) : peer(s->peer()), ch(std::move(s)) {}
};

std::vector<std::string> bytes_of(const std::string& s) {
    std::vector<std::string> v;
    for (char c : s) v.emplace_back(1, c);
    return v;
}

long long ms_since(clock_type::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
}

net::channel_timeouts timeouts(std::chrono::milliseconds op, std::chrono::milliseconds idle) {
    net::channel_timeouts t;
    t.operation = op;
    t.idle = idle;
    return t;
}

} // namespace

TEST_CASE("deadline: defaults, and saturating arithmetic") {
    rig r(std::vector<std::string>{});
    CHECK(r.ch.timeouts().operation == 60s);
    CHECK(r.ch.timeouts().idle == 60s);
    const auto now = clock_type::now();
    CHECK(net::saturating_after(now, std::chrono::milliseconds::max()) == clock_type::time_point::max());
    CHECK(net::saturating_after(now, 0ms) == clock_type::time_point::max());
    CHECK(net::saturating_after(now, 5ms) == now + 5ms);
    net::io_deadline d = net::io_deadline::progress(100ms);
    CHECK(d.at == clock_type::time_point::max());
    CHECK(d.limit(now) == now + 100ms);
    d.at = now + 50ms;
    CHECK(d.limit(now) == now + 50ms);
    CHECK(net::io_deadline::after(0ms).limit(now) == clock_type::time_point::max());
}

TEST_CASE("deadline: a greeting drip-fed one byte per 50 ms fails after the operation timeout") {
    test::duplex_options o;
    o.chunk_delay = 50ms;
    rig r(bytes_of("220 drip-fed greeting that takes more than a second\r\n"), o);
    r.ch.set_timeouts(timeouts(300ms, 60s));
    const auto t0 = clock_type::now();
    std::error_code ec;
    r.ch.read_line(1000, ec);
    const auto took = ms_since(t0);
    CHECK(ec == net::errc::timeout);
    CHECK(took >= 250);
    CHECK(took < 800);
    CHECK_FALSE(r.ch.is_open());
    // Every byte came well within the old per-read limit: each read_some ran
    // under the one deadline of the line.
    REQUIRE(r.peer.deadlines().size() >= 2);
    CHECK(r.peer.deadlines().front().at == r.peer.deadlines().back().at);
    CHECK(r.peer.deadlines().front().idle == 0ms);
}

TEST_CASE("deadline: the same greeting arrives whole when the operation timeout allows it") {
    test::duplex_options o;
    o.chunk_delay = 10ms;
    rig r(bytes_of("220 ok\r\n"), o);
    r.ch.set_timeouts(timeouts(2s, 20ms));  // idle plays no part in a line
    CHECK(r.ch.read_line() == "220 ok");
}

TEST_CASE("deadline: a dot block streamed slowly but steadily completes under the progress rule") {
    // 20 chunks, one per 50 ms: a second in all, with idle = 300 ms.
    std::vector<std::string> chunks;
    std::string expect;
    for (int i = 0; i < 20; ++i) {
        chunks.push_back("line " + std::to_string(i) + "\r\n");
        expect += chunks.back();
    }
    chunks.push_back(".\r\n");
    test::duplex_options o;
    o.chunk_delay = 50ms;
    rig r(chunks, o);
    r.ch.set_timeouts(timeouts(300ms, 300ms));
    std::string got;
    const auto t0 = clock_type::now();
    std::error_code ec;
    r.ch.read_dot_block([&](std::string_view b) { got += b; }, 0, ec);
    CHECK_FALSE(ec);
    CHECK(got == expect);
    CHECK(ms_since(t0) >= 900);  // longer than both timeouts: progress is what counts
    for (const auto& d : r.peer.deadlines()) {
        CHECK(d.at == clock_type::time_point::max());
        CHECK(d.idle == 300ms);
    }
}

TEST_CASE("deadline: a stalled dot block fails after idle without progress") {
    test::duplex_options o;
    o.at_end = test::end_of_input::wait;
    rig r({"first\r\n", "second\r\n"}, o);
    r.ch.set_timeouts(timeouts(5s, 300ms));
    std::string got;
    const auto t0 = clock_type::now();
    std::error_code ec;
    r.ch.read_dot_block([&](std::string_view b) { got += b; }, 0, ec);
    const auto took = ms_since(t0);
    CHECK(ec == net::errc::timeout);
    CHECK(took >= 250);
    CHECK(took < 1000);
    CHECK_FALSE(r.ch.is_open());
}

TEST_CASE("deadline: read_exact streams slowly arriving literal data, fails on a stall") {
    test::duplex_options o;
    o.chunk_delay = 40ms;
    {
        rig r(std::vector<std::string>(12, "0123456789"), o);
        r.ch.set_timeouts(timeouts(100ms, 200ms));
        std::string got;
        std::error_code ec;
        r.ch.read_exact(120, [&](std::string_view b) { got += b; }, ec);
        CHECK_FALSE(ec);
        CHECK(got.size() == 120);
    }
    {
        o.chunk_delay = 400ms;
        rig r({"0123456789", "0123456789"}, o);
        r.ch.set_timeouts(timeouts(5s, 200ms));
        std::error_code ec;
        r.ch.read_exact(20, [](std::string_view) {}, ec);
        CHECK(ec == net::errc::timeout);
    }
}

TEST_CASE("deadline: what each operation arms") {
    rig r({"+OK\r\n", "x\r\n.\r\n", "abc"});
    r.ch.set_timeouts(timeouts(700ms, 900ms));
    auto near = [](clock_type::time_point at, std::chrono::milliseconds d) {
        auto expected = clock_type::now() + d;
        return at <= expected && at > expected - 200ms;
    };
    r.ch.write_command("STAT");
    REQUIRE(r.peer.deadlines().size() == 1);
    CHECK(r.peer.deadlines()[0].idle == 0ms);
    CHECK(near(r.peer.deadlines()[0].at, 700ms));
    r.ch.write_commands({"A", "B"});
    CHECK(near(r.peer.deadlines().back().at, 700ms));
    CHECK(r.ch.read_line() == "+OK");
    CHECK(near(r.peer.deadlines().back().at, 700ms));
    CHECK(r.peer.deadlines().back().idle == 0ms);
    r.ch.read_dot_block([](std::string_view) {});
    CHECK(r.peer.deadlines().back().at == clock_type::time_point::max());
    CHECK(r.peer.deadlines().back().idle == 900ms);
    r.ch.read_exact(3, [](std::string_view) {});
    CHECK(r.peer.deadlines().back().idle == 900ms);
    r.ch.write_raw("raw");
    CHECK(r.peer.deadlines().back().idle == 900ms);
    r.ch.write_dot_block(net::string_source("data\r\n"));
    CHECK(r.peer.deadlines().back().idle == 900ms);
    CHECK(r.peer.deadlines().back().at == clock_type::time_point::max());
    {
        net::scoped_operation_timeout longer(r.ch, 10min);
        r.ch.write_command("QUIT");
        CHECK(near(r.peer.deadlines().back().at, 10min));
        {
            net::scoped_operation_timeout nested(r.ch, 2s);
            r.ch.write_command("NOOP");
            CHECK(near(r.peer.deadlines().back().at, 2s));
        }
        r.ch.write_command("NOOP");
        CHECK(near(r.peer.deadlines().back().at, 10min));
        CHECK(r.ch.timeouts().operation == 700ms);  // the configured value is unchanged
    }
    r.ch.write_command("NOOP");
    CHECK(near(r.peer.deadlines().back().at, 700ms));
    // Zero: no limit.
    r.ch.set_timeouts(timeouts(0ms, 0ms));
    r.ch.write_command("NOOP");
    CHECK(r.peer.deadlines().back().at == clock_type::time_point::max());
    r.ch.write_raw("x");
    CHECK(r.peer.deadlines().back().idle == 0ms);
    CHECK(r.peer.deadlines().back().at == clock_type::time_point::max());
}

TEST_CASE("deadline: scoped_operation_timeout extends one wait") {
    test::duplex_options o;
    o.chunk_delay = 500ms;
    {
        rig r({"250 ok\r\n"}, o);
        r.ch.set_timeouts(timeouts(200ms, 200ms));
        std::error_code ec;
        r.ch.read_line(100, ec);
        CHECK(ec == net::errc::timeout);
    }
    {
        rig r({"250 queued\r\n", "250 next\r\n"}, o);
        r.ch.set_timeouts(timeouts(200ms, 200ms));
        {
            net::scoped_operation_timeout wait_longer(r.ch, 2s);
            CHECK(r.ch.read_line() == "250 queued");
        }
        // The scope is gone: the next late reply times out again.
        std::error_code ec;
        r.ch.read_line(100, ec);
        CHECK(ec == net::errc::timeout);
    }
}

TEST_CASE("deadline: a scope may outlive its channel (an error path destroyed it)") {
    std::optional<rig> r;
    r.emplace(std::vector<std::string>{"250 ok\r\n"});
    {
        net::scoped_operation_timeout longer(r->ch, 10min);
        CHECK(r->ch.read_line() == "250 ok");
        r.reset();  // the client closed and dropped the channel
    }
    // And a scope on a moved channel keeps applying to the moved-to one.
    rig a(std::vector<std::string>{});
    net::channel b(std::move(a.ch));
    net::scoped_operation_timeout on_a(a.ch, 1s);  // moved-from: no effect, no crash
    net::scoped_operation_timeout on_b(b, 3s);
    b.write_command("NOOP");
    CHECK(a.peer.deadlines().back().at > clock_type::now() + 2s);
}

TEST_CASE("cancel: another thread unblocks a read_line within 100 ms") {
    test::duplex_options o;
    o.at_end = test::end_of_input::wait;
    rig r(std::vector<std::string>{}, o);
    r.ch.set_timeouts(timeouts(10s, 10s));
    clock_type::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(100ms);
        cancelled_at = clock_type::now();
        r.ch.cancel();
    });
    std::error_code ec;
    r.ch.read_line(100, ec);
    const auto returned_at = clock_type::now();
    canceller.join();
    CHECK(ec == net::errc::cancelled);
    CHECK(returned_at - cancelled_at < 100ms);
    CHECK(r.peer.cancelled());
    CHECK_FALSE(r.ch.is_open());
    CHECK(r.peer.closed());
    CHECK(r.ch.cancelled());
    // Every later call fails the same way.
    r.ch.write_command("QUIT", ec);
    CHECK(ec == net::errc::cancelled);
    CHECK(ec == std::errc::operation_canceled);
}

TEST_CASE("cancel: before a call, the call fails at once without touching the stream") {
    rig r({"220 hi\r\n"});
    r.ch.cancel();
    std::error_code ec;
    r.ch.read_line(100, ec);
    CHECK(ec == net::errc::cancelled);
    CHECK(r.peer.operations() == 0);
    CHECK_FALSE(r.ch.is_open());
    r.ch.cancel();  // again, on a closed channel: harmless
    net::channel moved(std::move(r.ch));
    r.ch.cancel();  // a moved-from channel: harmless
}

TEST_CASE("cancel: interrupts a slow bulk transfer and races safely with the owner closing") {
    for (int i = 0; i < 20; ++i) {
        test::duplex_options o;
        o.chunk_delay = 1ms;
        rig r(std::vector<std::string>(200, "x\r\n"), o);
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(i));
            r.ch.cancel();
        });
        std::error_code ec;
        r.ch.read_dot_block([](std::string_view) {}, 0, ec);
        if (i % 2) r.ch.close();
        canceller.join();
        CHECK(ec == net::errc::cancelled);
    }
}
