#include <ostream>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/private_file.hpp"
#include "pigeon/oauth2/token_cache.hpp"

using namespace pigeon::oauth2;
using namespace std::chrono;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/pigeon-oauth2-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    return d;
}

mode_t mode_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("private files: written 0600 in 0700 directories, replaced whole") {
    const std::string dir = temp_dir();
    const std::string path = dir + "/a/b/work.refresh_token";
    REQUIRE_FALSE(write_private_file(path, "one\n"));
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(dir + "/a") == 0700);
    CHECK(mode_of(dir + "/a/b") == 0700);
    REQUIRE_FALSE(write_private_file(path, "two\n"));
    std::string text;
    REQUIRE_FALSE(read_private_file(path, text));
    CHECK(text == "two\n");
    // A file others may read is refused, a missing one is reported as such.
    ::chmod(path.c_str(), 0644);
    CHECK(read_private_file(path, text) == errc::insecure_file);
    CHECK(text.empty());
    CHECK(read_private_file(dir + "/none", text) == std::errc::no_such_file_or_directory);
    CHECK(read_private_file(dir, text) == errc::file_error);
    ::chmod(path.c_str(), 0600);
    CHECK(read_private_file(path, text, 2) == errc::file_error);  // over the size limit
    CHECK(write_private_file("", "x") == errc::file_error);
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("token cache: round trip and freshness") {
    cached_token t{"ya29.abc", system_clock::time_point(seconds(1796560000))};
    const std::string text = format_cached_token(t);
    CHECK(text == "pigeon-oauth2-token 1\nexpires_at 1796560000\naccess_token ya29.abc\n");
    auto back = parse_cached_token(text);
    REQUIRE(back);
    CHECK(back->access_token == "ya29.abc");
    CHECK(back->expires_at == t.expires_at);
    const auto now = system_clock::time_point(seconds(1796560000 - 120));
    CHECK(back->fresh(now));
    CHECK_FALSE(back->fresh(now + seconds(61)));  // under a minute left: refresh
    CHECK_FALSE(back->fresh(now + seconds(3600)));
}

TEST_CASE("token cache: anything else is no token") {
    for (const char* bad : {"", "pigeon-oauth2-token 2\nexpires_at 1\naccess_token a\n",
                            "pigeon-oauth2-token 1\naccess_token a\n", "pigeon-oauth2-token 1\nexpires_at 1\n",
                            "pigeon-oauth2-token 1\nexpires_at x\naccess_token a\n",
                            "pigeon-oauth2-token 1\nexpires_at -5\naccess_token a\n",
                            "pigeon-oauth2-token 1\nexpires_at 11796560000\naccess_token a\n",
                            "pigeon-oauth2-token 1\nexpires_at 9796560000\naccess_token a\n",
                            "pigeon-oauth2-token 1\nexpires_at 99999999999999999999\naccess_token a\n",
                            "pigeon-oauth2-token 1\nexpires_at 1\naccess_token a b\n",
                            "pigeon-oauth2-token 1\nexpires_at 1\naccess_token a\nextra 1\n"}) {
        INFO(bad);
        CHECK_FALSE(parse_cached_token(bad));
    }
    const std::string dir = temp_dir();
    CHECK(store_cached_token(dir + "/t", {"bad token", {}}) == errc::bad_response);
    REQUIRE_FALSE(store_cached_token(dir + "/t", {"good", system_clock::time_point(seconds(5))}));
    std::error_code ec;
    auto t = load_cached_token(dir + "/t", ec);
    REQUIRE(t);
    CHECK(t->access_token == "good");
    CHECK(mode_of(dir + "/t") == 0600);
    std::system(("rm -rf " + dir).c_str());
}
