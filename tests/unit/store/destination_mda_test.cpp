// The MDA destination: the message on the command's stdin with LF ends,
// the environment, exit 0 / 75 / other, a command that does not read (no
// SIGPIPE death), abort, descriptors.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <thread>
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

std::unique_ptr<store::destination> open_mda(const std::string& command,
                                             std::vector<std::pair<std::string, std::string>> env = {}) {
    store::destination_options opts;
    opts.mda_environment = std::move(env);
    std::error_code ec;
    auto d = store::open_destination("mda:" + command, opts, ec);
    REQUIRE_MESSAGE(d, ec.message());
    return d;
}

/// SIGPIPE at its default for the scope: a write to a closed pipe that is
/// not protected kills the test program.
class default_sigpipe {
public:
    default_sigpipe() { old_ = std::signal(SIGPIPE, SIG_DFL); }
    ~default_sigpipe() { std::signal(SIGPIPE, old_); }
    default_sigpipe(const default_sigpipe&) = delete;
    default_sigpipe& operator=(const default_sigpipe&) = delete;

private:
    void (*old_)(int) = nullptr;
};

} // namespace

TEST_CASE("mda: exit 0 delivers and the command reads the message with LF ends under every split") {
    temp_dir dir;
    const std::string out = dir / "out";
    auto mda = open_mda("cat > '" + out + "'");
    const std::string msg = pigeon::test::sample_message();
    pigeon::test::for_each_split(msg.substr(0, 80), [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const delivered r = pigeon::test::deliver(*mda, {}, pieces);
        REQUIRE_MESSAGE(!r.ec, r.ec.message());
        CHECK(read_file(out) == pigeon::test::lf_of(msg.substr(0, 80)));
    });
    const delivered r = pigeon::test::deliver(*mda, {}, msg);
    REQUIRE(!r.ec);
    CHECK(r.location == "mda");
    CHECK(r.bytes == msg.size());
    CHECK(r.sha == pigeon::test::sha256_of(msg));
    CHECK(read_file(out) == pigeon::test::lf_of(msg));
    CHECK_FALSE(mda->contains("mda", msg.size(), r.sha));
    std::error_code ec;
    mda->sync(ec);
    CHECK(!ec);
}

TEST_CASE("mda: PIGEON_FOLDER and PIGEON_FLAGS and the extra environment") {
    temp_dir dir;
    const std::string out = dir / "env";
    ::setenv("PIGEON_TEST_INHERITED", "yes", 1);
    ::setenv("PIGEON_FOLDER", "from the parent, overridden", 1);
    auto mda = open_mda("cat >/dev/null; printf '%s|%s|%s|%s|%s' \"$PIGEON_FOLDER\" \"$PIGEON_FLAGS\" \"$EXTRA\" "
                        "\"$PIGEON_TEST_INHERITED\" \"$SPACED\" > '" + out + "'",
                        {{"EXTRA", "x=1"}, {"SPACED", "a b  c"}, {"", "ignored"}, {"BAD=KEY", "ignored"}});
    store::message_meta meta;
    meta.folder = "Lists/dev";
    meta.flags = {"\\Seen", "$Junk"};
    const delivered r = pigeon::test::deliver(*mda, meta, "x\r\n");
    ::unsetenv("PIGEON_TEST_INHERITED");
    ::unsetenv("PIGEON_FOLDER");
    REQUIRE_MESSAGE(!r.ec, r.ec.message());
    CHECK(read_file(out) == "Lists/dev|\\Seen $Junk|x=1|yes|a b  c");
}

TEST_CASE("mda: exit status 75 is a temporary failure and any other failure is mda_failed") {
    temp_dir dir;
    struct row {
        std::string command;
        store::errc expected;
    };
    const row rows[] = {
        {"cat >/dev/null; exit 75", store::errc::mda_tempfail},
        {"cat >/dev/null; exit 1", store::errc::mda_failed},
        {"cat >/dev/null; exit 74", store::errc::mda_failed},
        {"cat >/dev/null; kill -9 $$", store::errc::mda_failed},
        {"/nonexistent/program", store::errc::mda_failed},
    };
    for (const auto& r : rows) {
        INFO("command: " << r.command);
        auto mda = open_mda(r.command);
        const delivered d = pigeon::test::deliver(*mda, {}, "Subject: x\r\n\r\nbody\r\n");
        CHECK(d.ec == r.expected);
        CHECK(d.location.empty());
        // the destination stays usable
        std::error_code ec;
        auto next = mda->begin({}, ec);
        CHECK(next != nullptr);
    }
}

