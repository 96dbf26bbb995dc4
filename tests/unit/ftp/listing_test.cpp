// The listing parsers: MLSD facts, Unix and DOS LIST lines, NLST names, and
// the line splitter under every split of its input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pigeon/ftp/listing.hpp"
#include "support/split_feed.hpp"

using namespace pigeon::ftp;

namespace {
// 2026-12-06 12:00:00 UTC
constexpr std::int64_t now = 1796558400;
}

TEST_CASE("parse_ftp_time") {
    CHECK(parse_ftp_time("19700101000000") == 0);
    CHECK(parse_ftp_time("20261206120000") == now);
    CHECK(parse_ftp_time("20261206120000.123") == now);
    CHECK(parse_ftp_time("20240229235960") == parse_ftp_time("20240301000000"));  // leap second folds forward
    CHECK_FALSE(parse_ftp_time("20230229000000"));  // not a leap year
    CHECK_FALSE(parse_ftp_time("20261306120000"));
    CHECK_FALSE(parse_ftp_time("2026120612000"));
    CHECK_FALSE(parse_ftp_time("20261206120000."));
    CHECK_FALSE(parse_ftp_time("20261206120000x"));
    CHECK_FALSE(parse_ftp_time("2026-12-06 12:00"));
}

TEST_CASE("MLSD lines") {
    auto e = parse_mlsd_line("type=file;size=1234;modify=20261206120000;perm=adfrw;UNIX.mode=0644;UNIX.owner=ftp; a file.txt");
    REQUIRE(e);
    CHECK(e->name == "a file.txt");
    CHECK(e->type == entry_type::file);
    CHECK(e->size == 1234u);
    CHECK(e->modified == now);
    CHECK(e->permissions == "rw-r--r--");  // UNIX.mode wins over perm (it came later)
    CHECK(e->owner == "ftp");

    e = parse_mlsd_line("Type=dir;Modify=20261206120000.5;Perm=flcdmpe; pub");
    REQUIRE(e);
    CHECK(e->type == entry_type::directory);
    CHECK(e->name == "pub");
    CHECK(e->permissions == "flcdmpe");
    CHECK_FALSE(e->size);

    e = parse_mlsd_line("type=OS.unix=slink:/srv/target;size=6; link");
    REQUIRE(e);
    CHECK(e->type == entry_type::link);
    CHECK(e->link_target == "/srv/target");

    e = parse_mlsd_line("type=OS.unix=symlink; l2");
    REQUIRE(e);
    CHECK(e->type == entry_type::link);

    // Names keep leading spaces and semicolons: only the first space splits.
    e = parse_mlsd_line("type=file;size=0;  two spaces; and semi");
    REQUIRE(e);
    CHECK(e->name == " two spaces; and semi");

    // No facts at all is allowed ("; name" has none, " name" too).
    e = parse_mlsd_line(" bare");
    REQUIRE(e);
    CHECK(e->name == "bare");
    CHECK(e->type == entry_type::unknown);

    CHECK_FALSE(parse_mlsd_line("type=cdir;modify=20261206120000; /home/alice"));
    CHECK_FALSE(parse_mlsd_line("type=pdir; .."));
    CHECK_FALSE(parse_mlsd_line("type=file;size=1;"));    // no name
    CHECK_FALSE(parse_mlsd_line("type=file;size=1; "));   // empty name
    CHECK_FALSE(parse_mlsd_line("typefile; x"));          // fact without '='
    CHECK_FALSE(parse_mlsd_line(""));

    // Bad values are dropped, the entry stays.
    e = parse_mlsd_line("type=file;size=12x;modify=yesterday; f");
    REQUIRE(e);
    CHECK_FALSE(e->size);
    CHECK_FALSE(e->modified);
    e = parse_mlsd_line("type=file;size=99999999999999999999999; f");
    REQUIRE(e);
    CHECK_FALSE(e->size);
    e = parse_mlsd_line("type=file;size=18446744073709551615; f");
    REQUIRE(e);
    CHECK(e->size == 18446744073709551615ull);
}

