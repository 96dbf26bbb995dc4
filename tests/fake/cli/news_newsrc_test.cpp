// pigeon news fetch --import-newsrc / --export-newsrc without a server: the
// .newsrc of tin and slrn read leniently (ranges out of order, overlapping,
// "0-N", unsubscribed groups, empty ones, garbage lines skipped and
// counted), merged into the server's read marks, and written back merged
// and normalised; a second import adds to the first.
#include <doctest/doctest.h>

#include <fstream>

#include "send_support.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;

namespace {

process_result newsrc_run(const temp_dir& dir, std::vector<std::string> extra) {
    // Port 9 (discard): nothing may be connected to for an import or export alone.
    std::vector<std::string> args{"news", "fetch", "nntp://127.0.0.1:9", "--tls", "none", "--state-dir",
                                  dir.path() + "/state", "--timeout", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pigeon(dir, args);
}

std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("news .newsrc: imported leniently, exported merged and normalised, imports accumulate") {
    temp_dir dir;
    std::string in = dir.write("newsrc", "comp.lang.c: 5,1-3,4,9-12,10\n"
                                         "alt.test! 0-7\n"
                                         "misc.empty:\n"
                                         "options -n all\n"
                                         "bad.ranges: x-y,3\n"
                                         "comp.lang.c: 20\n");
    auto r = newsrc_run(dir, {"--import-newsrc", in, "--export-newsrc", dir.path() + "/out"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.err, "2 line(s)"));
    CHECK(read_all(dir.path() + "/out") ==
          "comp.lang.c: 1-5,9-12,20\nalt.test! 1-7\nmisc.empty:\nbad.ranges: 3\n");

    std::string more = dir.write("more", "comp.lang.c: 6-8,13\nnew.group: 1\n");
    r = newsrc_run(dir, {"--import-newsrc", more, "--export-newsrc", dir.path() + "/out2"});
    REQUIRE(r.exit_code == 0);
    CHECK(read_all(dir.path() + "/out2") ==
          "comp.lang.c: 1-13,20\nalt.test! 1-7\nmisc.empty:\nbad.ranges: 3\nnew.group: 1\n");

    auto missing = newsrc_run(dir, {"--import-newsrc", dir.path() + "/nope"});
    CHECK(missing.exit_code == 66);
    auto nothing = newsrc_run(dir, {});
    CHECK(nothing.exit_code == 64);
}
