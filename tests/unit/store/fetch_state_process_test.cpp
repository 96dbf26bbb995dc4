// fetch_state across processes: the lock (held by another process, waited
// for, released on destruction, not inherited through exec), and a writer
// killed with SIGKILL at random moments, again and again: every record it
// reported as synced is there afterwards, nothing is corrupted, and its
// unconfirmed intents are settled by exists().
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fetch_state_support.hpp"

using namespace fs_test;
using pigeon::store::errc;

namespace {

// Reads until EOF.
std::string drain(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

int wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

TEST_CASE("fetch state: a lock held by another process") {
    temp_dir t;
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(ready[0]);
        std::error_code ec;
        auto st = open_state(t.path(), ec);
        const char c = st ? 'y' : 'n';
        if (::write(ready[1], &c, 1) != 1) ::_exit(2);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        ::_exit(st ? 0 : 1);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == 'y');
    const auto held_since = std::chrono::steady_clock::now();

    std::error_code ec;
    auto st = open_state(t.path(), ec);
    CHECK_FALSE(st);
    CHECK(ec == errc::locked);

    st = open_state(t.path(), ec, lock_mode::wait);
    const auto waited = std::chrono::steady_clock::now() - held_since;
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(waited >= std::chrono::milliseconds(300));
    const int status = wait_child(pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("fetch state: the lock is held until destruction, through moves, and within one process") {
    temp_dir t;
    std::error_code ec;
    auto first = open_state(t.path(), ec);
    REQUIRE(first);
    CHECK_FALSE(open_state(t.path(), ec));
    CHECK(ec == errc::locked);
    {
        fetch_state moved = std::move(*first);
        first.reset();
        CHECK_FALSE(open_state(t.path(), ec));
        CHECK(ec == errc::locked);
    }
    auto again = open_state(t.path(), ec);
    CHECK(again);
}

TEST_CASE("fetch state: its descriptors are close-on-exec") {
    temp_dir t;
    std::error_code ec;
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    int found = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code lec;
        const auto target = std::filesystem::read_symlink(e.path(), lec);
        if (lec || target.string().rfind(t.path(), 0) != 0) continue;
        const int fd = std::stoi(e.path().filename().string());
        CAPTURE(target.string());
        CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
        ++found;
    }
    CHECK(found == 2);  // lock and journal
}

namespace {

void put(int fd, const std::string& s) {
    if (::write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size())) ::_exit(8);
}

// The writer: opens the state, then intends and confirms batches of records
// numbered from `base` until killed; after each sync it reports the batch
// ("D uid" lines; "f uid" before forgetting one, "F uid" after) on `out`,
// where "O" says it has opened the state.
// Never returns.
[[noreturn]] void crash_writer(const std::string& dir, std::uint32_t base, int out, unsigned seed) {
    std::error_code ec;
    auto st = open_state(dir, ec, lock_mode::wait);
    if (!st) ::_exit(3);
    put(out, "O\n");  // opened
    std::mt19937 gen(seed);
    const auto rng = [&gen] { return static_cast<std::uint32_t>(gen()); };
    std::uint32_t next = base;
    std::vector<std::uint32_t> mine;
    for (;;) {
        // Mostly small batches, sometimes one large enough that the kill can
        // land inside its write().
        const std::uint32_t n = rng() % 8 == 0 ? 20 + rng() % 100 : 1 + rng() % 4;
        std::vector<delivered_record> batch;
        for (std::uint32_t i = 0; i < n; ++i) batch.push_back(imap_record("INBOX", 1, next++));
        for (const auto& r : batch) {
            st->intend(r, ec);
            if (ec) ::_exit(4);
        }
        if (rng() % 3 == 0) continue;  // intents only: left for exists()
        st->confirm(batch, ec);
        if (ec) ::_exit(5);
        st->sync(ec);
        if (ec) ::_exit(6);
        std::string report;
        for (const auto& r : batch) {
            report += "D " + std::to_string(r.key.uid) + "\n";
            mine.push_back(r.key.uid);
        }
        put(out, report);
        if (rng() % 2 == 0) {
            // "f" before: from here on the record may be gone; "F" after the sync.
            const std::uint32_t victim = mine[rng() % static_cast<std::uint32_t>(mine.size())];
            put(out, "f " + std::to_string(victim) + "\n");
            st->forget({imap_record("INBOX", 1, victim).key}, ec);
            if (ec) ::_exit(7);
            put(out, "F " + std::to_string(victim) + "\n");
        }
    }
}

}  // namespace

TEST_CASE("fetch state: a writer killed at random moments loses nothing it reported and corrupts nothing") {
    temp_dir t;
    std::mt19937 rng(20261206);
    std::set<std::uint32_t> synced;     // reported delivered, not forgotten
    std::set<std::uint32_t> forgotten;  // reported forgotten
    std::size_t asked_total = 0, kept_total = 0, compactions = 0, torn = 0;
    const int iterations = 200;
    for (int it = 0; it < iterations; ++it) {
        CAPTURE(it);
        int p[2];
        REQUIRE(::pipe(p) == 0);
        const std::uint32_t base = static_cast<std::uint32_t>(it + 1) * 100000u;
        const unsigned seed = static_cast<unsigned>(rng());
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(p[0]);
            crash_writer(t.path(), base, p[1], seed);
        }
        ::close(p[1]);
        // Mostly killed while it writes records, after it has reported a few
        // lines (so every round does some work, however slow the machine),
        // sometimes while it is still opening (replay, settling intents,
        // compaction). Then a random moment more.
        std::string report;
        if (rng() % 4 != 0) {
            const std::size_t want = 1 + rng() % 6;  // "O" and up to 5 report lines
            char buf[4096];
            while (count_lines(report) < want) {
                const ssize_t n = ::read(p[0], buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                report.append(buf, static_cast<std::size_t>(n));
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
        ::kill(pid, SIGKILL);
        report += drain(p[0]);
        ::close(p[0]);
        const int status = wait_child(pid);
        REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                        "the writer stopped by itself, status " << status);

        // Whole lines only: a kill inside a large write() to the pipe can
        // leave the start of a line.
        std::size_t pos = 0;
        for (;;) {
            const std::size_t lf = report.find('\n', pos);
            if (lf == std::string::npos) break;
            const std::string line = report.substr(pos, lf - pos);
            pos = lf + 1;
            if (line == "O") continue;
            const auto uid = static_cast<std::uint32_t>(std::stoul(line.substr(2)));
            if (line[0] == 'D') {
                synced.insert(uid);
            } else {
                synced.erase(uid);  // 'f': may or may not be gone; 'F': gone
                if (line[0] == 'F') forgotten.insert(uid);
            }
        }

        const auto journal_before = file_size(t / "journal");
        {
            const std::string j = read_file(t / "journal");
            torn += !j.empty() && j.back() != '\n' ? 1 : 0;
        }
        std::map<std::uint32_t, bool> asked;
        std::error_code ec;
        auto st = fetch_state::open(
            t.path(), lock_mode::fail_if_held,
            [&](const delivered_record& r) {
                // An intent is whole: every field is the writer's.
                CHECK(same(r, imap_record("INBOX", 1, r.key.uid)));
                const bool there = r.key.uid % 3 == 0;
                asked[r.key.uid] = there;
                return there;
            },
            ec);
        REQUIRE_MESSAGE(st, ec.message());
        CHECK(st->unreadable_lines() == 0);
        if (file_size(t / "journal") < journal_before) ++compactions;
        asked_total += asked.size();
        // Plain loops, one assertion each: thousands of records per round.
        std::vector<std::uint32_t> asked_but_certain, answer_not_kept, synced_missing, forgotten_present,
            corrupted;
        for (const auto& [uid, there] : asked) {
            if (synced.count(uid) != 0 || forgotten.count(uid) != 0) asked_but_certain.push_back(uid);
            if (st->delivered(imap_record("INBOX", 1, uid).key) != there) answer_not_kept.push_back(uid);
            kept_total += there ? 1 : 0;
        }
        for (const std::uint32_t uid : synced)
            if (!st->delivered(imap_record("INBOX", 1, uid).key)) synced_missing.push_back(uid);
        for (const std::uint32_t uid : forgotten)
            if (st->delivered(imap_record("INBOX", 1, uid).key)) forgotten_present.push_back(uid);
        const auto all = st->records_of("INBOX");
        for (const delivered_record* r : all)
            if (!same(*r, imap_record("INBOX", 1, r->key.uid))) corrupted.push_back(r->key.uid);
        CHECK(asked_but_certain.empty());  // a reported D line is never in doubt
        CHECK(answer_not_kept.empty());
        REQUIRE(synced_missing.empty());
        CHECK(forgotten_present.empty());
        REQUIRE(corrupted.empty());
        CHECK(all.size() == st->size());
        // What this open settled is on record: the next writer's open asks
        // nothing (its exists() would refuse all, it never gets asked).
        if (it % 50 == 49) {
            st.reset();
            bool again = false;
            auto st2 = fetch_state::open(
                t.path(), lock_mode::fail_if_held,
                [&](const delivered_record&) {
                    again = true;
                    return false;
                },
                ec);
            REQUIRE(st2);
            CHECK_FALSE(again);
        }
    }
    // The run exercised what it claims to: records synced, intents settled
    // both ways, forgets.
    // (Bounds far below what a run does, so that a slow machine passes too.)
    CHECK(synced.size() > 100);
    CHECK(asked_total > 20);
    CHECK(kept_total > 5);
    CHECK(forgotten.size() > 3);
    MESSAGE("synced " << synced.size() << ", forgotten " << forgotten.size() << ", intents settled "
                      << asked_total << " (" << kept_total << " kept), compactions " << compactions
                      << ", torn last lines " << torn);
}
