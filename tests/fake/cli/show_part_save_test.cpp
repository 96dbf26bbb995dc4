// pigeon show --part N and --save-attachments DIR: decoded bytes equal the
// parser's, text converted to UTF-8, binary refused on a terminal, hostile
// file names sanitised, nothing overwritten, unwritable directories.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/reader.hpp>

#include "show_support.hpp"

using namespace pigeon::test;
using namespace pigeon::test::show;
namespace mime = pigeon::mime;
namespace fs = std::filesystem;

namespace {

std::string decoded(const std::string& path, const std::string& part) {
    std::error_code ec;
    mime::message m = mime::parse_file(path, ec);
    REQUIRE_FALSE(ec);
    const mime::entity* e = m.find_part(part);
    REQUIRE(e != nullptr);
    std::string out;
    mime::decode_body(m, *e, [&](std::string_view b) { out.append(b); });
    return out;
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("show --part: binary part bytes equal the decoded bytes") {
    const std::string path = corpus("attachment-2231.eml");
    auto r = run_show({path, "--part", "2"});
    CHECK(r.exit_code == 0);
    REQUIRE(r.out.size() == 2048);
    for (std::size_t i = 0; i < r.out.size(); ++i)
        if (static_cast<unsigned char>(r.out[i]) != i % 256) FAIL("byte " << i << " differs");
    CHECK(r.out == decoded(path, "2"));
    r = run_show({corpus("related-inline.eml"), "--part", "1.2.2"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == decoded(corpus("related-inline.eml"), "1.2.2"));
    CHECK(r.out.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
}

TEST_CASE("show --part: text parts come out as UTF-8") {
    auto r = run_show({corpus("alternative.eml"), "--part", "2"}); // ISO-8859-1, quoted-printable
    CHECK(r.exit_code == 0);
    CHECK(r.out == "<html><body><p>HTML version, caf\xc3\xa9.</p></body></html>");
    r = run_show({corpus("attachment-2231.eml"), "--part", "1"});
    CHECK(r.out == "See the attached report. \xc3\x89t\xc3\xa9.");
    r = run_show({corpus("plain-qp.eml"), "--part", "0"}); // the root itself
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("Bonjour Bob,\r\n\r\nLe caf\xc3\xa9 co\xc3\xbbte 3 \xe2\x82\xac.", 0) == 0);
    r = run_show({corpus("latin1-obsolete.eml"), "--part", "0"});
    CHECK(r.out == "Ol\xc3\xa1, ma\xc3\xb1" "ana.\n");
}

TEST_CASE("show --part: enclosed messages and multiparts as MIME text") {
    auto r = run_show({corpus("forwarded.eml"), "--part", "2"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Report\n", 0) == 0);
    // ... which pigeon show reads back from standard input.
    auto inner = run_show({"-"}, r.out);
    CHECK(inner.exit_code == 0);
    CHECK(inner.out == "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Report\n\ninner text\n");
    r = run_show({corpus("related-inline.eml"), "--part", "1"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("--alt\r\nContent-Type: text/plain; charset=utf-8\r\n", 0) == 0);
}

TEST_CASE("show --part: bad and unknown part numbers") {
    for (const char* bad : {"x", "1..2", ".1", "1.", "-1", "1 ", ""}) {
        auto r = run_show({corpus("alternative.eml"), "--part", bad});
        INFO("'" << bad << "': " << r.err);
        CHECK(r.exit_code == 64);
        CHECK(contains(r.err, "part number"));
    }
    auto r = run_show({corpus("alternative.eml"), "--part", "7"});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.err, "no part 7 (its parts: 0, 1, 2)"));
    r = run_show({corpus("alternative.eml"), "--part", "1.1"});
    CHECK(r.exit_code == 64);
}

TEST_CASE("show --part: a terminal gets escaped text and never binary data") {
    auto r = show_on_terminal({corpus("attachment-2231.eml"), "--part", "2"});
    CHECK(r.exit_code == 64);
    CHECK(contains(r.out, "part 2 is application/pdf, 2048 bytes (2.0 KiB): not written to a terminal"));
    CHECK(contains(r.out, "--save-attachments"));
    CHECK(r.out.find('\x01') == std::string::npos);
    temp_dir d;
    auto path = d.write("t.eml", "Content-Type: text/plain\r\n\r\nline one\r\nclear \x1b[2J screen\r\n");
    r = show_on_terminal({path, "--part", "0"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "line one\nclear \\x1b[2J screen\n");
    // The same part through a pipe is the text as it is.
    auto piped = run_show({path, "--part", "0"});
    CHECK(piped.out == "line one\r\nclear \x1b[2J screen\r\n");
}

TEST_CASE("show --save-attachments: files equal the decoded parts, reported as saved") {
    temp_dir d;
    const std::string dir = d.file("out/nested");
    auto r = run_show({corpus("related-inline.eml"), "--save-attachments", dir});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "saved part 1.2.2 to " + dir + "/part-1.2.2.png, 108 bytes\n"
                   "saved part 2 to " + dir + "/data.csv, 8 bytes\n");
    CHECK(read_file(dir + "/part-1.2.2.png") == decoded(corpus("related-inline.eml"), "1.2.2"));
    CHECK(read_file(dir + "/data.csv") == "a,b\r\n1,2");
    // Again into the same directory: nothing is overwritten.
    r = run_show({corpus("related-inline.eml"), "--save-attachments", dir + "/"});
    CHECK(r.exit_code == 0);
    CHECK(names_in(dir) == std::vector<std::string>{"data-1.csv", "data.csv", "part-1.2.2-1.png", "part-1.2.2.png"});
    r = run_show({corpus("attachment-2231.eml"), "--save-attachments", dir});
    CHECK(r.exit_code == 0);
    CHECK(read_file(dir + "/r\xc3\xa9sum\xc3\xa9 .pdf") == decoded(corpus("attachment-2231.eml"), "2"));
    r = run_show({corpus("digest.eml"), "--save-attachments", dir});
    CHECK(r.exit_code == 0);
    CHECK(read_file(dir + "/part-1.eml") == "Subject: first\nFrom: a@example.org\n\nFirst message.\n");
    r = run_show({corpus("plain-qp.eml"), "--save-attachments", d.file("none")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "no attachments to save\n");
}

TEST_CASE("show --save-attachments: hostile file names are sanitised, duplicates numbered") {
    temp_dir d;
    const std::string dir = d.file("save");
    fs::create_directories(dir);
    const std::string outside = d.write("outside.txt", "keep me");
    fs::create_symlink(outside, dir + "/link.txt");
    std::ofstream(dir + "/exists.txt") << "old";
    const std::vector<std::pair<std::string, std::string>> files = {
        {"\"../../etc/passwd\"", "passwd-bytes"},
        {"\"a/b\"", "ab"},
        {"\".hidden\"", "hidden"},
        {"\"..\"", "dotdot"},
        {"\"/\"", "slash"},
        {"\"C:\\\\Users\\\\x\\\\report.pdf\"", "windows"},
        {"\"ctl\x01\x1b[2Jname.txt\"", "controls"},
        {"*=utf-8''c1%C2%9Bname%E2%80%AEfdp.exe", "c1 and bidi"},
        {"\"-rf\"", "dash"},
        {"\"a..b...txt\"", "dots"},
        {"\"same.txt\"", "one"},
        {"\"same.txt\"", "two"},
        {"\"same.txt\"", "three"},
        {"\"exists.txt\"", "new"},
        {"\"link.txt\"", "not through the link"},
        {"\"" + std::string(300, 'L') + ".pdf\"", "long"},
        {"\"trailing. . \"", "trailing"},
    };
    const std::string path = d.write("hostile.eml", message_with_attachments("hostile", files));
    auto r = run_show({path, "--save-attachments", dir});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(contains(r.out, "\x1b"));
    const std::string long_name = std::string(196, 'L') + ".pdf";
    const std::map<std::string, std::string> expected = {
        {"passwd", "passwd-bytes"},
        {"b", "ab"},
        {"hidden", "hidden"},
        {"part-5.bin", "dotdot"},
        {"part-6.bin", "slash"},
        {"report.pdf", "windows"},
        {"ctl\xef\xbf\xbd\xef\xbf\xbd[2Jname.txt", "controls"},
        {"c1_name_fdp.exe", "c1 and bidi"},
        {"rf", "dash"},
        {"a.b.txt", "dots"},
        {"same.txt", "one"},
        {"same-1.txt", "two"},
        {"same-2.txt", "three"},
        {"exists.txt", "old"},
        {"exists-1.txt", "new"},
        {"link.txt", "keep me"},
        {"link-1.txt", "not through the link"},
        {long_name, "long"},
        {"trailing", "trailing"},
    };
    std::set<std::string> seen;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        seen.insert(name);
        INFO("file " << name);
        CHECK(name.find('/') == std::string::npos);
        CHECK(name.find("..") == std::string::npos);
        CHECK(name[0] != '.');
        CHECK(name.size() <= 200);
        for (char c : name) CHECK(static_cast<unsigned char>(c) >= 0x20);
        auto it = expected.find(name);
        if (it == expected.end()) {
            FAIL("unexpected file " << name);
            continue;
        }
        CHECK(read_file(e.path().string()) == it->second);
    }
    CHECK(seen.size() == expected.size());
    CHECK(read_file(outside) == "keep me");
    CHECK(fs::is_symlink(dir + "/link.txt"));
    CHECK(contains(r.out, "saved part 2 to " + dir + "/passwd, 12 bytes (named \"../../etc/passwd\" in the message)\n"));
    // Nothing escaped the directory.
    CHECK(names_in(d.path()) == std::vector<std::string>{"hostile.eml", "outside.txt", "save"});
}

TEST_CASE("show --save-attachments: a directory that cannot be written is exit 73") {
    temp_dir d;
    const std::string file = d.write("a-file", "x");
    auto r = run_show({corpus("related-inline.eml"), "--save-attachments", file});
    CHECK(r.exit_code == 73);
    CHECK(contains(r.err, "a-file"));
    r = run_show({corpus("related-inline.eml"), "--save-attachments", file + "/sub"});
    CHECK(r.exit_code == 73);
    if (::geteuid() != 0) { // root may write anywhere
        const std::string ro = d.file("ro");
        fs::create_directories(ro);
        ::chmod(ro.c_str(), 0500);
        r = run_show({corpus("related-inline.eml"), "--save-attachments", ro});
        CHECK(r.exit_code == 73);
    }
    // Standard output on a full device: exit 74.
    if (fs::exists("/dev/full")) {
        process_options o;
        auto res = run_process("/bin/sh", {"-c", "\"$1\" show --part 2 \"$2\" > /dev/full", "sh", pigeon_cli(),
                                           corpus("attachment-2231.eml")},
                               o);
        CHECK(res.exit_code == 74);
        CHECK(contains(res.err, "standard output"));
    }
}