TEST_CASE("Unix LIST lines (vsftpd, ProFTPD, pure-ftpd, ls -l)") {
    auto e = parse_list_line("-rw-r--r--    1 106      110            34 Dec 06 07:19 welcome.txt", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::file);
    CHECK(e->name == "welcome.txt");
    CHECK(e->size == 34u);
    CHECK(e->owner == "106");
    CHECK(e->group == "110");
    CHECK(e->permissions == "rw-r--r--");
    CHECK(e->modified == parse_ftp_time("20261206071900"));

    // a date in the "future" of the current year is last year's
    e = parse_list_line("-rw-r--r--    1 ftp      ftp            34 Dec 31 23:59 new-year.txt", now - 86400 * 30);
    REQUIRE(e);
    CHECK(e->modified == parse_ftp_time("20251231235900"));

    e = parse_list_line("drwxr-xr-x    2 ftp ftp 4096 Jan  1  2020 sub dir é", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::directory);
    CHECK(e->name == "sub dir é");
    CHECK(e->modified == parse_ftp_time("20200101000000"));

    e = parse_list_line("lrwxrwxrwx 1 root root 7 Mar  3 10:00 current -> v1.2.3", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::link);
    CHECK(e->name == "current");
    CHECK(e->link_target == "v1.2.3");

    // owner only, no group
    e = parse_list_line("-rw-r--r--   1 alice  12345678901 Feb 29 2024 big.iso\r", now);
    REQUIRE(e);
    CHECK(e->owner == "alice");
    CHECK(e->group.empty());
    CHECK(e->size == 12345678901ull);
    CHECK(e->name == "big.iso");

    // a name with leading blanks keeps them (one blank separates)
    e = parse_list_line("-rw-r--r-- 1 u g 1 Dec  6 07:19  lead", now);
    REQUIRE(e);
    CHECK(e->name == " lead");

    // ACL marker after the mode, sticky bits
    e = parse_list_line("drwxrwxrwt+ 10 root root 4096 Dec  6 07:19 tmp", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::directory);
    CHECK(e->permissions == "rwxrwxrwt");

    CHECK_FALSE(parse_list_line("total 12", now));
    CHECK_FALSE(parse_list_line("", now));
    CHECK_FALSE(parse_list_line("-rw-r--r-- 1 u g 34 Dec 06 07:19", now));  // no name
    CHECK_FALSE(parse_list_line("-rw-r--r-- 1 u g 34 Foo 06 07:19 x", now));
    CHECK_FALSE(parse_list_line("xrw-r--r-- 1 u g 34 Dec 06 07:19 x", now));
    CHECK_FALSE(parse_list_line("-rw-r--r-- 1 u g 34 Dec 06 7.19 x", now));
    // impossible dates: the entry stays, without a time
    e = parse_list_line("-rw-r--r-- 1 u g 34 Feb 31 2020 x", now);
    REQUIRE(e);
    CHECK_FALSE(e->modified);
}

TEST_CASE("DOS/IIS LIST lines") {
    auto e = parse_list_line("12-06-26  07:19PM       <DIR>          Sub Dir", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::directory);
    CHECK(e->name == "Sub Dir");
    CHECK(e->modified == parse_ftp_time("20261206191900"));
    e = parse_list_line("01-02-1999  12:05AM              1024 old.txt", now);
    REQUIRE(e);
    CHECK(e->type == entry_type::file);
    CHECK(e->size == 1024u);
    CHECK(e->modified == parse_ftp_time("19990102000500"));
    CHECK_FALSE(parse_list_line("12-06-26  07:19XM  <DIR> x", now));
    CHECK_FALSE(parse_list_line("12-06-26  07:19PM  abc x", now));
    CHECK_FALSE(parse_list_line("12-06-26  07:19PM  <DIR>", now));
}

TEST_CASE("listing_parser: every split, CRLF or LF, over-long lines dropped, NUL lines skipped") {
    const std::string input =
        "total 2\r\n"
        "-rw-r--r--    1 106      110            34 Dec 06 07:19 welcome.txt\r\n"
        "drwxr-xr-x    2 106      110          4096 Dec 06 07:20 sub\n"
        "garbage line\r\n"
        "-rw-r--r--    1 106      110            1 Dec 06 07:21 last";
    pigeon::test::for_each_split(input, [&](const auto& pieces) {
        INFO("split: " << pigeon::test::describe(pieces));
        std::vector<std::string> names;
        listing_parser p(listing_parser::format::list, [&](const entry& e) { names.push_back(e.name); }, now);
        for (auto piece : pieces) p.feed(piece);
        p.finish();
        CHECK(names == std::vector<std::string>{"welcome.txt", "sub", "last"});
        CHECK(p.entries() == 3);
        CHECK(p.skipped() == 2);
    });

    std::vector<std::string> names;
    listing_parser p(listing_parser::format::names, [&](const entry& e) { names.push_back(e.name); }, now, 16);
    using namespace std::string_literals;
    p.feed("short\r\n" + std::string(100, 'x') + "\r\nok\r\nnul\0here\r\n\r\n"s);
    p.feed(std::string(40, 'y'));
    p.feed(std::string(40, 'y'));
    p.feed("\nafter\n");
    p.finish();
    CHECK(names == std::vector<std::string>{"short", "ok", "after"});
    CHECK(p.skipped() == 3);  // the 100-byte line, the NUL line, the 80-byte line
}

TEST_CASE("listing_parser with MLSD skips cdir and pdir") {
    std::vector<entry> out;
    listing_parser p(listing_parser::format::mlsd, [&](const entry& e) { out.push_back(e); }, now);
    p.feed("type=cdir;modify=20261206120000; .\r\ntype=pdir; ..\r\ntype=file;size=5; a\r\ntype=dir; b\r\n");
    p.finish();
    REQUIRE(out.size() == 2);
    CHECK(out[0].name == "a");
    CHECK(out[0].size == 5u);
    CHECK(out[1].type == entry_type::directory);
    CHECK(p.skipped() == 2);
}
