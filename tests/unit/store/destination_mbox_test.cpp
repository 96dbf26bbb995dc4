// The mbox destination: the mboxrd format under every split, From lines,
// abort, contains(), and the two locks against another process.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using pigeon::test::delivered;
using pigeon::test::read_file;
using pigeon::test::temp_dir;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<store::destination> open_mbox(const std::string& path, int lock_timeout_ms = 10000) {
    store::destination_options opts;
    opts.lock_timeout_ms = lock_timeout_ms;
    std::error_code ec;
    auto d = store::open_destination("mbox:" + path, opts, ec);
    REQUIRE_MESSAGE(d, ec.message());
    return d;
}

store::message_meta meta_at(std::int64_t date = 1733475600, std::string from = "a@example.org") {
    store::message_meta m;
    m.internal_date = date;
    m.envelope_from = std::move(from);
    return m;
}

/// What the message looks like in the mbox after the From line.
std::string stored_form(std::string_view raw) {
    std::string lf = pigeon::test::lf_of(raw);
    std::string out;
    std::size_t pos = 0;
    while (pos < lf.size()) {  // the reference quoting, line by line
        const auto nl = lf.find('\n', pos);
        const std::size_t end = nl == std::string::npos ? lf.size() : nl + 1;
        const std::string line = lf.substr(pos, end - pos);
        const auto first = line.find_first_not_of('>');
        if (first != std::string::npos && line.compare(first, 5, "From ") == 0) out += '>';
        out += line;
        pos = end;
    }
    if (out.empty() || out.back() != '\n') out += '\n';
    return out + "\n";
}

/// asctime() format, UTC, without the newline.
std::string asctime_utc(std::time_t t) {
    struct tm tm {};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);  // the test runs in the C locale
    return buf;
}

/// A child process that holds an fcntl write lock on path until killed.
class lock_holder {
public:
    explicit lock_holder(const std::string& path) {
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(ready[0]);
            const int fd = ::open(path.c_str(), O_RDWR);
            struct flock fl {};
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            const char ok = fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
            (void)!::write(ready[1], &ok, 1);
            while (true) ::pause();
        }
        ::close(ready[1]);
        char ok = 0;
        REQUIRE(::read(ready[0], &ok, 1) == 1);
        ::close(ready[0]);
        REQUIRE_MESSAGE(ok == 'y', "the child could not lock " << path);
    }
    ~lock_holder() { stop(); }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
    }
    lock_holder(const lock_holder&) = delete;
    lock_holder& operator=(const lock_holder&) = delete;

private:
    pid_t pid_ = -1;
};

/// Whether another process could take an fcntl write lock on path now.
bool lockable_by_other_process(const std::string& path) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(path.c_str(), O_RDWR);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        ::_exit(fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
    }
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    REQUIRE(WIFEXITED(st));
    return WEXITSTATUS(st) == 0;
}

} // namespace

TEST_CASE("mbox: the stored message is the same under every split") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    const std::string msg = pigeon::test::sample_message();
    const std::string from = "From a@example.org Fri Dec  6 09:00:00 2024\n";
    std::string expected;
    const auto calls = pigeon::test::for_each_split(msg, [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const delivered r = pigeon::test::deliver(*mb, meta_at(), pieces);
        REQUIRE_MESSAGE(!r.ec, r.ec.message());
        CHECK(r.location == "offset:" + std::to_string(expected.size()));
        CHECK(r.bytes == msg.size());
        CHECK(r.sha == pigeon::test::sha256_of(msg));
        expected += from + stored_form(msg);
    });
    const std::string file = read_file(path);
    CHECK(file == expected);
    const auto msgs = pigeon::test::read_mboxrd(file);
    REQUIRE(msgs.size() == calls);
    for (const auto& m : msgs) {
        CHECK(m.from_line + "\n" == from);
        CHECK(m.body == pigeon::test::lf_of(msg) + "\n");  // the sample has no final line end
    }
}

