// Bounded memory: the parser holds back at most one delimiter-check window,
// and a message in a file is parsed and decoded with little memory however
// large it is.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/reader.hpp>

using namespace pigeon::mime;

namespace {

// Tracks how far the reported events reach, to measure what the parser holds.
struct reach : parser_handler {
    std::uint64_t end = 0;
    void on_header(const header_event& h) override { end = std::max(end, h.offset + h.length); }
    void on_headers_end(std::uint64_t off, std::size_t sep) override { end = std::max(end, off + sep); }
    void on_body(std::string_view b, std::uint64_t off, body_section) override { end = std::max(end, off + b.size()); }
    void on_boundary(std::uint64_t off, std::uint64_t len, bool) override { end = std::max(end, off + len); }
};

long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

} // namespace

TEST_CASE("parser: held-back bytes never exceed one delimiter window") {
    // A body full of lines that look like the start of a delimiter.
    const std::string boundary(70, 'b');
    std::string msg = "Content-Type: multipart/mixed; boundary=" + boundary + "\r\n\r\n--" + boundary + "\r\n\r\n";
    for (int i = 0; i < 20000; ++i) {
        msg += "--" + boundary.substr(0, static_cast<std::size_t>(i % 71)) + std::string(static_cast<std::size_t>(i % 300), ' ') + "\r\n";
        msg += "plain text line " + std::to_string(i) + "\r\n";
    }
    msg += "--" + boundary + "--\r\n";
    parser_limits lim;
    // the line end before a candidate line, then "--" boundary "--" blanks CR LF
    const std::uint64_t window = 2 + 2 + boundary.size() + 2 + lim.max_boundary_whitespace + 2;
    for (std::size_t piece : {1u, 13u, 4096u}) {
        reach r;
        parser p(r, lim);
        std::uint64_t worst = 0;
        for (std::size_t i = 0; i < msg.size(); i += piece) {
            p.feed(std::string_view(msg).substr(i, piece));
            worst = std::max(worst, p.offset() - r.end);
        }
        p.finish();
        INFO("piece " << piece);
        CHECK(worst <= window);
        CHECK(r.end == msg.size());
    }
}

TEST_CASE("memory: a 48 MB message in a file is parsed and decoded in little memory") {
    auto path = std::filesystem::temp_directory_path() / ("pigeon-big-" + std::to_string(::getpid()) + ".eml");
    {
        std::ofstream f(path, std::ios::binary);
        f << "Subject: big\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
             "hi\r\n--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        std::string line(76, 'A');
        line += "\r\n";
        std::string block;
        for (int i = 0; i < 1000; ++i) block += line;
        for (int i = 0; i < 630; ++i) f << block; // ~48 MB
        f << "--B--\r\n";
    }
    const long before = rss_kib();
    long peak = before;
    std::error_code ec;
    message m = parse_file(path, ec);
    REQUIRE_FALSE(ec);
    peak = std::max(peak, rss_kib());
    REQUIRE(m.root()->children().size() == 2);
    std::uint64_t n = 0;
    int calls = 0;
    decode_body(m, *m.root()->children()[1], [&](std::string_view b) {
        n += b.size();
        if (++calls % 256 == 0) peak = std::max(peak, rss_kib());
    });
    CHECK(n == 630ull * 1000 * 57);
    MESSAGE("RSS growth while parsing and decoding 48 MB from a file: " << (peak - before) << " KiB");
    CHECK(peak - before < 8 * 1024);
    std::filesystem::remove(path);
}
