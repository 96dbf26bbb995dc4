// pigeon show in bounded memory: a generated message with a 50 MB
// attachment is shown, printed as JSON, written out with --part, saved, and
// read from a pipe, each with the child's peak resident memory (wait4)
// under 32 MB, and the decoded bytes equal to what was attached.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "show_support.hpp"

using namespace pigeon::test;
using namespace pigeon::test::show;

namespace {

constexpr std::size_t k_attachment = 50u * 1024 * 1024;
constexpr long k_limit_kib = 32 * 1024;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_sanitized = true;
#else
constexpr bool k_sanitized = false;
#endif

struct big_message {
    temp_dir dir;
    std::string path;
    std::uint64_t hash = 0; // FNV-1a of the attachment's bytes

    big_message() {
        path = dir.file("big.eml");
        std::ofstream f(path, std::ios::binary);
        f << "From: Big <big@example.org>\r\nTo: you@example.net\r\nSubject: fifty megabytes\r\n"
             "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BIG\"\r\n\r\n"
             "--BIG\r\nContent-Type: text/plain\r\n\r\nThe data is attached.\r\n"
             "--BIG\r\nContent-Type: application/octet-stream\r\n"
             "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n";
        // 57 raw bytes per 76-character line.
        const std::size_t block = 57 * 1000;
        std::uint64_t h = 1469598103934665603ull;
        for (std::size_t done = 0, seed = 1; done < k_attachment; done += block, ++seed) {
            std::string raw = random_bytes(std::min(block, k_attachment - done), seed);
            h = fnv(raw, h);
            f << base64_lines(raw);
        }
        f << "--BIG--\r\n";
        hash = h;
    }
};

// Without sanitizers: the wait4 figure, an upper bound of pigeon's peak
// (it includes what the child shared with this process until its exec),
// under 32 MB. Under AddressSanitizer, whose runtime alone takes some 60 MB,
// pigeon's own polled peak may not grow more than 32 MB over a small
// message's.
void check_memory(const measured_result& r, const measured_result& tiny, const std::string& what) {
    MESSAGE(what << ": peak RSS " << r.max_rss_kib << " KiB (wait4), " << r.own_peak_kib
                 << " KiB (pigeon's own VmHWM); small message: " << tiny.own_peak_kib << " KiB");
    CHECK(r.max_rss_kib > 0);
    if (!k_sanitized) {
        CHECK(r.max_rss_kib < k_limit_kib);
    } else {
        CHECK(r.own_peak_kib > 0);
        CHECK(r.own_peak_kib - tiny.own_peak_kib < k_limit_kib);
    }
}

measured_result baseline(const temp_dir& d) {
    auto r = run_measured({"show", "--json", corpus("related-inline.eml")}, "/dev/null", d.file("b.out"),
                          d.file("b.err"));
    REQUIRE(r.exit_code == 0);
    if (k_sanitized) REQUIRE(r.own_peak_kib > 0);
    return r;
}

} // namespace

TEST_CASE("show memory: the measurement sees a process that holds 64 MB") {
    // The control: without it a broken measurement would pass every check below.
    temp_dir d;
    auto r = run_measured_program("/usr/bin/python3", {"-c", "b = bytearray(64 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1"},
                                  "/dev/null", d.file("out"), d.file("err"));
    REQUIRE(r.exit_code == 0);
    MESSAGE("python holding 64 MB: peak RSS " << r.max_rss_kib << " KiB");
    CHECK(r.max_rss_kib > 64 * 1024);
}

TEST_CASE("show memory: the view and the JSON of a 50 MB attachment") {
    big_message m;
    const measured_result base = baseline(m.dir);
    auto r = run_measured({"show", m.path}, "/dev/null", m.dir.file("out"), m.dir.file("err"));
    INFO("stderr: " << read_file(m.dir.file("err")));
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(m.dir.file("out")) ==
          "From: Big <big@example.org>\nTo: you@example.net\nSubject: fifty megabytes\n\n"
          "The data is attached.\n\nAttachments:\n  [2] \"data.bin\" application/octet-stream, 52428800 bytes (50.0 MiB)\n");
    check_memory(r, base, "view");

    r = run_measured({"show", "--json", m.path}, "/dev/null", m.dir.file("out"), m.dir.file("err"));
    REQUIRE(r.exit_code == 0);
    const std::string out = read_file(m.dir.file("out"));
    CHECK(contains(out, "\"decoded_size\": 52428800"));
    CHECK(contains(out, "\"size\": 52428800"));
    check_memory(r, base, "json");
}

TEST_CASE("show memory: --part and --save-attachments write the 50 MB exactly") {
    big_message m;
    const measured_result base = baseline(m.dir);
    auto r = run_measured({"show", "--part", "2", m.path}, "/dev/null", m.dir.file("part.bin"), m.dir.file("err"));
    INFO("stderr: " << read_file(m.dir.file("err")));
    REQUIRE(r.exit_code == 0);
    CHECK(std::filesystem::file_size(m.dir.file("part.bin")) == k_attachment);
    CHECK(fnv_file(m.dir.file("part.bin")) == m.hash);
    check_memory(r, base, "--part");
    std::filesystem::remove(m.dir.file("part.bin"));

    r = run_measured({"show", "--save-attachments", m.dir.file("saved"), m.path}, "/dev/null", m.dir.file("out"),
                     m.dir.file("err"));
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(m.dir.file("out")) ==
          "saved part 2 to " + m.dir.file("saved") + "/data.bin, 52428800 bytes (50.0 MiB)\n");
    CHECK(fnv_file(m.dir.file("saved/data.bin")) == m.hash);
    check_memory(r, base, "--save-attachments");
}

TEST_CASE("show memory: a 50 MB message on a pipe is copied to a temporary file, not memory") {
    big_message m;
    const measured_result base = baseline(m.dir);
    // Standard input on a regular file.
    auto r = run_measured({"show", "--part", "2", "-"}, m.path, m.dir.file("part.bin"), m.dir.file("err"));
    INFO("stderr: " << read_file(m.dir.file("err")));
    REQUIRE(r.exit_code == 0);
    CHECK(fnv_file(m.dir.file("part.bin")) == m.hash);
    check_memory(r, base, "stdin (file)");
    std::filesystem::remove(m.dir.file("part.bin"));

    // Standard input on a pipe.
    auto piped = run_measured({"show", "-"}, m.path, m.dir.file("piped.out"), m.dir.file("piped.err"), true);
    INFO("stderr: " << read_file(m.dir.file("piped.err")));
    REQUIRE(piped.exit_code == 0);
    CHECK(contains(read_file(m.dir.file("piped.out")), "[2] \"data.bin\" application/octet-stream, 52428800 bytes"));
    check_memory(piped, base, "stdin (pipe)");
}
