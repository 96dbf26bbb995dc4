// fetch_state on a full file system (a real one: a small tmpfs mounted in a
// private mount namespace of this test process, so nothing shows outside
// and nothing outlives the process): no_space, no partial line, no record
// in memory that is not on disk, recovery once there is room. And 100k
// records, to keep open() and the lookups from going quadratic.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fetch_state_support.hpp"

using namespace fs_test;
using pigeon::store::errc;

namespace {

// A tmpfs of `size` mounted on a fresh directory, in this process's own
// mount namespace (made on first use). Fails the test, with the reason,
// where that is not possible (needs root or CAP_SYS_ADMIN).
class small_fs {
public:
    explicit small_fs(const std::string& size) {
        static const bool private_ns = [] {
            if (::unshare(CLONE_NEWNS) != 0) return false;
            return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
        }();
        REQUIRE_MESSAGE(private_ns, "cannot make a private mount namespace (unshare(CLONE_NEWNS) needs root): "
                                        << std::strerror(errno));
        const std::string opts = "size=" + size + ",mode=0700";
        const int rc = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, opts.c_str());
        REQUIRE_MESSAGE(rc == 0, "cannot mount a tmpfs on " << dir_.path() << ": " << std::strerror(errno));
        mounted_ = true;
    }
    small_fs(const small_fs&) = delete;
    small_fs& operator=(const small_fs&) = delete;
    ~small_fs() {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }
    std::string operator/(const std::string& rel) const { return dir_ / rel; }

private:
    temp_dir dir_;
    bool mounted_ = false;
};

// Fills the file system with a file of zeroes until ENOSPC.
void fill(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    const std::string block(4096, '\0');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const std::string byte(1, '\0');
    while (::write(fd, byte.data(), 1) > 0) {
    }
    ::close(fd);
}

// Appends a harmless line (an F for a key never delivered) so that the
// journal ends on a page boundary: once the file system is full, not even a
// short line fits in the journal's last page.
void pad_to_page(const std::string& journal) {
    std::uint64_t need = (4096 - file_size(journal) % 4096) % 4096;
    if (need == 0) return;
    if (need < 8) need += 4096;
    append_file(journal, "F\t" + std::string(need - 8, 'p') + "\t0\t0\t\n");
    REQUIRE(file_size(journal) % 4096 == 0);
}

delivered_record fat_record(std::uint32_t uid) {
    auto r = imap_record("INBOX", 1, uid);
    r.location += std::string(700, 'L');
    return r;
}

bool ends_with_lf(const std::string& path) {
    const std::string j = read_file(path);
    return !j.empty() && j.back() == '\n';
}

}  // namespace

TEST_CASE("fetch state: a full file system gives no_space and leaves no partial line") {
    small_fs fs("256k");
    const std::string dir = fs / "state";
    std::error_code ec;
    auto st = open_state(dir, ec);
    REQUIRE_MESSAGE(st, ec.message());
    st->confirm({fat_record(1), fat_record(2)}, ec);
    st->sync(ec);
    REQUIRE(!ec);
    fill(fs / "filler");

    // A large batch: the kernel takes what fits (a short write), then ENOSPC.
    std::vector<delivered_record> batch;
    for (std::uint32_t u = 100; u < 160; ++u) batch.push_back(fat_record(u));
    const auto size_before = file_size(dir + "/journal");
    ::truncate((fs / "filler").c_str(), static_cast<off_t>(file_size(fs / "filler") - 12000));
    st->confirm(batch, ec);
    CHECK(ec == errc::no_space);
    CHECK(file_size(dir + "/journal") == size_before);
    CHECK(ends_with_lf(dir + "/journal"));
    CHECK_FALSE(st->delivered(batch.front().key));  // not in memory either
    CHECK(st->size() == 2);

    // Single records until the disk is full.
    fill(fs / "filler2");
    std::uint32_t ok = 0;
    for (std::uint32_t u = 1000; u < 2000; ++u) {
        st->intend(fat_record(u), ec);
        if (!ec) st->confirm({fat_record(u)}, ec);
        if (ec) break;
        ++ok;
    }
    CHECK(ec == errc::no_space);
    CHECK(ends_with_lf(dir + "/journal"));
    st->intend(fat_record(5000), ec);
    CHECK(ec == errc::no_space);
    std::vector<message_key> keys;  // F lines for more than the last page holds
    for (std::uint32_t u = 1; u <= 400; ++u) keys.push_back(fat_record(u).key);
    st->forget(keys, ec);
    CHECK(ec == errc::no_space);
    CHECK(st->delivered(fat_record(1).key));
    st->sync(ec);
    CHECK(!ec);  // nothing is lost: the failed appends were cut back

    // Reopening on the full disk works (nothing to write) and reads it all.
    st.reset();
    st = open_state(dir, ec);
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(st->unreadable_lines() == 0);
    CHECK(st->size() == 2 + ok);
    CHECK_FALSE(st->delivered(batch.front().key));

    // Room again: appends work, and are read back.
    REQUIRE(::unlink((fs / "filler").c_str()) == 0);
    REQUIRE(::unlink((fs / "filler2").c_str()) == 0);
    st->confirm(batch, ec);
    REQUIRE(!ec);
    st->sync(ec);
    REQUIRE(!ec);
    st.reset();
    st = open_state(dir, ec);
    REQUIRE(st);
    CHECK(st->size() == 2 + ok + batch.size());
    CHECK(st->unreadable_lines() == 0);
}