TEST_CASE("mda: a command that exits without reading does not kill us and fails the delivery") {
    default_sigpipe guard;
    const std::string big(4 * 1024 * 1024, 'x');  // far more than a pipe holds
    struct row {
        std::string command;
        store::errc expected;
    };
    for (const row& r : {row{"exit 0", store::errc::mda_failed}, row{"exit 75", store::errc::mda_tempfail},
                         row{"exec 0<&-; exit 3", store::errc::mda_failed},
                         row{"head -c 10 >/dev/null", store::errc::mda_failed}}) {
        INFO("command: " << r.command);
        auto mda = open_mda(r.command);
        std::error_code ec;
        auto d = mda->begin({}, ec);
        REQUIRE(d);
        for (int i = 0; i < 4; ++i) {
            d->write(big, ec);
            CHECK(!ec);  // the verdict waits for commit()
        }
        d->commit(ec);
        CHECK(ec == r.expected);
        CHECK(d->bytes_written() == 4 * big.size());
    }
}

TEST_CASE("mda: abort stops the command before it sees the end of the message") {
    temp_dir dir;
    const std::string done = dir / "done";
    auto mda = open_mda("cat >/dev/null; touch '" + done + "'");
    std::error_code ec;
    auto d = mda->begin({}, ec);
    REQUIRE(d);
    d->write("partial message\r\n", ec);
    REQUIRE(!ec);
    const auto t0 = std::chrono::steady_clock::now();
    d->abort();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(!fs::exists(done));
    d->write("x", ec);
    CHECK(ec == store::errc::bad_state);

    {  // destroyed without commit: the same
        auto e = mda->begin({}, ec);
        REQUIRE(e);
        e->write("partial\r\n", ec);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(!fs::exists(done));
    // and the next one is delivered
    const delivered ok = pigeon::test::deliver(*mda, {}, "whole\r\n");
    CHECK(!ok.ec);
    CHECK(fs::exists(done));
}

TEST_CASE("mda: abort of a command that ignores SIGTERM ends with SIGKILL") {
    temp_dir dir;
    const std::string marker = dir / "started", tame = dir / "tame";
    auto mda = open_mda("if [ -e '" + tame + "' ]; then exec cat >/dev/null; fi; trap '' TERM; touch '" + marker +
                        "'; cat >/dev/null; sleep 60");
    std::error_code ec;
    auto d = mda->begin({}, ec);
    REQUIRE(d);
    for (int i = 0; i < 200 && !fs::exists(marker); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(fs::exists(marker));
    const auto t0 = std::chrono::steady_clock::now();
    d->abort();
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= std::chrono::seconds(4));
    CHECK(took < std::chrono::seconds(10));
    pigeon::test::write_file(tame, "");
    const delivered ok = pigeon::test::deliver(*mda, {}, "x\r\n");
    CHECK(!ok.ec);
}

TEST_CASE("mda: one delivery at a time") {
    auto mda = open_mda("cat >/dev/null");
    std::error_code ec;
    auto d = mda->begin({}, ec);
    REQUIRE(d);
    CHECK(mda->begin({}, ec) == nullptr);
    CHECK(ec == store::errc::bad_state);
    d->commit(ec);
    CHECK(!ec);
    d->commit(ec);
    CHECK(ec == store::errc::bad_state);
    auto e = mda->begin({}, ec);
    CHECK(e != nullptr);
}

TEST_CASE("mda: the command gets no other descriptor and its stdout goes to stderr") {
    temp_dir dir;
    const int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC
    REQUIRE(leaky >= 3);
    const std::string out = dir / "fds";
    auto mda = open_mda("cat >/dev/null; if [ -e /proc/self/fd/" + std::to_string(leaky) +
                        " ]; then echo leaked > '" + out + "'; else echo clean > '" + out + "'; fi; echo to-stdout");

    // Our stdout and stderr, redirected to files for the delivery.
    const std::string so = dir / "stdout", se = dir / "stderr";
    std::fflush(stdout);
    std::fflush(stderr);
    const int saved_out = ::dup(1), saved_err = ::dup(2);
    const int fo = ::open(so.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int fe = ::open(se.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    const delivered r = pigeon::test::deliver(*mda, {}, "x\r\n");
    ::dup2(saved_out, 1);
    ::dup2(saved_err, 2);
    for (int fd : {saved_out, saved_err, fo, fe, leaky}) ::close(fd);

    REQUIRE_MESSAGE(!r.ec, r.ec.message());
    CHECK(read_file(out) == "clean\n");
    CHECK(read_file(so).empty());
    CHECK(read_file(se) == "to-stdout\n");
}
