// tests/corpus: every message parses to its expected structure (the
// .structure file beside it), serialises back byte for byte, and gives the
// same tree from a file, from memory, and fed in pieces. The malformed set
// (tests/corpus/malformed/, plus the large cases generated below) gives a
// best-effort tree, within the limits, with no crash.
//
// PIGEON_UPDATE_CORPUS=1 rewrites the .structure files (review the diff!).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/error.hpp>
#include <pigeon/mime/reader.hpp>
#include <pigeon/mime/serialize.hpp>

#include "corpus_describe.hpp"

using namespace pigeon::mime;
namespace fs = std::filesystem;

namespace {

const fs::path k_corpus = fs::path(PIGEON_SOURCE_DIR) / "tests" / "corpus";

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::vector<fs::path> eml_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".eml") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

message parse_in_pieces(const std::string& bytes, std::size_t piece) {
    tree_builder b;
    parser p(b);
    for (std::size_t i = 0; i < bytes.size(); i += piece) p.feed(std::string_view(bytes).substr(i, piece));
    p.finish();
    return b.take(memory_source::borrow(bytes), p.defects());
}

void check_file(const fs::path& path) {
    INFO(path.string());
    const std::string bytes = slurp(path);
    std::error_code ec;
    message from_file = parse_file(path, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(from_file.root());
    const std::string desc = test::describe(from_file);

    fs::path expected_path = path;
    expected_path.replace_extension(".structure");
    if (std::getenv("PIGEON_UPDATE_CORPUS")) {
        std::ofstream(expected_path, std::ios::binary) << desc;
    }
    REQUIRE(fs::exists(expected_path));
    CHECK(desc == slurp(expected_path));

    // byte-for-byte round trip, from the file and from memory
    CHECK(serialize_to_string(from_file) == bytes);
    message from_memory = parse_message_view(bytes);
    CHECK(test::describe(from_memory) == desc);
    CHECK(serialize_to_string(from_memory) == bytes);
    for (std::size_t piece : {1u, 7u, 64u, 4096u}) {
        message m = parse_in_pieces(bytes, piece);
        CHECK(test::describe(m) == desc);
        CHECK(serialize_to_string(m) == bytes);
    }
}

} // namespace

TEST_CASE("corpus: expected structures and exact round trips") {
    auto files = eml_files(k_corpus);
    REQUIRE(files.size() >= 8);
    for (const auto& f : files) check_file(f);
}

TEST_CASE("corpus: malformed set gives best-effort trees") {
    auto files = eml_files(k_corpus / "malformed");
    REQUIRE(files.size() >= 10);
    for (const auto& f : files) check_file(f);
}

TEST_CASE("malformed: specific repairs") {
    auto load = [](const char* name) { return parse_message(slurp(k_corpus / "malformed" / name)); };
    {
        message m = load("missing-final-boundary.eml");
        CHECK(m.root()->children().size() == 2);
        CHECK((m.root()->defects() & missing_close_boundary) != 0);
        std::string body;
        decode_body(m, *m.root()->children()[1], [&](std::string_view b) { body.append(b); });
        CHECK(body == "part two, and the message ends without a close delimiter"); // final CRLF not in the body
    }
    {
        message m = load("boundary-trailing-space.eml");
        CHECK(m.root()->children().size() == 2);
        CHECK(m.defects() == 0);
        CHECK(m.src().read(m.root()->epilogue()) == "epilogue\r\n");
    }
    {
        message m = load("eight-bit-headers.eml");
        message_reader r(m);
        CHECK(r.subject() == "caf\xC3\xA9 and \xC3\xA9t\xC3\xA9");
        CHECK(r.from().mailboxes().at(0).display_name == "J\xC3\xB6rg");
        CHECK((m.defects() & missing_header_separator) != 0);
    }
    {
        message m = load("no-final-newline.eml");
        CHECK(m.root()->headers().size() == 2);
        CHECK(m.root()->headers().get("X-Last") == "value without CRLF");
        CHECK((m.defects() & unterminated_header) != 0);
    }
    {
        message m = load("deep-nesting-200.eml");
        std::size_t deepest = 0;
        for (const auto& e : m.parts()) deepest = std::max(deepest, e.depth());
        CHECK(deepest == parser_limits{}.max_depth);
        CHECK((m.defects() & depth_limit) != 0);
    }
    {
        message m = load("prefix-boundaries.eml");
        REQUIRE(m.root()->children().size() == 2);
        const entity* abc = m.root()->children()[0];
        CHECK(abc->type().boundary() == "abc");
        REQUIRE(abc->children().size() == 2);
        CHECK(abc->children()[1]->children().size() == 1);
        CHECK(m.defects() == 0);
    }
}

