// The Maildir destination: CRLF -> LF under every split, unique names and
// flags, subfolders and refused names, abort, sync, contains().
#include <doctest/doctest.h>

#include <regex>
#include <sys/stat.h>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"
#include "support/split_feed.hpp"

using namespace pigeon;
using pigeon::test::delivered;
using pigeon::test::list_dir;
using pigeon::test::read_file;
using pigeon::test::temp_dir;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<store::destination> open_maildir(const std::string& root, bool fsync = true, bool batch_sync = true) {
    store::destination_options opts;
    opts.fsync = fsync;
    opts.batch_sync = batch_sync;
    std::error_code ec;
    auto d = store::open_destination("maildir:" + root, opts, ec);
    REQUIRE_MESSAGE(d, ec.message());
    return d;
}

store::message_meta meta_of(std::string folder = "", std::vector<std::string> flags = {}) {
    store::message_meta m;
    m.folder = std::move(folder);
    m.flags = std::move(flags);
    return m;
}

} // namespace

TEST_CASE("maildir: CRLF -> LF gives the same file under every split of the message") {
    temp_dir dir;
    auto md = open_maildir(dir.path(), false);
    const std::string msg = pigeon::test::sample_message();
    const std::string expected = pigeon::test::lf_of(msg);
    REQUIRE(expected.size() < msg.size());  // the sample has CRLFs to convert
    const auto calls = pigeon::test::for_each_split(msg, [&](const pigeon::test::pieces& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        const delivered r = pigeon::test::deliver(*md, meta_of(), pieces);
        REQUIRE_MESSAGE(!r.ec, r.ec.message());
        CHECK(r.bytes == msg.size());
        CHECK(r.sha == pigeon::test::sha256_of(msg));
        CHECK(read_file(dir / r.location) == expected);
    });
    CHECK(list_dir(dir / "new").size() == calls);
    CHECK(list_dir(dir / "tmp").empty());
}

TEST_CASE("maildir: line-end corner cases across three-way splits") {
    temp_dir dir;
    auto md = open_maildir(dir.path(), false);
    using namespace std::string_literals;
    for (const std::string& msg : {"a\r\r\nb\r\n\r\n"s, "\r\r\r\n\n\r"s, "x\0\r\n\0\r"s, "\r"s, "\n"s, ""s}) {
        const std::string expected = pigeon::test::lf_of(msg);
        auto check = [&](const pigeon::test::pieces& pieces) {
            INFO("split: " << pigeon::test::describe(pieces));
            const delivered r = pigeon::test::deliver(*md, meta_of(), pieces);
            REQUIRE(!r.ec);
            CHECK(read_file(dir / r.location) == expected);
        };
        pigeon::test::for_each_split(msg, check);
        pigeon::test::for_each_split3(msg, check);
    }
}

TEST_CASE("maildir: unique names with S= sizes and flags to cur/ in sorted letters") {
    temp_dir dir;
    bool batch_sync = true;
    SUBCASE("syncfs of the file system (batch_sync)") { batch_sync = true; }
    SUBCASE("an fsync per file and directory") { batch_sync = false; }
    auto md = open_maildir(dir.path(), true, batch_sync);
    const std::regex unique(R"(\d+\.M\d+P\d+Q\d+R[0-9a-f]{16}\.[^/:,]+,S=(\d+))");

    struct row {
        std::vector<std::string> flags;
        std::string suffix;  // "" = new/
    };
    const row rows[] = {
        {{}, ""},
        {{"$Junk", "\\Recent", "NonJunk"}, ""},
        {{"\\Seen"}, ":2,S"},
        {{"\\seen", "$Junk"}, ":2,S"},
        {{"\\Seen", "\\Answered"}, ":2,RS"},
        {{"\\Deleted", "\\Seen", "\\Flagged", "\\Draft", "\\Answered", "\\Seen"}, ":2,DFRST"},
    };
    for (const auto& r : rows) {
        INFO("suffix " << r.suffix);
        const delivered d = pigeon::test::deliver(*md, meta_of("INBOX", r.flags), "Subject: x\r\n\r\nbody\r\n");
        REQUIRE_MESSAGE(!d.ec, d.ec.message());
        const std::string sub = r.suffix.empty() ? "new/" : "cur/";
        REQUIRE(d.location.substr(0, 4) == sub);
        const std::string name = d.location.substr(4);
        REQUIRE(name.size() > r.suffix.size());
        CHECK(name.substr(name.size() - r.suffix.size()) == r.suffix);
        std::smatch m;
        const std::string base = name.substr(0, name.size() - r.suffix.size());
        REQUIRE(std::regex_match(base, m, unique));
        CHECK(std::stoull(m[1].str()) == fs::file_size(dir / d.location));
        CHECK(fs::file_size(dir / d.location) == std::string("Subject: x\n\nbody\n").size());
        CHECK((fs::status(dir / d.location).permissions() & fs::perms::all) ==
              (fs::perms::owner_read | fs::perms::owner_write));
    }
    CHECK(list_dir(dir / "new").size() == 2);
    CHECK(list_dir(dir / "cur").size() == 4);
}

