// The alert mailer (outbox/alert_mailer.hpp) against in-test SMTP servers
// (mini_smtp.hpp): a burst from 8 threads becomes a bounded number of
// digests with every record counted; the caller's cost per record stays in
// microseconds while the server is down or stalls; a digest that cannot be
// sent lands in the spool; close() is bounded by its timeout.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "fake/outbox/mini_smtp.hpp"
#include "pigeon/outbox/alert_mailer.hpp"
#include "pigeon/store/spool.hpp"
#include "support/run_process.hpp"

using namespace pigeon;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        char t[] = "/tmp/pigeon-alert-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

outbox::alert_options options_for(const std::string& url, const std::string& spool_dir) {
    outbox::alert_options o;
    o.server = url;
    o.clear_text = true;
    o.from = "alerts@lab.test";
    o.to = {"ops@lab.test"};
    o.spool_dir = spool_dir;
    o.send.client.net.connect.connect_timeout = 2s;
    o.send.client.net.connect.io_timeout = 2s;
    o.send.client.data_reply_timeout = 2s;
    return o;
}

// Posts `per_thread` records from each of `threads` threads; returns every
// post's duration in microseconds.
std::vector<double> burst(outbox::alert_mailer& m, int threads, int per_thread, int keys) {
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
    std::vector<std::thread> ts;
    std::atomic<bool> go{false};
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            auto& mine = lat[static_cast<std::size_t>(t)];
            mine.reserve(static_cast<std::size_t>(per_thread));
            while (!go) std::this_thread::yield();
            for (int i = 0; i < per_thread; ++i) {
                const std::string key = "key" + std::to_string(i % keys);
                const auto t0 = steady::now();
                (void)m.post(outbox::alert_level::error, key, "thread " + std::to_string(t) + " record " + std::to_string(i));
                const auto t1 = steady::now();
                mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            }
        });
    go = true;
    for (auto& th : ts) th.join();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    return all;
}

double p99(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() * 99 / 100];
}

// "(\d+) more like this" summed over messages, and the listed record lines.
std::pair<std::uint64_t, std::uint64_t> count_in(const std::vector<std::string>& msgs) {
    std::uint64_t more = 0, listed = 0;
    const std::regex more_re(R"(^(\d+) more like this$)");
    const std::regex rec_re(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ error: thread \d+ record \d+$)");
    for (const auto& m : msgs) {
        std::istringstream in(m);
        std::string l;
        std::smatch sm;
        while (std::getline(in, l)) {
            if (std::regex_match(l, sm, more_re)) more += std::stoull(sm[1].str());
            else if (std::regex_match(l, rec_re)) ++listed;
        }
    }
    return {listed, more};
}

