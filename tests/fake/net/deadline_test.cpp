// Deadlines and cancel() on real sockets: a scripted server on 127.0.0.1
// drip-feeds, streams slowly or stalls (TCP, clear and TLS), and a
// unix-socket peer that reads slowly or not at all exercises the progress
// rule of writes. Every wait is short (timeouts of 200-300 ms).
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <thread>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/error.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

using namespace pigeon;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

long long ms_since(clock_type::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
}

net::channel_timeouts timeouts(std::chrono::milliseconds op, std::chrono::milliseconds idle) {
    net::channel_timeouts t;
    t.operation = op;
    t.idle = idle;
    return t;
}

/// A transcript that sends text one byte at a time, pausing between bytes.
std::string drip(const std::string& text, int pause_ms) {
    static const char hex[] = "0123456789abcdef";
    std::string script;
    for (unsigned char c : text) {
        script += "S~ \\x";
        script += hex[c >> 4];
        script += hex[c & 15];
        script += "\nSLEEP " + std::to_string(pause_ms) + "\n";
    }
    return script;
}

/// read_line must fail with errc::timeout after [at_least, below) ms.
void expect_line_timeout(net::channel& ch, long long at_least, long long below) {
    const auto t0 = clock_type::now();
    std::error_code ec;
    ch.read_line(1000, ec);
    const auto took = ms_since(t0);
    CHECK(ec == net::errc::timeout);
    CHECK(took >= at_least);
    CHECK(took < below);
}

net::channel connect_to(test::script_server& srv, net::tls_mode mode = net::tls_mode::none) {
    return net::open_channel(test::script_endpoint(srv, net::protocol::smtp, mode), test::script_session_options(srv));
}

/// A unix-socket peer for the write side: it accepts one connection and
/// reads `chunk` bytes every `pause` (pause 0 and chunk 0: never reads) until
/// the client closes or the peer is destroyed.
class slow_reader {
public:
    slow_reader(std::size_t chunk, std::chrono::milliseconds pause) : chunk_(chunk), pause_(pause) {
        char tmpl[] = "/tmp/pigeon-net-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/s";
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listen_fd_ >= 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::listen(listen_fd_, 1) == 0);
        thread_ = std::thread([this] { run(); });
    }
    ~slow_reader() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    const std::string& path() const { return path_; }
    std::size_t received() const { return received_.load(); }

private:
    void run() {
        pollfd p{listen_fd_, POLLIN, 0};
        while (!stop_ && ::poll(&p, 1, 20) == 0) {
        }
        if (stop_) return;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        std::string buf(chunk_ ? chunk_ : 1, '\0');
        while (!stop_) {
            if (chunk_ == 0) {
                std::this_thread::sleep_for(10ms);
                continue;
            }
            std::this_thread::sleep_for(pause_);
            ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n == 0) break;
            if (n > 0) received_ += static_cast<std::size_t>(n);
        }
        ::close(fd);
    }

    std::size_t chunk_;
    std::chrono::milliseconds pause_;
    std::string dir_, path_;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> received_{0};
    std::thread thread_;
};

net::channel connect_unix(const std::string& path) {
    net::endpoint ep;
    ep.unix_path = path;
    ep.tls = net::tls_mode::none;
    net::session_options o;
    o.connect.connect_timeout = 2s;
    return net::open_channel(ep, o);
}

/// A source of n bytes of text lines, handed out in pieces.
net::source_fn text_source(std::size_t n) {
    auto left = std::make_shared<std::size_t>(n);
    return [left](char* buf, std::size_t cap) -> std::size_t {
        std::size_t k = std::min(cap, *left);
        for (std::size_t i = 0; i < k; ++i) buf[i] = (i % 64 == 63) ? '\n' : 'a';
        *left -= k;
        return k;
    };
}

} // namespace

TEST_CASE("socket deadline: open_channel takes both timeouts from io_timeout") {
    test::script_server srv("S: 220 hi\n");
    auto o = test::script_session_options(srv);
    o.connect.io_timeout = 1234ms;
    auto ch = net::open_channel(test::script_endpoint(srv, net::protocol::smtp, net::tls_mode::none), o);
    CHECK(ch.timeouts().operation == 1234ms);
    CHECK(ch.timeouts().idle == 1234ms);
    CHECK(ch.read_line() == "220 hi");
}

TEST_CASE("socket deadline: a greeting drip-fed one byte per 50 ms fails after the operation timeout") {
    test::script_server srv(drip("220 a greeting that takes a second\r\n", 50));
    auto ch = connect_to(srv);
    ch.set_timeouts(timeouts(300ms, 60s));
    expect_line_timeout(ch, 250, 800);
    CHECK_FALSE(ch.is_open());
}

TEST_CASE("socket deadline: a dot block streamed slowly but steadily completes, a stalled one fails") {
    std::string lines, expect;
    for (int i = 0; i < 20; ++i) {
        lines += "S: line " + std::to_string(i) + "\nSLEEP 50\n";
        expect += "line " + std::to_string(i) + "\r\n";
    }
    SUBCASE("steady") {
        test::script_server srv("S: 215 follows\n" + lines + "S: .\n");
        auto ch = connect_to(srv);
        ch.set_timeouts(timeouts(300ms, 300ms));
        CHECK(ch.read_line() == "215 follows");
        std::string got;
        const auto t0 = clock_type::now();
        std::error_code ec;
        ch.read_dot_block([&](std::string_view b) { got += b; }, 0, ec);
        CHECK_FALSE(ec);
        CHECK(got == expect);
        CHECK(ms_since(t0) >= 800);
        test::check_script(srv);
    }
    SUBCASE("stalled") {
        test::script_server srv("S: 215 follows\nS: one\nS: two\nSLEEP 3000\nS: .\n");
        auto ch = connect_to(srv);
        ch.set_timeouts(timeouts(5s, 300ms));
        CHECK(ch.read_line() == "215 follows");
        const auto t0 = clock_type::now();
        std::error_code ec;
        ch.read_dot_block([](std::string_view) {}, 0, ec);
        const auto took = ms_since(t0);
        CHECK(ec == net::errc::timeout);
        CHECK(took >= 250);
        CHECK(took < 1000);
    }
}

