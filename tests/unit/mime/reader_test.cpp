// The reader's API: decoded headers, best bodies, attachments, saving parts;
// header edits and serialisation.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/reader.hpp>
#include <pigeon/mime/serialize.hpp>

using namespace pigeon::mime;

namespace {
const char* k_msg =
    "From: =?utf-8?q?Ren=C3=A9?= <rene@example.org>\r\n"
    "To: a@example.net, Group: b@example.net, c@example.net;\r\n"
    "Cc: bad@@example.net, d@example.net\r\n"
    "Subject: =?iso-8859-1?q?R=E9union?=\r\n"
    "Date: Mon, 8 Jan 2024 14:30:00 +0100\r\n"
    "Message-ID: <id-1@example.org>\r\n"
    "Content-Type: multipart/mixed; boundary=m\r\n"
    "\r\n"
    "--m\r\n"
    "Content-Type: multipart/alternative; boundary=a\r\n"
    "\r\n"
    "--a\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "R=E9union =E0 10h.\r\n"
    "--a\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PHA+UsOpdW5pb248L3A+\r\n"
    "--a--\r\n"
    "--m\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename*=utf-8''donn%C3%A9es.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQF\r\n"
    "--m\r\n"
    "Content-Type: image/gif; name=\"pic.gif\"\r\n"
    "Content-ID: <pic@example.org>\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "GIF89a\r\n"
    "--m--\r\n";
} // namespace

TEST_CASE("reader: headers as UTF-8") {
    message m = parse_message(std::string(k_msg));
    message_reader r(m);
    CHECK(r.subject() == "R\xC3\xA9union");
    REQUIRE(r.from().mailboxes().size() == 1);
    CHECK(r.from().mailboxes()[0].display_name == "Ren\xC3\xA9");
    CHECK(r.to().mailboxes().size() == 3);
    CHECK(r.to().items[1].group_name == "Group");
    auto cc = r.cc();
    CHECK(cc.errors == std::vector<std::string>{"bad@@example.net"});
    CHECK(cc.mailboxes().size() == 1);
    REQUIRE(r.date());
    CHECK(r.date()->to_unix() == 1704720600);
    CHECK(r.message_id() == "id-1@example.org");
}

TEST_CASE("reader: best text and HTML bodies, attachments") {
    message m = parse_message(std::string(k_msg));
    message_reader r(m);
    REQUIRE(r.text_part());
    CHECK(r.text_part()->part_number() == "1.1");
    CHECK(r.text_body() == "R\xC3\xA9union \xC3\xA0 10h.");
    REQUIRE(r.html_part());
    CHECK(r.html_body() == "<p>R\xC3\xA9union</p>");
    const auto& a = r.attachments();
    REQUIRE(a.size() == 2);
    CHECK(a[0].filename == "donn\xC3\xA9" "es.bin");
    CHECK(a[0].mime_type == "application/octet-stream");
    CHECK_FALSE(a[0].is_inline);
    CHECK(decoded_size(m, *a[0].part) == 6);
    CHECK(a[1].filename == "pic.gif");
    CHECK(a[1].content_id == "pic@example.org");
    CHECK(a[1].is_inline);
    CHECK(m.find_part("3") == a[1].part);
    CHECK(m.find_part("") == m.root());
    CHECK(m.find_part("9") == nullptr);
}

TEST_CASE("reader: save_part streams the decoded body to a file") {
    message m = parse_message(std::string(k_msg));
    message_reader r(m);
    auto dir = std::filesystem::temp_directory_path() / ("pigeon-mime-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = dir / "out.bin";
    REQUIRE_FALSE(save_part(m, *r.attachments()[0].part, path));
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    CHECK(ss.str() == std::string("\0\1\2\3\4\5", 6));
    CHECK(save_part(m, *r.attachments()[0].part, dir / "no" / "such" / "dir"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("reader: a plain message and a message without text") {
    message m = parse_message(std::string("Subject: s\n\nhello\n"));
    message_reader r(m);
    CHECK(r.text_body() == "hello\n");
    CHECK(r.html_part() == nullptr);
    CHECK(r.attachments().empty());
    message m2 = parse_message(std::string("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw==\n"));
    message_reader r2(m2);
    CHECK(r2.text_part() == nullptr);
    REQUIRE(r2.attachments().size() == 1);
    CHECK(decoded_size(m2, *r2.attachments()[0].part) == 4);
}

TEST_CASE("serialize: unmodified is exact, edited headers are rewritten, the rest copied") {
    std::string src(k_msg);
    message m = parse_message(src);
    CHECK(serialize_to_string(m) == src);
    entity* root = m.root_mut();
    root->headers_mut().set("Subject", "Changed");
    root->headers_mut().remove("Cc");
    std::string out = serialize_to_string(m);
    CHECK(out.find("Subject: Changed\r\n") != std::string::npos);
    CHECK(out.find("Cc:") == std::string::npos);
    CHECK(out.find("AAECAwQF\r\n--m\r\n") != std::string::npos);
    message again = parse_message(out);
    CHECK(message_reader(again).subject() == "Changed");
    CHECK(again.parts().size() == m.parts().size());
    CHECK(message_reader(again).text_body() == message_reader(m).text_body());
}

TEST_CASE("source: file and memory sources") {
    auto path = std::filesystem::temp_directory_path() / ("pigeon-src-" + std::to_string(::getpid()));
    std::ofstream(path, std::ios::binary) << k_msg;
    std::error_code ec;
    auto fsrc = file_source::open(path, ec);
    REQUIRE(fsrc);
    CHECK(fsrc->size() == std::string_view(k_msg).size());
    CHECK(fsrc->data() == nullptr);
    CHECK(fsrc->read({6, 4}) == "=?ut");
    std::string chunks;
    int calls = 0;
    CHECK(fsrc->read_range({0, fsrc->size()}, [&](std::string_view b) { chunks.append(b); ++calls; }, 100));
    CHECK(chunks == k_msg);
    CHECK(calls > 5);
    CHECK_FALSE(fsrc->read_range({fsrc->size(), 1}, [](std::string_view) {}));
    std::filesystem::remove(path);
    CHECK_FALSE(file_source::open(path, ec));
    CHECK(ec);
    message none = parse_file(path, ec);
    CHECK(none.root() == nullptr);
    CHECK(ec);
}
