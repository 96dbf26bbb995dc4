// Cross-check with an independent reader: Python's email package (policy
// default) parses the composed message through compose_check.py, which
// prints what it sees as JSON. Skipped (with a message) where /usr/bin/python3
// is missing.
#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_files.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <pigeon/mime/compose_builder.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

namespace {

const char* python = "/usr/bin/python3";

std::string sha256_hex(const std::string& data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

// Runs compose_check.py on the message; returns its JSON.
nlohmann::json python_view(const composed_message& m)
{
    tc::temp_file msg("message.eml");
    {
        std::ofstream f(msg.path(), std::ios::binary);
        m.write([&](std::string_view p) { f.write(p.data(), static_cast<std::streamsize>(p.size())); });
    }
    const std::string script = std::string(PIGEON_SOURCE_DIR) + "/tests/unit/mime/compose_check.py";
    const std::string cmd = std::string(python) + " '" + script + "' '" + msg.path().string() + "'";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        CHECK(::pclose(p) == 0);
    }
    INFO("python output: " << out.substr(0, 500));
    return nlohmann::json::parse(out);
}

} // namespace

TEST_CASE("python: a full message reads back the same in Python's email package")
{
    // scripts/setup.sh installs python3: a missing interpreter is a failure.
    REQUIRE_MESSAGE(std::filesystem::exists(python), "no " << python);
    const std::string big = tc::random_bytes(3 * 1024 * 1024 + 5, 11);
    tc::temp_file bigf("archive.tar.gz", big);
    const std::string png = "\x89PNG\r\n\x1a\n" + tc::random_bytes(3000, 12);
    tc::temp_file img("logo.png", png);
    const std::string subject = "R\xc3\xa9union \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x90\xa6 "
                                "and a fairly long tail so that the subject has to be folded twice";
    const std::string long_name = "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0\xb0 \xd0\xba\xd0\xb2\xd0\xb0"
                                  "\xd1\x80\xd1\x82\xd0\xb0\xd0\xbb \xe2\x84\x96 4 (\xd0\xbe\xd0\xba\xd0\xbe\xd0\xbd"
                                  "\xd1\x87\xd0\xb0\xd1\x82\xd0\xb5\xd0\xbb\xd1\x8c\xd0\xbd\xd1\x8b\xd0\xb9).pdf";
    const std::string pdf = "%PDF-1.4\n" + tc::random_bytes(10000, 13);
    compose_options o;
    o.chunk_size = 8192;
    message_builder b(o);
    b.from("Andr\xc3\xa9 M\xc3\xbcller <andre@example.org>")
        .to("\"Doe, Jane\" <jane@example.net>, \xe5\xb1\xb1\xe7\x94\xb0 <yamada@example.jp>")
        .bcc("hidden@example.com")
        .subject(subject);
    const std::string cid = b.inline_file(img.path());
    b.text("Hello \xc3\xa9\nbare\rCR\n.\nend\r\n.\r\n")
        .html("<p>Hi <img src=\"cid:" + cid + "\"></p>\n")
        .attach_file(bigf.path())
        .attach_data(long_name, pdf);
    const auto m = b.build();
    const auto j = python_view(m);

    CHECK(j["subject"] == subject);
    CHECK(j["to"] == nlohmann::json::array({"jane@example.net", "yamada@example.jp"}));
    CHECK(j["to_names"] == nlohmann::json::array({"Doe, Jane", "\xe5\xb1\xb1\xe7\x94\xb0"}));
    CHECK(j["from"] == "Andr\xc3\xa9 M\xc3\xbcller <andre@example.org>");
    CHECK(j["bcc_present"] == false);
    CHECK(j["defects"] == 0);
    CHECK(j["content_type"] == "multipart/mixed");
    // Python keeps the CRLF line ends of the message in the decoded text.
    CHECK(j["text"] == "Hello \xc3\xa9\r\nbare\r\nCR\r\n.\r\nend\r\n.\r\n");
    CHECK(j["html"] == "<p>Hi <img src=\"cid:" + cid + "\"></p>\r\n");
    REQUIRE(j["attachments"].size() == 2);
    CHECK(j["attachments"][0]["filename"] == "archive.tar.gz");
    CHECK(j["attachments"][0]["type"] == "application/gzip");
    CHECK(j["attachments"][0]["size"] == big.size());
    CHECK(j["attachments"][0]["sha256"] == sha256_hex(big));
    CHECK(j["attachments"][1]["filename"] == long_name);
    CHECK(j["attachments"][1]["type"] == "application/pdf");
    CHECK(j["attachments"][1]["sha256"] == sha256_hex(pdf));
    REQUIRE(j["inline"].size() == 1);
    CHECK(j["inline"][0]["content_id"] == "<" + cid + ">");
    CHECK(j["inline"][0]["sha256"] == sha256_hex(png));
    CHECK(j["inline"][0]["type"] == "image/png");
}

TEST_CASE("python: header injection vectors that are accepted read back literally")
{
    // scripts/setup.sh installs python3: a missing interpreter is a failure.
    REQUIRE_MESSAGE(std::filesystem::exists(python), "no " << python);
    const std::string look = "=?UTF-8?Q?x=0D=0ABcc:_a@evil?=";
    auto m = message_builder()
                 .from("a@example.org")
                 .to(compose_address{look, "b@example.net"})
                 .subject(look)
                 .attach_data(look + ".txt", "x")
                 .build();
    const auto j = python_view(m);
    CHECK(j["subject"] == look);
    CHECK(j["bcc_present"] == false);
    CHECK(j["to_names"] == nlohmann::json::array({look}));
    REQUIRE(j["attachments"].size() == 1);
    CHECK(j["attachments"][0]["filename"] == look + ".txt");
}