TEST_CASE("mbox: mboxrd quoting across chunk boundaries round-trips") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    const std::string msg =
        "From: x\r\n\r\nFrom here\r\n>From there\r\n>>From everywhere\r\nFrom\r\n>From\r\nFrom:\r\n"
        "Fro\r\n>>>\r\n>F\r\n >From\r\nxFrom y\r\nFrom ";
    const std::string quoted =
        "From: x\n\n>From here\n>>From there\n>>>From everywhere\nFrom\n>From\nFrom:\n"
        "Fro\n>>>\n>F\n >From\nxFrom y\n>From \n\n";
    REQUIRE(stored_form(msg) == quoted);  // the reference agrees with the hand-written form
    std::string expected;
    auto check = [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const delivered r = pigeon::test::deliver(*mb, meta_at(), pieces);
        REQUIRE(!r.ec);
        expected += "From a@example.org Fri Dec  6 09:00:00 2024\n" + quoted;
    };
    pigeon::test::for_each_split(msg, check);
    pigeon::test::for_each_split(msg.substr(9, 60), [&](const pigeon::test::pieces& pieces) {
        const delivered r = pigeon::test::deliver(*mb, meta_at(), pieces);
        REQUIRE(!r.ec);
        expected += "From a@example.org Fri Dec  6 09:00:00 2024\n" + stored_form(msg.substr(9, 60));
    });
    const std::string file = read_file(path);
    CHECK(file == expected);
    for (const auto& m : pigeon::test::read_mboxrd(file)) {
        const bool whole = m.body.size() > 60;
        std::string body = pigeon::test::lf_of(whole ? msg : msg.substr(9, 60));
        if (body.back() != '\n') body += '\n';
        CHECK(m.body == body);
    }
}

TEST_CASE("mbox: a long run of '>' before From is quoted without holding it") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    const std::string run(300000, '>');
    const std::string msg = "a\r\n" + run + "From x\r\n" + run + "Fro\r\n";
    const delivered r = pigeon::test::deliver(*mb, meta_at(), pigeon::test::chunks_of(msg, 4093));
    REQUIRE(!r.ec);
    const std::string file = read_file(path);
    CHECK(file == "From a@example.org Fri Dec  6 09:00:00 2024\na\n>" + run + "From x\n" + run + "Fro\n\n");
    CHECK(mb->contains(r.location, msg.size(), pigeon::test::sha256_of(msg)));
}

TEST_CASE("mbox: From line sender and date") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    REQUIRE(!pigeon::test::deliver(*mb, meta_at(1733475600, ""), "x\n").ec);
    REQUIRE(!pigeon::test::deliver(*mb, meta_at(951782400, "a b\tc\x7f@x"), "y\n").ec);
    const auto before = std::chrono::system_clock::now();
    REQUIRE(!pigeon::test::deliver(*mb, meta_at(0), "z\n").ec);
    const auto msgs = pigeon::test::read_mboxrd(read_file(path));
    REQUIRE(msgs.size() == 3);
    CHECK(msgs[0].from_line == "From MAILER-DAEMON Fri Dec  6 09:00:00 2024");
    CHECK(msgs[1].from_line == "From a_b_c_@x Tue Feb 29 00:00:00 2000");
    // INTERNALDATE unknown: now.
    const auto after = std::chrono::system_clock::now();
    bool found = false;
    for (auto t = std::chrono::system_clock::to_time_t(before) - 1;
         t <= std::chrono::system_clock::to_time_t(after) + 1; ++t)
        found = found || msgs[2].from_line == "From a@example.org " + asctime_utc(t);
    CHECK_MESSAGE(found, msgs[2].from_line);
}

TEST_CASE("mbox: sequence and final newline and a file that did not end with a blank line") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    pigeon::test::write_file(path, "From old Thu Jan  1 00:00:00 1970\ntorn message");
    auto mb = open_mbox(path);
    const std::size_t start = fs::file_size(path);
    const delivered a = pigeon::test::deliver(*mb, meta_at(), "no final newline");
    REQUIRE(!a.ec);
    CHECK(a.location == "offset:" + std::to_string(start + 2));
    const std::size_t second = fs::file_size(path);
    const delivered b = pigeon::test::deliver(*mb, meta_at(), "");
    REQUIRE(!b.ec);
    CHECK(b.location == "offset:" + std::to_string(second));
    const delivered c = pigeon::test::deliver(*mb, meta_at(), "ends\r\n");
    REQUIRE(!c.ec);
    const std::string from = "From a@example.org Fri Dec  6 09:00:00 2024\n";
    CHECK(read_file(path) == "From old Thu Jan  1 00:00:00 1970\ntorn message\n\n" + from + "no final newline\n\n" + from +
                                 "\n\n" + from + "ends\n\n");
    CHECK(mb->contains(a.location, 16, pigeon::test::sha256_of("no final newline")));
    CHECK(mb->contains(b.location, 0, pigeon::test::sha256_of("")));
    CHECK(mb->contains(c.location, 6, pigeon::test::sha256_of("ends\r\n")));
    std::error_code ec;
    mb->sync(ec);
    CHECK(!ec);

    // Ends with one "\n" only: one more makes the blank line.
    temp_dir dir2;
    pigeon::test::write_file(dir2 / "mbox", "x\n");
    auto mb2 = open_mbox(dir2 / "mbox");
    CHECK(pigeon::test::deliver(*mb2, meta_at(), "y").location == "offset:3");
}