TEST_CASE("malformed: 100 000-character lines") {
    std::string big(100000, 'x');
    std::string msg = "Subject: " + big + "\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\n" + big +
                      "\r\n--q--\r\n";
    message m = parse_message_view(msg);
    CHECK(serialize_to_string(m) == msg);
    CHECK((m.defects() & long_line) != 0);
    CHECK(message_reader(m).subject().size() == big.size());
    REQUIRE(m.root()->children().size() == 1);
    CHECK(decoded_size(m, *m.root()->children()[0]) == big.size());
    // the same, fed byte by byte
    message m2 = parse_in_pieces(msg, 1);
    CHECK(test::describe(m2) == test::describe(m));
}

TEST_CASE("malformed: 20 000 parts are cut at the part limit") {
    std::string msg = "Content-Type: multipart/mixed; boundary=p\n\n";
    for (int i = 0; i < 20000; ++i) msg += "--p\n\npart " + std::to_string(i) + "\n";
    msg += "--p--\n";
    auto t0 = std::chrono::steady_clock::now();
    message m = parse_message_view(msg);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ms < 5000);
    CHECK(m.parts().size() == parser_limits{}.max_parts);
    CHECK((m.defects() & part_limit) != 0);
    CHECK(serialize_to_string(m) == msg);
    // the last part holds the rest, delimiters included
    std::string last;
    decode_body(m, *m.root()->children().back(), [&](std::string_view b) { last.append(b); });
    CHECK(last.find("part 19999") != std::string::npos);
}

TEST_CASE("malformed: a 10 MB header block is cut at the header limit") {
    std::string msg;
    msg.reserve(11 << 20);
    for (int i = 0; msg.size() < (10u << 20); ++i) msg += "X-Filler-" + std::to_string(i) + ": " + std::string(80, 'f') + "\r\n";
    msg += "Subject: after the flood\r\n\r\nbody\r\n";
    message m = parse_message_view(msg);
    CHECK((m.defects() & header_limit) != 0);
    std::size_t kept = 0;
    for (header_field f : m.root()->headers()) kept += f.name.size() + f.value.size();
    CHECK(kept <= parser_limits{}.max_header_bytes);
    CHECK(m.src().read(m.root()->body_range()) == "body\r\n");
    CHECK(serialize_to_string(m) == msg);
    // one 10 MB header line, fed in 64 KiB pieces
    std::string one = "X-Long: " + std::string(10u << 20, 'y') + "\r\nSubject: s\r\n\r\nb";
    message m2 = parse_in_pieces(one, 65536);
    CHECK((m2.defects() & header_limit) != 0);
    CHECK(m2.root()->headers().get("Subject").empty()); // past the limit: skipped
    CHECK(m2.src().read(m2.root()->body_range()) == "b");
    CHECK(serialize_to_string(m2) == one);
}

TEST_CASE("limits: custom limits apply") {
    parser_limits lim;
    lim.max_depth = 2;
    lim.max_parts = 3;
    std::string msg = slurp(k_corpus / "related-inline.eml");
    message m = parse_message(msg, lim);
    CHECK(m.parts().size() <= 3);
    for (const auto& e : m.parts()) CHECK(e.depth() <= 2);
    CHECK(serialize_to_string(m) == msg);
    lim = {};
    lim.max_boundary_length = 5;
    m = parse_message(msg, lim);
    CHECK(m.parts().size() == 7);
    CHECK((m.defects() & boundary_too_long) == 0); // "mix", "alt", "rel" are short
    lim.max_boundary_length = 2;
    m = parse_message(msg, lim);
    CHECK(m.parts().size() == 1);
    CHECK((m.defects() & boundary_too_long) != 0);
}