TEST_CASE("socket deadline: scoped_operation_timeout extends one wait") {
    test::script_server srv("S: 354 go\nSLEEP 700\nS: 250 queued\nSLEEP 700\nS: 250 late\n");
    auto ch = connect_to(srv);
    ch.set_timeouts(timeouts(300ms, 300ms));
    CHECK(ch.read_line() == "354 go");
    {
        net::scoped_operation_timeout ten_minutes(ch, 10min);
        CHECK(ch.read_line() == "250 queued");
    }
    std::error_code ec;
    ch.read_line(100, ec);
    CHECK(ec == net::errc::timeout);
}

TEST_CASE("socket cancel: another thread unblocks a read_line within 100 ms, clear text and TLS") {
    for (auto mode : {net::tls_mode::none, net::tls_mode::implicit}) {
        CAPTURE(static_cast<int>(mode));
        test::script_server srv(std::string(mode == net::tls_mode::implicit ? "TLS\n" : "") +
                                "S: 220 hi\nSLEEP 5000\nS: 250 never read\n");
        auto ch = connect_to(srv, mode);
        ch.set_timeouts(timeouts(10s, 10s));
        CHECK(ch.read_line() == "220 hi");
        clock_type::time_point cancelled_at;
        std::thread canceller([&] {
            std::this_thread::sleep_for(150ms);
            cancelled_at = clock_type::now();
            ch.cancel();
        });
        std::error_code ec;
        ch.read_line(100, ec);
        const auto returned_at = clock_type::now();
        canceller.join();
        CHECK(ec == net::errc::cancelled);
        CHECK(returned_at - cancelled_at < 100ms);
        CHECK_FALSE(ch.is_open());
        ch.write_command("QUIT", ec);
        CHECK(ec == net::errc::cancelled);
    }
}

TEST_CASE("socket cancel: unblocks a write stuck on a peer that does not read") {
    slow_reader peer(0, 0ms);
    auto ch = connect_unix(peer.path());
    ch.set_timeouts(timeouts(10s, 10s));
    clock_type::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(150ms);
        cancelled_at = clock_type::now();
        ch.cancel();
    });
    std::error_code ec;
    ch.write_dot_block(text_source(64u << 20), ec);
    const auto returned_at = clock_type::now();
    canceller.join();
    CHECK(ec == net::errc::cancelled);
    CHECK(returned_at - cancelled_at < 100ms);
}

TEST_CASE("socket deadline: writes follow the progress rule") {
    SUBCASE("a slow but steady reader gets the whole message") {
        // 64 KiB every 25 ms is about 2.5 MB/s: 1.5 MB take well over idle
        // once the socket buffer (about 200 KiB) is full.
        slow_reader peer(64 * 1024, 25ms);
        auto ch = connect_unix(peer.path());
        ch.set_timeouts(timeouts(200ms, 200ms));
        const std::size_t size = 1536 * 1024;
        const auto t0 = clock_type::now();
        std::error_code ec;
        CHECK(ch.write_dot_block(text_source(size), ec) == size);
        CHECK_FALSE(ec);
        CHECK(ms_since(t0) > 400);  // longer than the idle limit: progress counted
        std::string big(256 * 1024, 'x');
        for (int i = 0; i < 3 && !ec; ++i) ch.write_raw(big, ec);
        CHECK_FALSE(ec);
    }
    SUBCASE("a reader that stops fails the write after idle") {
        slow_reader peer(0, 0ms);
        auto ch = connect_unix(peer.path());
        ch.set_timeouts(timeouts(60s, 250ms));
        const auto t0 = clock_type::now();
        std::error_code ec;
        ch.write_dot_block(text_source(64u << 20), ec);
        const auto took = ms_since(t0);
        CHECK(ec == net::errc::timeout);
        CHECK(took >= 200);
        CHECK(took < 1500);
        CHECK_FALSE(ch.is_open());
    }
    SUBCASE("write_raw of a large buffer to a stalled reader fails after idle") {
        slow_reader peer(0, 0ms);
        auto ch = connect_unix(peer.path());
        ch.set_timeouts(timeouts(60s, 250ms));
        std::string big(8u << 20, 'x');
        const auto t0 = clock_type::now();
        std::error_code ec;
        ch.write_raw(big, ec);
        CHECK(ec == net::errc::timeout);
        CHECK(ms_since(t0) < 1500);
    }
}

TEST_CASE("socket wait_readable: a TLS record already read from the socket counts as input") {
    // Two records arrive together; the channel takes the first line. With
    // OpenSSL's read-ahead the second record sits inside OpenSSL, not in the
    // socket: wait_readable must say so at once instead of polling the
    // empty socket until the time runs out (IMAP IDLE would miss the line).
    test::script_server srv("TLS\nS: 220 hi\nSLEEP 50\nS: 250 second\nSLEEP 3000\n");
    auto ch = connect_to(srv, net::tls_mode::implicit);
    ch.set_timeouts(timeouts(10s, 10s));
    std::this_thread::sleep_for(300ms);   // both records are in the socket
    CHECK(ch.read_line() == "220 hi");
    std::error_code ec;
    const auto t0 = clock_type::now();
    CHECK(ch.wait_readable(2000ms, ec));
    CHECK(!ec);
    CHECK(ms_since(t0) < 500);
    CHECK(ch.read_line() == "250 second");
}
