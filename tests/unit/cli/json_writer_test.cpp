// cli/json_writer: the same bytes as nlohmann::json::dump for valid UTF-8,
// valid JSON with U+FFFD for invalid UTF-8. The CLI's sources are not a
// library; this test compiles the writer itself.
#include <ostream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

#include "../../../cli/json_writer.cpp"

using pigeon::cli::append_json_string;
using pigeon::cli::json_object_writer;

namespace {

std::string ours(const std::string& s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string theirs(const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

TEST_CASE("json_writer: strings as nlohmann writes them (escapes, controls, UTF-8 of every length)") {
    const std::string cases[] = {
        "",
        "plain ascii",
        "quote \" and backslash \\ and slash /",
        std::string("controls \x01\x02\b\f\n\r\t\x1f and DEL \x7f", 25),
        std::string("nul \0 inside", 12),
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD",
        "\xE4\xB8\xAD\xE6\x96\x87 and \xD0\x9A\xD0\xB8\xD1\x80",
    };
    for (const auto& s : cases) {
        INFO(theirs(s));
        CHECK(ours(s) == theirs(s));
    }
}

TEST_CASE("json_writer: invalid UTF-8 becomes U+FFFD, and the result is valid JSON") {
    const std::string cases[] = {
        "\xFF",           "\xC3",        "a\xC3(b",        "\xE0\x80\xAF",  // overlong
        "\xED\xA0\x80",   // surrogate
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\xC0\xAF",       "\x80\x80",    "ok \xF0\x9F\x98 cut",
    };
    for (const auto& s : cases) {
        const std::string j = ours(s);
        INFO(j);
        auto parsed = nlohmann::json::parse(j);
        CHECK(parsed.get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    }
    // Random bytes: always valid JSON; on valid UTF-8, nlohmann's bytes.
    std::mt19937 rng(7);
    for (int n = 0; n < 2000; ++n) {
        std::string s(rng() % 24, '\0');
        for (auto& c : s) c = static_cast<char>(rng() % 256);
        const std::string j = ours(s);
        CHECK(nlohmann::json::accept(j));
        bool valid = true;
        try {
            (void)nlohmann::json(s).dump();
        } catch (const nlohmann::json::type_error&) {
            valid = false;
        }
        if (valid) CHECK(j == theirs(s));
    }
}

TEST_CASE("json_writer: an object in key order equals nlohmann's (sorted keys), null for absent numbers") {
    nlohmann::json j;
    j["number"] = 4711u;
    j["message_id"] = "<a@b>";
    j["from"] = "J\xC3\xBCrgen <j@example.org>";
    j["bytes"] = nullptr;
    j["lines"] = 12u;
    const std::string expected = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string got = json_object_writer{}
                                .number_or_null("bytes", std::nullopt)
                                .string("from", "J\xC3\xBCrgen <j@example.org>")
                                .number_or_null("lines", 12u)
                                .string("message_id", "<a@b>")
                                .number("number", 4711u)
                                .finish();
    CHECK(got == expected);
}

TEST_CASE("json_writer: value_of appends a value written by the caller, numbers at the extremes") {
    json_object_writer w;
    w.number("a", 0);
    std::string& v = w.value_of("b");
    v += "[1,";
    append_json_string(v, "x\"y");
    v += ']';
    w.number("c", 18446744073709551615u).number_or_null("d", 7u);
    CHECK(w.finish() == R"({"a":0,"b":[1,"x\"y"],"c":18446744073709551615,"d":7})");
}

TEST_CASE("json_writer: a special byte at every position of a plain run (the 8-byte scan)") {
    const std::vector<std::string> specials = {"\"", "\\", std::string(1, '\0'), "\x1f", "\x20", "\x7f", "\x80",
                                               "\xc3\xa9", "\xe2\x82\xac", "\xff", "\n", "~", "!", "#"};
    for (std::size_t len = 0; len <= 40; ++len)
        for (std::size_t at = 0; at <= len; ++at)
            for (const auto& sp : specials) {
                std::string s(len, 'a');
                s.insert(at, sp);
                CAPTURE(len);
                CAPTURE(at);
                CHECK(ours(s) == theirs(s));
            }
}
