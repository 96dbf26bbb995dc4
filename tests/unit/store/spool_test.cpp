// The spool on disk: drafts are invisible until committed, commits survive
// as whole entries, the per-entry lock (across processes, not waiting),
// atomic .meta updates, corrupt entries set aside, leftovers cleaned.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <ostream>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"
#include "pigeon/store/spool.hpp"

using namespace pigeon;
using pigeon::test::list_dir;
using pigeon::test::read_file;
using pigeon::test::temp_dir;
using pigeon::test::write_file;

namespace {

store::spool open_spool(const std::string& dir) {
    std::error_code ec;
    auto sp = store::spool::open(dir, ec);
    REQUIRE_MESSAGE(sp, ec.message());
    return std::move(*sp);
}

store::spool_entry envelope(std::initializer_list<const char*> rcpts) {
    store::spool_entry e;
    e.from = "alerts@lab.test";
    for (const char* r : rcpts) e.recipients.push_back({r, store::recipient_state::pending, {}});
    e.settings = {{"server", "smtp://127.0.0.1:1"}};
    return e;
}

std::string enqueue(const store::spool& sp, std::string_view message) {
    std::error_code ec;
    auto d = sp.create(ec);
    REQUIRE_MESSAGE(d, ec.message());
    REQUIRE_FALSE(d->write(message));
    auto h = d->commit(envelope({"bob@lab.test"}), ec);
    REQUIRE_MESSAGE(h, ec.message());
    return h->entry().id;
}

} // namespace

TEST_CASE("spool: a draft is invisible until committed, then whole") {
    temp_dir t;
    auto sp = open_spool(t / "outbox");
    std::error_code ec;
    auto d = sp.create(ec);
    REQUIRE(d);
    REQUIRE_FALSE(d->write("Subject: x\r\n\r\n"));
    REQUIRE_FALSE(d->write("body\r\n"));
    CHECK(read_file(d->message_path()) == "Subject: x\r\n\r\nbody\r\n");
    CHECK(sp.list(ec).empty());
    auto h = d->commit(envelope({"bob@lab.test", "carol@lab.test"}), ec);
    REQUIRE_MESSAGE(h, ec.message());
    const std::string id = h->entry().id;
    CHECK(h->entry().size == 20);
    CHECK(h->entry().created > 0);
    CHECK(sp.list(ec) == std::vector<std::string>{id});
    CHECK(read_file(h->message_path()) == "Subject: x\r\n\r\nbody\r\n");
    CHECK(list_dir(t / "outbox/tmp").empty());
    store::spool_entry peeked;
    REQUIRE_FALSE(sp.peek(id, peeked));
    CHECK(peeked == h->entry());
    // The committer holds the lock: nobody else may send it meanwhile.
    CHECK_FALSE(sp.acquire(id, ec));
    CHECK(ec == store::errc::locked);
    h.reset();
    auto again = sp.acquire(id, ec);
    REQUIRE(again);
    again->entry().attempts = 3;
    again->entry().recipients[0].state = store::recipient_state::delivered;
    REQUIRE_FALSE(again->save());
    REQUIRE_FALSE(sp.peek(id, peeked));
    CHECK(peeked.attempts == 3);
    CHECK(peeked.recipients[0].state == store::recipient_state::delivered);
    REQUIRE_FALSE(again->remove());
    CHECK(sp.list(ec).empty());
    CHECK(list_dir(t / "outbox") == std::vector<std::string>{"corrupt", "tmp"});
    CHECK(sp.acquire(id, ec) == std::nullopt);
    CHECK(ec == store::errc::not_found);
}

TEST_CASE("spool: a discarded or abandoned draft leaves nothing behind") {
    temp_dir t;
    auto sp = open_spool(t / "outbox");
    std::error_code ec;
    {
        auto d = sp.create(ec);
        REQUIRE(d);
        REQUIRE_FALSE(d->write("x"));
    }  // destroyed without commit
    CHECK(list_dir(t / "outbox/tmp").empty());
    CHECK(sp.list(ec).empty());
}

TEST_CASE("spool: the lock holds across processes and dies with its holder") {
    temp_dir t;
    auto sp = open_spool(t / "outbox");
    const std::string id = enqueue(sp, "hello\r\n");
    int to_child[2], to_parent[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(to_parent) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::error_code cec;
        auto h = sp.acquire(id, cec);
        char c = h ? 'y' : 'n';
        (void)!::write(to_parent[1], &c, 1);
        (void)!::read(to_child[0], &c, 1);  // wait, then die holding it
        ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(to_parent[0], &c, 1) == 1);
    CHECK(c == 'y');
    std::error_code ec;
    CHECK_FALSE(sp.acquire(id, ec));
    CHECK(ec == store::errc::locked);
    std::string where;
    CHECK(sp.move_aside(id, where) == store::errc::locked);  // not while being sent
    (void)!::write(to_child[1], "x", 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(sp.acquire(id, ec));
    for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
}

TEST_CASE("spool: a damaged entry is reported and moved aside") {
    temp_dir t;
    auto sp = open_spool(t / "outbox");
    const std::string id = enqueue(sp, "hello\r\n");
    const std::string good = enqueue(sp, "other\r\n");
    const std::string meta = t / ("outbox/" + id + ".meta");
    const std::string text = read_file(meta);
    write_file(meta, text.substr(0, text.size() / 2));  // torn
    std::error_code ec;
    store::spool_entry e;
    CHECK(sp.peek(id, e) == store::errc::corrupt_entry);
    CHECK_FALSE(sp.acquire(id, ec));
    CHECK(ec == store::errc::corrupt_entry);
    std::string where;
    REQUIRE_FALSE(sp.move_aside(id, where));
    CHECK(where == t / ("outbox/corrupt/" + id + ".meta"));
    CHECK(list_dir(t / "outbox/corrupt") == std::vector<std::string>{id + ".meta", id + ".msg"});
    CHECK(sp.list(ec) == std::vector<std::string>{good});
    REQUIRE_FALSE(sp.peek(good, e));
    ::unlink((t / ("outbox/" + good + ".msg")).c_str());  // .meta without its message
    CHECK(sp.peek(good, e) == store::errc::corrupt_entry);
    CHECK_FALSE(sp.acquire(good, ec));
    CHECK(ec == store::errc::corrupt_entry);
    REQUIRE_FALSE(sp.move_aside(good, where));
    CHECK(where == t / ("outbox/corrupt/" + good + ".meta"));
    CHECK(sp.list(ec).empty());
    CHECK(sp.peek("../etc", e) == store::errc::not_found);
}

TEST_CASE("spool: clean removes old leftovers nobody holds, not live drafts") {
    temp_dir t;
    auto sp = open_spool(t / "outbox");
    std::error_code ec;
    auto live = sp.create(ec);
    REQUIRE(live);
    write_file(t / "outbox/tmp/dead.msg", "x");
    write_file(t / "outbox/orphan.msg", "x");  // a crash between the two renames of commit
    const std::string kept = enqueue(sp, "kept\r\n");
    CHECK(sp.clean(std::chrono::hours(1)) == 0);  // too young
    CHECK(sp.clean(std::chrono::seconds(-10)) == 2);
    CHECK(list_dir(t / "outbox/tmp") == std::vector<std::string>{live->id() + ".msg"});
    CHECK(sp.list(ec) == std::vector<std::string>{kept});
    CHECK(::access((t / ("outbox/" + kept + ".msg")).c_str(), F_OK) == 0);
}
