// pigeon show --json: one valid document whose structure, sizes, names and
// text agree with what the parser itself reports for the same file.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/html_text.hpp>
#include <pigeon/mime/reader.hpp>

#include "show_support.hpp"

using namespace pigeon::test;
using namespace pigeon::test::show;
using nlohmann::json;
namespace mime = pigeon::mime;

namespace {

json show_json(const std::string& path) {
    auto r = run_show({path, "--json"});
    INFO(path << " stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    json j = json::parse(r.out); // throws (fails the test) when not valid JSON
    REQUIRE(j.is_object());
    return j;
}

std::string label(const mime::entity& e) {
    std::string n = e.part_number();
    return n.empty() ? "0" : n;
}

json null_or(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// Checks every field against the library's own view of the file.
void check_against_parser(const std::string& path) {
    json j = show_json(path);
    std::error_code ec;
    mime::message m = mime::parse_file(path, ec);
    REQUIRE_FALSE(ec);
    mime::message_reader rd(m);
    INFO(path);

    CHECK(j["subject"] == rd.subject());
    for (const char* k : {"from", "to", "cc", "bcc", "reply_to"}) {
        REQUIRE(j[k].is_array());
        for (const auto& a : j[k]) {
            CHECK(a["name"].is_string());
            CHECK(a["address"].is_string());
        }
    }
    CHECK(j["from"].size() == rd.from().mailboxes().size());
    CHECK(j["to"].size() == rd.to().mailboxes().size());
    auto date = rd.date();
    CHECK(j["date"] == (date ? json(date->to_iso8601()) : json(nullptr)));
    CHECK(j["headers"].size() == m.root()->headers().size());
    for (const auto& h : j["headers"]) {
        CHECK(h["name"].is_string());
        CHECK(h["value"].is_string());
    }
    CHECK(j["defects"].is_array());
    CHECK(j["defects"].empty() == (m.defects() == 0));

    REQUIRE(j["parts"].size() == m.parts().size());
    std::size_t i = 0;
    for (const mime::entity& e : m.parts()) {
        const json& p = j["parts"][i++];
        INFO("part " << label(e));
        CHECK(p["part"] == label(e));
        CHECK(p["content_type"] == e.type().mime_type());
        CHECK(p["kind"] == (e.is_multipart() ? "multipart" : e.is_message() ? "message" : "leaf"));
        CHECK(p["depth"] == e.depth());
        CHECK(p["charset"] == null_or(e.charset()));
        CHECK(p["filename"] == null_or(e.filename()));
        CHECK(p["content_id"] == null_or(e.content_id()));
        CHECK(p["disposition"] == null_or(e.disposition().type));
        CHECK(p["transfer_encoding"] == std::string(mime::to_string(e.encoding())));
        CHECK(p["encoded_size"].is_number_unsigned());
        CHECK(p["encoded_size"] == e.body_range().length);
        if (e.is_multipart()) {
            CHECK(p["decoded_size"].is_null());
        } else {
            CHECK(p["decoded_size"].is_number_unsigned());
            CHECK(p["decoded_size"] == mime::decoded_size(m, e));
        }
        CHECK(p["defects"].is_array());
        CHECK(p["defects"].empty() == (e.defects() == 0));
    }

    CHECK(j["text_part"] == (rd.text_part() ? json(label(*rd.text_part())) : json(nullptr)));
    CHECK(j["html_part"] == (rd.html_part() ? json(label(*rd.html_part())) : json(nullptr)));
    REQUIRE(j["attachments"].size() == rd.attachments().size());
    i = 0;
    for (const auto& a : rd.attachments()) {
        const json& x = j["attachments"][i++];
        CHECK(x["part"] == label(*a.part));
        CHECK(x["filename"] == null_or(a.filename));
        CHECK(x["content_type"] == a.mime_type);
        CHECK(x["size"] == mime::decoded_size(m, *a.part));
        CHECK(x["inline"] == a.is_inline);
        CHECK(x["content_id"] == null_or(a.content_id));
    }
    std::string text;
    if (rd.text_part()) {
        CHECK(j["text_source"] == "text/plain");
        text = rd.text_body();
    } else if (rd.html_part()) {
        CHECK(j["text_source"] == "text/html");
        text = mime::html_to_text(rd.html_body());
    } else {
        CHECK(j["text_source"].is_null());
    }
    CHECK(j["text"] == text);
}

} // namespace

TEST_CASE("show --json: every corpus and malformed message agrees with the parser") {
    namespace fs = std::filesystem;
    int n = 0;
    for (const char* dir : {"", "malformed/"}) {
        for (const auto& e : fs::directory_iterator(corpus(dir))) {
            if (e.path().extension() != ".eml" || fs::file_size(e.path()) == 0) continue;
            check_against_parser(e.path().string());
            ++n;
        }
    }
    CHECK(n >= 18);
}

TEST_CASE("show --json: addresses, date, filenames and sizes of known messages") {
    json j = show_json(corpus("plain-qp.eml"));
    CHECK(j["subject"] == "Caf\xc3\xa9 \xc3\xa0 Paris \xe2\x82\xac");
    CHECK(j["from"] == json::parse(R"([{"name": "Alic\u00e9 Martin", "address": "alice@example.org"}])"));
    CHECK(j["to"] == json::parse(R"([{"name": "Bob", "address": "bob@example.net"},
                                     {"name": "Carol, C.", "address": "carol@example.net"}])"));
    CHECK(j["date"] == "2024-01-02T10:00:00+01:00");
    CHECK(j["message_id"] == "plain-qp.1@example.org");
    CHECK(j["parts"].size() == 1);
    CHECK(j["parts"][0]["part"] == "0");
    CHECK(j["parts"][0]["transfer_encoding"] == "quoted-printable");
    CHECK(j["parts"][0]["decoded_size"] == 125);
    CHECK(j["text"].get<std::string>().rfind("Bonjour Bob,\r\n\r\nLe caf\xc3\xa9", 0) == 0);

    j = show_json(corpus("attachment-2231.eml"));
    CHECK(j["attachments"] == json::parse(R"([{"part": "2", "filename": "r\u00e9sum\u00e9 .pdf",
        "content_type": "application/pdf", "size": 2048, "inline": false, "content_id": null}])"));
    CHECK(j["parts"][2]["encoded_size"] == 2802); // 2732 base64 characters + 35 CRLF (the last belongs to the delimiter)
    CHECK(j["parts"][2]["disposition"] == "attachment");
    CHECK(j["parts"][1]["charset"] == "utf-8");

    j = show_json(corpus("latin1-obsolete.eml"));
    CHECK(j["to"] == json::array()); // an empty group has no mailboxes
    CHECK(j["date"] == "2024-01-07T10:00:00-05:00");
    CHECK(j["date_header"] == "7 Jan 24 10:00 EST");

    j = show_json(corpus("digest.eml"));
    CHECK(j["text_source"].is_null());
    CHECK(j["text"] == "");
    CHECK(j["parts"][1]["kind"] == "message");
    CHECK(j["parts"][2]["part"] == "1.1");

    j = show_json(corpus("malformed/missing-final-boundary.eml"));
    CHECK(j["defects"] == json::parse(R"(["missing_close_boundary"])"));
}

TEST_CASE("show --json: HTML-only text, group members and rejected addresses") {
    temp_dir d;
    auto path = d.write("m.eml",
                        "From: \"Ann \\\"Q\\\" Lee\" <ann@example.org>\r\n"
                        "To: Team: a@example.org, B <b@example.org>;, broken@@example.org\r\n"
                        "Subject: =?utf-8?b?w6k=?=\r\n"
                        "Date: not a date\r\n"
                        "Content-Type: text/html; charset=utf-8\r\n"
                        "\r\n"
                        "<p>Hi &amp; bye</p>\r\n");
    json j = show_json(path);
    CHECK(j["subject"] == "\xc3\xa9");
    CHECK(j["from"][0]["name"] == "Ann \"Q\" Lee");
    CHECK(j["to"] == json::parse(R"([{"name": "", "address": "a@example.org", "group": "Team"},
                                     {"name": "B", "address": "b@example.org", "group": "Team"}])"));
    CHECK(j["address_errors"]["To"] == json::parse(R"(["broken@@example.org"])"));
    CHECK(j["date"].is_null());
    CHECK(j["date_header"] == "not a date");
    CHECK(j["text_source"] == "text/html");
    CHECK(j["html_part"] == "0");
    CHECK(j["text"] == "Hi & bye\n");
}

TEST_CASE("show --json: control characters and invalid UTF-8 still give valid JSON") {
    temp_dir d;
    auto path = d.write("bad.eml",
                        "Subject: bad \xff\xfe bytes\r\n"
                        "Content-Type: text/plain; charset=x-unknown\r\n"
                        "\r\n"
                        "nul \x01\x1b[2J \xff\xc3 \"quoted\" back\\slash\r\n");
    auto r = run_show({path, "--json"});
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(contains(r.out, "\x1b"));
    json j = json::parse(r.out);
    CHECK(j["text"].get<std::string>().rfind("nul \x01\x1b[2J ", 0) == 0);
    CHECK(contains(j["text"].get<std::string>(), "\"quoted\" back\\slash"));
}

TEST_CASE("show --json: 20 000 parts are cut at the parser's part limit, the document stays valid") {
    temp_dir d;
    std::string msg = "Subject: many\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n";
    for (int i = 0; i < 20000; ++i)
        msg += "--B\r\nContent-Type: application/octet-stream; name=\"f" + std::to_string(i) + ".bin\"\r\n\r\nx\r\n";
    msg += "--B--\r\n";
    const std::string path = d.write("many.eml", msg);
    json j = show_json(path);
    CHECK(j["parts"].size() == 10000); // parser_limits::max_parts, the root included
    CHECK(j["attachments"].size() == 9999);
    CHECK(j["parts"][9999]["part"] == "9999");
    bool part_limit = false;
    for (const auto& x : j["defects"]) part_limit = part_limit || x == "part_limit";
    CHECK(part_limit);
    auto r = run_show({path});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "\n  [9998] \"f9997.bin\" application/octet-stream, 1 byte\n"));
}