bool wait_for(const std::function<bool()>& f, std::chrono::milliseconds limit) {
    const auto end = steady::now() + limit;
    while (steady::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

} // namespace

TEST_CASE("alert_mailer: 100,000 records from 8 threads become a few digests, every record counted") {
    test::mini_smtp srv(test::mini_smtp::mood::answer);
    temp_dir dir;
    auto o = options_for(srv.url(), dir.path.string());
    o.interval = 1h;
    o.queue_capacity = 4096;
    o.max_listed = 10;
    constexpr int keys = 5;
    outbox::alert_mailer m(o);
    CHECK_FALSE(m.post(outbox::alert_level::info, "key0", "below the threshold: not counted"));
    const auto lat = burst(m, 8, 12'500, keys);
    const auto s = m.close(20s);
    INFO("queued " << s.queued << " dropped " << s.dropped << " listed " << s.listed << " summarised "
                   << s.summarised << " sent " << s.sent << " error " << s.last_error);
    CHECK(s.queued + s.dropped == 100'000);
    CHECK(s.listed + s.summarised + s.dropped == 100'000);
    CHECK(s.lost == 0);
    CHECK(s.pending == 0);
    CHECK(s.spooled == 0);
    // At most one message per key per interval, plus the flush at close.
    CHECK(s.sent >= keys);
    CHECK(s.sent <= 2 * keys);
    const auto msgs = srv.messages();
    CHECK(msgs.size() == s.sent);
    const auto [listed, more] = count_in(msgs);
    CHECK(listed == s.listed);
    CHECK(more == s.summarised);
    CHECK(s.listed <= s.sent * 10);
    MESSAGE("burst p99 per record: " << p99(lat) << " us; digests: " << s.sent << ", dropped: " << s.dropped);
}

TEST_CASE("alert_mailer: the caller stays in microseconds while the server is down, digests go to the spool") {
    temp_dir dir;
    auto o = options_for("smtp://127.0.0.1:" + std::to_string(test::mini_smtp::closed_port()), dir.path.string());
    o.interval = 20ms;
    outbox::alert_mailer m(o);
    const auto lat = burst(m, 8, 5'000, 3);
    const double p = p99(lat);
    MESSAGE("server down: p99 per record " << p << " us");
    CHECK(p < 200.0);
    const auto s = m.close(10s);
    CHECK(s.listed + s.summarised + s.dropped == 40'000);
    CHECK(s.sent == 0);
    CHECK(s.lost == 0);
    CHECK(s.spooled >= 3);
    CHECK(s.last_error.find("127.0.0.1") != std::string::npos);
    std::error_code ec;
    auto sp = store::spool::open((dir.path).string(), ec);
    REQUIRE(sp);
    CHECK(sp->list(ec).size() == s.spooled);
}

TEST_CASE("alert_mailer: a stalling server does not slow the caller, close() keeps to its timeout") {
    test::mini_smtp srv(test::mini_smtp::mood::stall);
    temp_dir dir;
    auto o = options_for(srv.url(), dir.path.string());
    o.interval = 20ms;
    o.send.client.net.connect.io_timeout = 3s;
    auto m = std::make_unique<outbox::alert_mailer>(o);
    const auto lat = burst(*m, 8, 5'000, 3);
    const double p = p99(lat);
    MESSAGE("server stalling: p99 per record " << p << " us");
    CHECK(p < 200.0);
    CHECK(wait_for([&] { return srv.connections() >= 1; }, 5s));
    (void)m->post(outbox::alert_level::critical, "late", "posted just before close");

    const auto t0 = steady::now();
    const auto s = m->close(300ms);
    const auto took = steady::now() - t0;
    MESSAGE("close(300ms) took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    CHECK(took < 1500ms);  // 300 ms plus spooling what was queued
    CHECK(s.sent == 0);
    CHECK(s.spooled >= 1);  // the queue, spooled by close() itself
    CHECK_FALSE(m->post(outbox::alert_level::critical, "after", "closed"));
    // The digest stuck in the stalled send is spooled once its timeout ends.
    CHECK(wait_for([&] { return m->stats().pending == 0; }, 10s));
    const auto end = m->stats();
    CHECK(end.lost == 0);
    CHECK(end.listed + end.summarised + end.dropped == 40'001 + 1);
    std::error_code ec;
    auto sp = store::spool::open(dir.path.string(), ec);
    REQUIRE(sp);
    CHECK(sp->list(ec).size() == end.spooled);
}

TEST_CASE("alert_mailer: a failed digest is a whole spool entry that pigeon queue run can send") {
    temp_dir dir;
    const std::string url = "smtp://127.0.0.1:" + std::to_string(test::mini_smtp::closed_port());
    auto o = options_for(url, dir.path.string());
    o.to = {"ops@lab.test", "oncall@lab.test"};
    o.spool_settings = {{"account", "alerts"}};
    outbox::alert_mailer m(o);
    REQUIRE(m.post(outbox::alert_level::critical, "db\r\nBcc: x@evil.test", "primary is gone\nfailing over"));
    const auto s = m.close(10s);
    CHECK(s.spooled == 1);
    CHECK(s.listed == 1);
    std::error_code ec;
    auto sp = store::spool::open(dir.path.string(), ec);
    REQUIRE(sp);
    const auto ids = sp->list(ec);
    REQUIRE(ids.size() == 1);
    store::spool_entry e;
    REQUIRE_FALSE(sp->peek(ids[0], e));
    CHECK(e.from == "alerts@lab.test");
    REQUIRE(e.recipients.size() == 2);
    CHECK(e.recipients[1].address == "oncall@lab.test");
    CHECK(e.recipients[0].state == store::recipient_state::pending);
    CHECK(e.setting("server") == url);
    CHECK(e.setting("tls") == "none");
    CHECK(e.setting("account") == "alerts");
    CHECK_FALSE(e.last_error.empty());
    std::ifstream in(dir.path / (ids[0] + ".msg"), std::ios::binary);
    const std::string msg((std::istreambuf_iterator<char>(in)), {});
    CHECK(msg.find("Subject: [alert] db  Bcc: x@evil.test critical") != std::string::npos);
    CHECK(msg.find("\nBcc:") == std::string::npos);  // the key cannot add a header
    CHECK(msg.find("critical: primary is gone\r\nfailing over") != std::string::npos);
    CHECK(msg.size() == e.size);
}

TEST_CASE("alert_mailer: a digest spooled while the server was down is sent by pigeon queue run") {
    temp_dir state;
    const unsigned short port = test::mini_smtp::closed_port();
    const std::string outbox_dir = (state.path / "outbox").string();
    outbox::alert_mailer m(options_for("smtp://127.0.0.1:" + std::to_string(port), outbox_dir));
    REQUIRE(m.post(outbox::alert_level::error, "backup", "nightly backup failed: disk full"));
    const auto s = m.close(10s);
    REQUIRE(s.spooled == 1);

    test::mini_smtp srv(test::mini_smtp::mood::answer, port);  // the server is back
    test::process_options po;
    po.env = {{"HOME", state.path.string()}, {"XDG_CONFIG_HOME", state.path.string()}};
    const auto r = test::run_process(test::pigeon_cli(), {"queue", "run", "--all", "--state-dir", state.path.string()}, po);
    INFO("pigeon queue run: " << r.err << r.out);
    CHECK(r.exit_code == 0);
    const auto msgs = srv.messages();
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].find("Subject: [alert] backup error") != std::string::npos);
    CHECK(msgs[0].find("error: nightly backup failed: disk full") != std::string::npos);
    std::error_code ec;
    auto sp = store::spool::open(outbox_dir, ec);
    REQUIRE(sp);
    CHECK(sp->list(ec).empty());
}

TEST_CASE("alert_mailer: one digest per key per interval, the rest summarised in the next") {
    test::mini_smtp srv(test::mini_smtp::mood::answer);
    auto o = options_for(srv.url(), "");
    o.interval = 1h;
    o.max_listed = 2;
    outbox::alert_mailer m(o);
    REQUIRE(m.post(outbox::alert_level::error, "disk", "first"));
    REQUIRE(wait_for([&] { return srv.messages().size() == 1; }, 5s));
    for (int i = 0; i < 39; ++i) REQUIRE(m.post(outbox::alert_level::warning, "disk", "again " + std::to_string(i)));
    std::this_thread::sleep_for(200ms);
    CHECK(srv.messages().size() == 1);  // the interval holds the rest back
    const auto s = m.close(10s);
    const auto msgs = srv.messages();
    REQUIRE(msgs.size() == 2);
    CHECK(s.sent == 2);
    CHECK(msgs[1].find("Subject: [alert] disk warning (39 records)") != std::string::npos);
    CHECK(msgs[1].find("37 more like this") != std::string::npos);
    CHECK(s.listed + s.summarised == 40);
}

TEST_CASE("alert_mailer: bad options are refused") {
    outbox::alert_options o;
    o.server = "smtp://127.0.0.1:25";
    CHECK_THROWS_AS(outbox::alert_mailer{o}, std::invalid_argument);  // no recipient
    o.to = {"ops@lab.test"};
    o.server = "gopher://x";
    CHECK_THROWS_AS(outbox::alert_mailer{o}, std::invalid_argument);
}