TEST_CASE("maildir: two deliveries in sequence get two names and mtime from INTERNALDATE") {
    temp_dir dir;
    auto md = open_maildir(dir.path());
    auto meta = meta_of();
    meta.internal_date = 1733475600;
    const delivered a = pigeon::test::deliver(*md, meta, "one\r\n");
    const delivered b = pigeon::test::deliver(*md, meta_of(), "two\r\n");
    REQUIRE(!a.ec);
    REQUIRE(!b.ec);
    CHECK(a.location != b.location);
    CHECK(read_file(dir / a.location) == "one\n");
    CHECK(read_file(dir / b.location) == "two\n");
    struct stat st {};
    REQUIRE(::stat((dir / a.location).c_str(), &st) == 0);
    CHECK(st.st_mtime == 1733475600);
    REQUIRE(::stat((dir / b.location).c_str(), &st) == 0);
    CHECK(st.st_mtime > 1733475600);
    std::error_code ec;
    md->sync(ec);
    CHECK(!ec);
}

TEST_CASE("maildir: Maildir++ subfolders and their escaping") {
    temp_dir dir;
    auto md = open_maildir(dir.path());
    struct row {
        std::string folder, rel;
    };
    const row rows[] = {
        {"", ""},
        {"INBOX", ""},
        {"inbox", ""},
        {"Lists/dev", ".Lists.dev/"},
        {"a.b/c%d", ".a%2Eb.c%25d/"},
        {"tab\there", ".tab%09here/"},
        {"INBOX/Sent", ".INBOX.Sent/"},
        {".hidden", ".%2Ehidden/"},
    };
    for (const auto& r : rows) {
        INFO("folder " << r.folder);
        const delivered d = pigeon::test::deliver(*md, meta_of(r.folder), "x\r\n");
        REQUIRE_MESSAGE(!d.ec, d.ec.message());
        CHECK(d.location.substr(0, r.rel.size() + 4) == r.rel + "new/");
        if (!r.rel.empty()) {
            const std::string f = dir / r.rel;
            CHECK(list_dir(f) == std::vector<std::string>{"cur", "maildirfolder", "new", "tmp"});
            CHECK(fs::file_size(f + "maildirfolder") == 0);
        }
    }
    CHECK(list_dir(dir.path()) == std::vector<std::string>{".%2Ehidden", ".INBOX.Sent", ".Lists.dev", ".a%2Eb.c%25d",
                                                            ".tab%09here", "cur", "new", "tmp"});
}

