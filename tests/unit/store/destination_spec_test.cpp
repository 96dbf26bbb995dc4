// open_destination(): the spec syntax, "~/" and relative paths, describe(),
// and the errors of a store that cannot be opened.
#include <doctest/doctest.h>

#include <cstdlib>
#include <unistd.h>

#include "pigeon/store/destination.hpp"
#include "destination_test_util.hpp"

using namespace pigeon;
using pigeon::test::temp_dir;

namespace {

/// Sets an environment variable for a scope.
class scoped_env {
public:
    scoped_env(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old, had_ = true;
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env() {
        if (had_)
            ::setenv(name_, old_.c_str(), 1);
        else
            ::unsetenv(name_);
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::string old_;
    bool had_ = false;
};

/// Changes the working directory for a scope.
class scoped_cwd {
public:
    explicit scoped_cwd(const std::string& dir) {
        char buf[4096];
        REQUIRE(::getcwd(buf, sizeof buf));
        old_ = buf;
        REQUIRE(::chdir(dir.c_str()) == 0);
    }
    ~scoped_cwd() { (void)!::chdir(old_.c_str()); }
    scoped_cwd(const scoped_cwd&) = delete;
    scoped_cwd& operator=(const scoped_cwd&) = delete;

private:
    std::string old_;
};

} // namespace

TEST_CASE("open_destination: malformed specs are bad_spec") {
    temp_dir dir;
    for (const std::string& spec : std::vector<std::string>{"", "maildir", "maildir:", "mbox:", "mda:", "mda:   ", "imap:/x", "Maildir:/x",
                             "/plain/path", "maildir:~other/Mail", std::string("mbox:/a\0b", 9)}) {
        INFO("spec: " << spec);
        std::error_code ec;
        auto d = store::open_destination(spec, {}, ec);
        CHECK(d == nullptr);
        CHECK(ec == store::errc::bad_spec);
    }
}

TEST_CASE("open_destination: ~/ is the home directory and relative paths become absolute") {
    temp_dir home;
    scoped_env env("HOME", home.path());
    std::error_code ec;
    auto m = store::open_destination("maildir:~/Mail/", {}, ec);
    REQUIRE_MESSAGE(m, ec.message());
    CHECK(m->describe() == "maildir:" + home.path() + "/Mail");
    CHECK(pigeon::test::list_dir(home / "Mail") == std::vector<std::string>{"cur", "new", "tmp"});

    auto b = store::open_destination("mbox:~/inbox.mbox", {}, ec);
    REQUIRE_MESSAGE(b, ec.message());
    CHECK(b->describe() == "mbox:" + home.path() + "/inbox.mbox");
    CHECK(std::filesystem::is_regular_file(home / "inbox.mbox"));

    scoped_cwd cwd(home.path());
    auto r = store::open_destination("maildir:rel/dir", {}, ec);
    REQUIRE_MESSAGE(r, ec.message());
    CHECK(r->describe() == "maildir:" + home.path() + "/rel/dir");
    CHECK(std::filesystem::is_directory(home / "rel/dir/new"));

    auto x = store::open_destination("mda:procmail -d $USER", {}, ec);
    REQUIRE(x);
    CHECK(!ec);
    CHECK(x->describe() == "mda:procmail -d $USER");
}

TEST_CASE("open_destination: stores that cannot be opened") {
    temp_dir dir;
    std::error_code ec;
    store::destination_options no_create;
    no_create.create = false;

    CHECK(store::open_destination("maildir:" + (dir / "absent"), no_create, ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);
    CHECK(!std::filesystem::exists(dir / "absent"));

    std::filesystem::create_directories(dir / "partial/new");  // no tmp/ cur/
    CHECK(store::open_destination("maildir:" + (dir / "partial"), no_create, ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);

    pigeon::test::write_file(dir / "file", "x");
    CHECK(store::open_destination("maildir:" + (dir / "file"), {}, ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);

    CHECK(store::open_destination("mbox:" + (dir / "absent.mbox"), no_create, ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);
    CHECK(store::open_destination("mbox:" + (dir / "no/such/dir/mbox"), {}, ec) == nullptr);
    CHECK(ec == store::errc::cannot_create);
    CHECK(store::open_destination("mbox:" + dir.path(), {}, ec) == nullptr);  // a directory
    CHECK(ec == store::errc::cannot_create);

    // A Maildir whose ancestors are missing is created with them.
    auto deep = store::open_destination("maildir:" + (dir / "a/b/c"), {}, ec);
    REQUIRE_MESSAGE(deep, ec.message());
    CHECK(std::filesystem::is_directory(dir / "a/b/c/cur"));
    CHECK((std::filesystem::status(dir / "a/b/c").permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms::owner_all);
}