TEST_CASE("fetch state: a new state on a full file system is no_space, an unneeded compaction failing is not fatal") {
    small_fs fs("256k");
    std::error_code ec;
    const std::string dir = fs / "state";
    {
        auto st = open_state(dir, ec);
        REQUIRE(st);
        // 1200 records, 1190 forgotten: compaction due on the next open.
        std::vector<delivered_record> rs;
        std::vector<message_key> gone;
        for (std::uint32_t u = 1; u <= 1200; ++u) {
            rs.push_back(imap_record("INBOX", 1, u));
            if (u > 10) gone.push_back(rs.back().key);
        }
        st->confirm(rs, ec);
        st->forget(gone, ec);
        REQUIRE(!ec);
        // And two intents left unconfirmed.
        st->intend(imap_record("INBOX", 1, 5000), ec);
        st->intend(imap_record("INBOX", 1, 5001), ec);
        REQUIRE(!ec);
    }
    pad_to_page(dir + "/journal");
    fill(fs / "filler");
    const std::string journal = read_file(dir + "/journal");
    int asked = 0;
    const auto exists = [&](const delivered_record& r) {
        ++asked;
        return r.key.uid == 5000;
    };
    for (int round = 0; round < 2; ++round) {
        // The answers cannot be written: open() still works, with them in
        // memory, and the next open() asks again.
        auto st = fetch_state::open(dir, lock_mode::fail_if_held, exists, ec);
        REQUIRE_MESSAGE(st, ec.message());
        CHECK(asked == 2 * (round + 1));
        CHECK(st->size() == 11);
        CHECK(st->delivered(imap_record("INBOX", 1, 5000).key));
        CHECK_FALSE(st->delivered(imap_record("INBOX", 1, 5001).key));
        st->confirm({imap_record("INBOX", 1, 6000)}, ec);
        CHECK(ec == errc::no_space);
    }
    CHECK(read_file(dir + "/journal") == journal);  // left as it was
    CHECK_FALSE(std::filesystem::exists(dir + "/journal.tmp"));

    auto fresh = open_state(fs / "another", ec);
    CHECK_FALSE(fresh);
    CHECK(ec == errc::no_space);

    REQUIRE(::unlink((fs / "filler").c_str()) == 0);
    {
        auto st = fetch_state::open(dir, lock_mode::fail_if_held, exists, ec);
        REQUIRE(st);
        CHECK(asked == 6);
        CHECK(st->size() == 11);
    }
    CHECK(count_lines(read_file(dir + "/journal")) == 12);  // answers written, compacted
    auto st = fetch_state::open(dir, lock_mode::fail_if_held, exists, ec);
    REQUIRE(st);
    CHECK(asked == 6);
    CHECK(st->size() == 11);
    CHECK(st->delivered(imap_record("INBOX", 1, 5000).key));
}

TEST_CASE("fetch state: 100k records") {
    temp_dir t;
    std::error_code ec;
    const std::uint32_t n = 100000;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        std::vector<delivered_record> batch;
        for (std::uint32_t u = 1; u <= n; ++u) {
            // Half IMAP over 10 folders, half POP3.
            batch.push_back(u % 2 ? imap_record("folder" + std::to_string(u % 10), 100 + u % 3, u)
                                  : pop3_record("UIDL" + std::to_string(u) + "-0123456789abcdef"));
            if (batch.size() == 1000) {
                for (const auto& r : batch) st->intend(r, ec);
                st->confirm(batch, ec);
                REQUIRE(!ec);
                batch.clear();
            }
        }
        st->sync(ec);
        REQUIRE(!ec);
    }
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == n);
    std::size_t found = 0;
    for (std::uint32_t u = 1; u <= n; ++u) {
        const auto r = u % 2 ? imap_record("folder" + std::to_string(u % 10), 100 + u % 3, u)
                             : pop3_record("UIDL" + std::to_string(u) + "-0123456789abcdef");
        found += st->delivered(r.key) ? 1 : 0;
        if (u % 97 == 0) {
            const auto* m = st->find_by_message_id(r.message_id, r.size);
            REQUIRE(m != nullptr);
            CHECK(m->key == r.key);
        }
    }
    CHECK(found == n);
    std::size_t uids = 0;
    for (int f = 0; f < 10; ++f)
        for (std::uint32_t uv = 100; uv < 103; ++uv) uids += st->delivered_uids("folder" + std::to_string(f), uv).size();
    CHECK(uids == n / 2);
    CHECK(st->records_of("").size() == n / 2);
}