TEST_CASE("maildir: refused folder names create nothing inside or outside the root") {
    temp_dir dir;
    const std::string root = dir / "root";
    auto md = open_maildir(root);
    const auto before_outside = list_dir(dir.path());
    const auto before_inside = list_dir(root);
    for (const std::string& folder : std::vector<std::string>{"..", ".", "../x", "a/../b", "a/..", "/a", "a/", "a//b", "/", "...", "x/./y"}) {
        INFO("folder " << folder);
        std::error_code ec;
        auto d = md->begin(meta_of(folder), ec);
        CHECK(d == nullptr);
        CHECK(ec == store::errc::cannot_create);
    }
    CHECK(list_dir(dir.path()) == before_outside);
    CHECK(list_dir(root) == before_inside);
    CHECK(list_dir(root + "/tmp").empty());

    store::destination_options no_create;
    no_create.create = false;
    std::error_code ec;
    auto strict = store::open_destination("maildir:" + root, no_create, ec);
    REQUIRE(strict);
    CHECK(strict->begin(meta_of("New/Folder"), ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);
    CHECK(!fs::exists(root + "/.New.Folder"));
}

TEST_CASE("maildir: abort and destruction leave nothing and the delivery's state is enforced") {
    temp_dir dir;
    auto md = open_maildir(dir.path());
    std::error_code ec;
    {
        auto d = md->begin(meta_of("Sub"), ec);
        REQUIRE(d);
        d->write("partial\r\nmessage", ec);
        REQUIRE(!ec);
        CHECK(list_dir(dir / ".Sub/tmp").size() == 1);
        CHECK(md->begin(meta_of(), ec) == nullptr);  // one at a time
        CHECK(ec == store::errc::bad_state);
        d->abort();
        CHECK(list_dir(dir / ".Sub/tmp").empty());
        d->write("more", ec);
        CHECK(ec == store::errc::bad_state);
        d->commit(ec);
        CHECK(ec == store::errc::bad_state);
        CHECK(d->location().empty());
        d->abort();  // twice is harmless
    }
    {
        auto d = md->begin(meta_of(), ec);
        REQUIRE(d);
        d->write("dropped\r\n", ec);
        REQUIRE(!ec);
        CHECK(list_dir(dir / "tmp").size() == 1);
    }  // destroyed without commit
    CHECK(list_dir(dir / "tmp").empty());
    CHECK(list_dir(dir / "new").empty());
    CHECK(list_dir(dir / ".Sub/new").empty());

    const delivered ok = pigeon::test::deliver(*md, meta_of(), "after\r\n");  // usable again
    CHECK(!ok.ec);
    CHECK(list_dir(dir / "new").size() == 1);
    // a committed delivery can be neither written nor committed again
    auto d = md->begin(meta_of(), ec);
    REQUIRE(d);
    d->commit(ec);
    REQUIRE(!ec);
    CHECK_FALSE(fs::exists(dir / d->location()));   // renamed at sync(), after its fsync
    CHECK_FALSE(md->contains(d->location(), 0, pigeon::test::sha256_of("")));
    md->sync(ec);
    REQUIRE(!ec);
    CHECK(read_file(dir / d->location()).empty());
    d->write("x", ec);
    CHECK(ec == store::errc::bad_state);
    d->commit(ec);
    CHECK(ec == store::errc::bad_state);
    CHECK(fs::exists(dir / d->location()));  // abort after commit changes nothing
    d->abort();
    CHECK(fs::exists(dir / d->location()));
}

TEST_CASE("maildir: sync() renames after the fsyncs and reports a folder removed under it") {
    temp_dir dir;
    bool batch_sync = true;
    SUBCASE("syncfs of the file system (batch_sync)") { batch_sync = true; }
    SUBCASE("an fsync per file and directory") { batch_sync = false; }
    auto md = open_maildir(dir.path(), true, batch_sync);
    std::error_code ec;
    md->sync(ec);
    CHECK(!ec);
    // Synced normally: the file is in new/.
    const delivered ok = pigeon::test::deliver(*md, meta_of("Kept"), "x\r\n");
    REQUIRE(!ok.ec);
    CHECK(fs::exists(dir / ok.location));
    // Committed, then its folder removed before sync(): the rename fails,
    // and keeps failing (the file went with the folder; the message was
    // never durable, so a fetcher never recorded it and fetches it again).
    auto d = md->begin(meta_of("Gone"), ec);
    REQUIRE(d);
    d->write("y\r\n", ec);
    d->commit(ec);
    REQUIRE(!ec);
    fs::remove_all(dir / ".Gone");
    md->sync(ec);
    CHECK(ec == store::errc::io_error);
    md->sync(ec);
    CHECK(ec == store::errc::io_error);
    CHECK_FALSE(md->contains(d->location(), 3, ""));
}

TEST_CASE("maildir: contains() finds the message by its unique part and checks its content") {
    temp_dir dir;
    auto md = open_maildir(dir.path());
    const std::string msg = "Subject: contains\r\n\r\nFrom a CRLF original\r\nwith a lone CR\r.\r\n";
    const delivered d = pigeon::test::deliver(*md, meta_of("Lists/dev"), msg);
    REQUIRE(!d.ec);
    const std::string sha = pigeon::test::sha256_of(msg);
    CHECK(md->contains(d.location, msg.size(), sha));
    CHECK(md->contains(d.location, msg.size(), ""));
    CHECK_FALSE(md->contains(d.location, msg.size(), pigeon::test::sha256_of("other")));
    CHECK_FALSE(md->contains(d.location, msg.size() + 1, sha));
    CHECK_FALSE(md->contains(d.location, 3, sha));

    // An MUA moved it to cur/ and flagged it.
    const std::string moved = dir / (".Lists.dev/cur/" + d.location.substr(d.location.rfind('/') + 1) + ":2,FS");
    fs::rename(dir / d.location, moved);
    CHECK(md->contains(d.location, msg.size(), sha));
    // Same unique part in the root folder: not the same message.
    CHECK_FALSE(md->contains(d.location.substr(d.location.find('/') + 1), msg.size(), sha));
    // A file shorter than its ,S= (torn) is not the message.
    {
        std::string content = read_file(moved);
        content.pop_back();
        pigeon::test::write_file(moved, content);
        CHECK_FALSE(md->contains(d.location, msg.size(), sha));
    }
    fs::remove(moved);
    CHECK_FALSE(md->contains(d.location, msg.size(), sha));

    // Originals with LF ends are rebuilt exactly; mixed ones by size only.
    const std::string lf = "a\nb\n";
    const delivered l = pigeon::test::deliver(*md, meta_of(), lf);
    CHECK(md->contains(l.location, lf.size(), pigeon::test::sha256_of(lf)));
    CHECK_FALSE(md->contains(l.location, lf.size(), pigeon::test::sha256_of("a\nc\n")));
    const std::string crlf = "a\r\nb\r\n";
    const delivered c = pigeon::test::deliver(*md, meta_of(), crlf);
    CHECK(md->contains(c.location, crlf.size(), pigeon::test::sha256_of(crlf)));
    CHECK_FALSE(md->contains(c.location, crlf.size(), pigeon::test::sha256_of("a\r\nc\r\n")));
    const std::string mixed = "a\r\nb\n";
    const delivered x = pigeon::test::deliver(*md, meta_of(), mixed);
    CHECK(md->contains(x.location, mixed.size(), pigeon::test::sha256_of(mixed)));
    CHECK(md->contains(x.location, mixed.size(), pigeon::test::sha256_of("cannot be checked")));
    CHECK_FALSE(md->contains(x.location, mixed.size() + 2, pigeon::test::sha256_of(mixed)));
    CHECK_FALSE(md->contains(x.location, mixed.size() - 2, pigeon::test::sha256_of(mixed)));

    for (const std::string& bad : std::vector<std::string>{"", "new", "new/", "tmp/" + l.location.substr(4), "../" + l.location,
                                  "./" + l.location, "../new/" + l.location.substr(4), "a/b/c/d",
                                  ".Lists.dev/../new/" + l.location.substr(4), "cur/..", "new/,S=4"}) {
        INFO("location " << bad);
        CHECK_FALSE(md->contains(bad, lf.size(), ""));
    }
}

TEST_CASE("maildir: a large message streams through in bounded pieces") {
    temp_dir dir;
    auto md = open_maildir(dir.path(), false);
    std::string line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwx\r\n";
    std::string msg;
    while (msg.size() < 3 * 1024 * 1024) msg += line;
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < msg.size(); i += 1000003) pieces.push_back(std::string_view(msg).substr(i, 1000003));
    const delivered d = pigeon::test::deliver(*md, meta_of(), pieces);
    REQUIRE(!d.ec);
    CHECK(d.bytes == msg.size());
    CHECK(d.sha == pigeon::test::sha256_of(msg));
    CHECK(read_file(dir / d.location) == pigeon::test::lf_of(msg));
    CHECK(md->contains(d.location, msg.size(), d.sha));
}