TEST_CASE("mbox: abort and destruction truncate the file back") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    REQUIRE(!pigeon::test::deliver(*mb, meta_at(), "first\r\n").ec);
    const std::string before = read_file(path);
    std::error_code ec;
    {
        auto d = mb->begin(meta_at(), ec);
        REQUIRE(d);
        std::string big(200000, 'x');
        d->write(big, ec);  // more than the buffer: bytes reach the file
        REQUIRE(!ec);
        CHECK(fs::file_size(path) > before.size());
        CHECK(mb->begin(meta_at(), ec) == nullptr);
        CHECK(ec == store::errc::bad_state);
        d->abort();
        CHECK(read_file(path) == before);
        CHECK(d->location().empty());
        d->write("x", ec);
        CHECK(ec == store::errc::bad_state);
    }
    {
        auto d = mb->begin(meta_at(), ec);
        REQUIRE(d);
        d->write(std::string(100000, 'y'), ec);
        REQUIRE(!ec);
    }
    CHECK(read_file(path) == before);
    CHECK(!fs::exists(path + ".lock"));
    CHECK(lockable_by_other_process(path));
    const delivered again = pigeon::test::deliver(*mb, meta_at(), "second\r\n");
    REQUIRE(!again.ec);
    CHECK(again.location == "offset:" + std::to_string(before.size()));
}

TEST_CASE("mbox: contains() checks what is at the offset") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    const std::string m1 = "Subject: one\r\n\r\nFrom a CRLF original\r\n>From\r\nlone CR\r\r\n";
    const std::string m2 = "Subject: two\n\nFrom a LF original\n";
    const std::string m3 = "Subject: three\r\n\r\nbody\r\n";
    const std::string mixed = "Subject: mixed\r\n\nbody\r\n";
    const delivered a = pigeon::test::deliver(*mb, meta_at(), m1);
    const delivered b = pigeon::test::deliver(*mb, meta_at(), m2);
    const delivered x = pigeon::test::deliver(*mb, meta_at(), mixed);
    const delivered c = pigeon::test::deliver(*mb, meta_at(), m3);
    REQUIRE(!a.ec);
    REQUIRE(!b.ec);
    REQUIRE(!x.ec);
    REQUIRE(!c.ec);
    CHECK(mb->contains(a.location, m1.size(), pigeon::test::sha256_of(m1)));
    CHECK(mb->contains(b.location, m2.size(), pigeon::test::sha256_of(m2)));
    CHECK(mb->contains(c.location, m3.size(), pigeon::test::sha256_of(m3)));
    CHECK(mb->contains(a.location, m1.size(), ""));  // size only
    // Mixed line ends cannot be rebuilt: not confirmed (fetched again).
    CHECK_FALSE(mb->contains(x.location, mixed.size(), pigeon::test::sha256_of(mixed)));
    CHECK_FALSE(mb->contains(c.location, m3.size() + 3, pigeon::test::sha256_of(m3)));
    CHECK_FALSE(mb->contains(a.location, m1.size(), pigeon::test::sha256_of(m2)));
    CHECK_FALSE(mb->contains(b.location, m2.size(), pigeon::test::sha256_of(m1)));
    CHECK_FALSE(mb->contains(a.location, m1.size() - 1, pigeon::test::sha256_of(m1)));
    CHECK_FALSE(mb->contains("offset:1", m1.size(), pigeon::test::sha256_of(m1)));
    for (const std::string& bad : std::vector<std::string>{"", "offset:", "offset:x", "offset:-1", "offset:99999999", "new/x", "mda",
                                  "offset:99999999999999999999"})
        CHECK_FALSE(mb->contains(bad, m1.size(), ""));
    // A crash lost the tail: the last message is gone, or torn.
    const std::uint64_t off_c = std::stoull(c.location.substr(7));
    ::truncate(path.c_str(), static_cast<off_t>(fs::file_size(path) - 1));
    CHECK_FALSE(mb->contains(c.location, m3.size(), ""));
    CHECK(mb->contains(b.location, m2.size(), pigeon::test::sha256_of(m2)));
    ::truncate(path.c_str(), static_cast<off_t>(off_c));
    CHECK_FALSE(mb->contains(c.location, m3.size(), ""));
    // Someone else's message at our offset: not ours.
    {
        auto other = open_mbox(path);
        REQUIRE(!pigeon::test::deliver(*other, meta_at(), "Subject: other\r\n\r\nbody\r\n").ec);
    }
    CHECK_FALSE(mb->contains(c.location, m3.size(), pigeon::test::sha256_of(m3)));
    CHECK(mb->contains(c.location, 24, pigeon::test::sha256_of("Subject: other\r\n\r\nbody\r\n")));
    CHECK(m3.size() == 24);  // same size, other content: only the hash tells them apart
}

