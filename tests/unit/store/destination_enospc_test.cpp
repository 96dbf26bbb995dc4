// A full file system: errc::no_space, and nothing left behind. The file
// system is a real tmpfs of 64 KiB mounted for the test (the suite runs as
// root here); when it cannot be mounted the test fails and says why.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <sys/mount.h>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"

using namespace pigeon;
using pigeon::test::list_dir;
using pigeon::test::temp_dir;
namespace fs = std::filesystem;

namespace {

/// A small tmpfs on a fresh directory, unmounted at the end.
class small_tmpfs {
public:
    small_tmpfs() {
        mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=64k,mode=0700") == 0;
        if (!mounted_) error_ = std::strerror(errno);
    }
    ~small_tmpfs() {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }
    small_tmpfs(const small_tmpfs&) = delete;
    small_tmpfs& operator=(const small_tmpfs&) = delete;
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    std::string operator/(std::string_view rel) const { return dir_ / rel; }

private:
    temp_dir dir_;
    bool mounted_ = false;
    std::string error_;
};

std::string big_message() {
    std::string msg = "Subject: big\r\n\r\n";
    while (msg.size() < 300 * 1024) msg += "a line of text that fills the file system up quickly.\r\n";
    return msg;
}

/// Delivers msg in 8 KiB writes; the first error of write() or commit().
std::error_code deliver_big(store::destination& dest, const std::string& msg) {
    std::error_code ec;
    auto d = dest.begin({}, ec);
    if (!d) return ec;
    for (std::size_t i = 0; i < msg.size() && !ec; i += 8192) d->write(std::string_view(msg).substr(i, 8192), ec);
    if (!ec) d->commit(ec);
    return ec;
}

} // namespace

TEST_CASE("no space: Maildir") {
    small_tmpfs fs_;
    REQUIRE_MESSAGE(fs_.mounted(), "mount -t tmpfs -o size=64k failed: " << fs_.error()
                                                                         << " (this test needs root)");
    std::error_code ec;
    auto md = store::open_destination("maildir:" + (fs_ / "Mail"), {}, ec);
    REQUIRE_MESSAGE(md, ec.message());
    const auto small = pigeon::test::deliver(*md, {}, "Subject: fits\r\n\r\nbody\r\n");
    REQUIRE(!small.ec);

    CHECK(deliver_big(*md, big_message()) == store::errc::no_space);
    CHECK(list_dir(fs_ / "Mail/tmp").empty());
    CHECK(list_dir(fs_ / "Mail/new").size() == 1);  // the small one only

    // The space is given back: a small message fits again.
    const std::string fits = "Subject: fits again\r\n\r\nbody\r\n";
    const auto again = pigeon::test::deliver(*md, {}, fits);
    CHECK(!again.ec);
    CHECK(md->contains(again.location, fits.size(), pigeon::test::sha256_of(fits)));
}

TEST_CASE("no space: mbox") {
    small_tmpfs fs_;
    REQUIRE_MESSAGE(fs_.mounted(), "mount -t tmpfs -o size=64k failed: " << fs_.error()
                                                                         << " (this test needs root)");
    std::error_code ec;
    const std::string path = fs_ / "mbox";
    auto mb = store::open_destination("mbox:" + path, {}, ec);
    REQUIRE_MESSAGE(mb, ec.message());
    REQUIRE(!pigeon::test::deliver(*mb, {}, "Subject: fits\r\n\r\nbody\r\n").ec);
    const std::string before = pigeon::test::read_file(path);

    CHECK(deliver_big(*mb, big_message()) == store::errc::no_space);
    CHECK(pigeon::test::read_file(path) == before);
    CHECK(!fs::exists(path + ".lock"));

    const auto again = pigeon::test::deliver(*mb, {}, "Subject: fits again\r\n\r\nbody\r\n");
    CHECK(!again.ec);
    CHECK(again.location == "offset:" + std::to_string(before.size()));
    mb->sync(ec);
    CHECK(!ec);
}