TEST_CASE("mbox: an fcntl lock held by another process -> errc::locked after the timeout") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path, 400);
    lock_holder holder(path);
    std::error_code ec;
    const auto t0 = std::chrono::steady_clock::now();
    auto d = mb->begin(meta_at(), ec);
    const auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(d == nullptr);
    CHECK(ec == store::errc::locked);
    CHECK(waited >= std::chrono::milliseconds(400));
    CHECK(waited < std::chrono::seconds(5));
    CHECK(!fs::exists(path + ".lock"));  // the dot lock was given back
    holder.stop();
    const delivered ok = pigeon::test::deliver(*mb, meta_at(), "x\r\n");
    CHECK(!ok.ec);
}

TEST_CASE("mbox: both locks are held from begin() to commit()") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    std::error_code ec;
    auto d = mb->begin(meta_at(), ec);
    REQUIRE(d);
    CHECK(fs::exists(path + ".lock"));
    CHECK(read_file(path + ".lock") == std::to_string(::getpid()) + "\n");
    CHECK_FALSE(lockable_by_other_process(path));
    d->write("x\r\n", ec);
    d->commit(ec);
    REQUIRE(!ec);
    CHECK(!fs::exists(path + ".lock"));
    CHECK(lockable_by_other_process(path));
}

TEST_CASE("mbox: a dot lock blocks until the timeout and a stale one is taken over") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path, 300);
    pigeon::test::write_file(path + ".lock", "12345\n");
    std::error_code ec;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(mb->begin(meta_at(), ec) == nullptr);
    CHECK(ec == store::errc::locked);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));
    CHECK(read_file(path + ".lock") == "12345\n");  // someone else's: left alone
    CHECK(fs::file_size(path) == 0);

    // Four minutes old: still fresh.
    struct timespec times[2] = {{::time(nullptr) - 240, 0}, {::time(nullptr) - 240, 0}};
    REQUIRE(::utimensat(AT_FDCWD, (path + ".lock").c_str(), times, 0) == 0);
    CHECK(mb->begin(meta_at(), ec) == nullptr);
    CHECK(ec == store::errc::locked);

    // Ten minutes old: stale.
    times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - 600;
    REQUIRE(::utimensat(AT_FDCWD, (path + ".lock").c_str(), times, 0) == 0);
    const delivered ok = pigeon::test::deliver(*mb, meta_at(), "x\r\n");
    CHECK(!ok.ec);
    CHECK(!fs::exists(path + ".lock"));
    CHECK(read_file(path) == "From a@example.org Fri Dec  6 09:00:00 2024\nx\n\n");
}

TEST_CASE("mbox: a file replaced under the path is reopened") {
    temp_dir dir;
    const std::string path = dir / "mbox";
    auto mb = open_mbox(path);
    REQUIRE(!pigeon::test::deliver(*mb, meta_at(), "one\r\n").ec);
    // A mail reader rewrites the mbox and renames the new file in place.
    pigeon::test::write_file(dir / "mbox.new", "");
    fs::rename(dir / "mbox.new", path);
    const delivered two = pigeon::test::deliver(*mb, meta_at(), "two\r\n");
    REQUIRE(!two.ec);
    CHECK(two.location == "offset:0");
    CHECK(read_file(path) == "From a@example.org Fri Dec  6 09:00:00 2024\ntwo\n\n");
    std::error_code ec;
    mb->sync(ec);
    CHECK(!ec);
}
