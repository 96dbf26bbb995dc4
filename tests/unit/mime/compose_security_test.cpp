// Header injection (anchors-security.md INJ-02): every field that reaches a
// header refuses CR, LF, NUL and the Unicode line separators with a
// compose_error, and nothing is written; text that merely looks like an
// encoded word is encoded, so it reads back literally.
#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_files.hpp"
#include "compose_test_util.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/compose_builder.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

namespace {

const std::vector<std::string> inj02 = {
    "x\r\nBcc: a@evil", "x\nBcc:", "x\rBcc:", "x\xe2\x80\xa8" "Bcc:", std::string("x\0y", 3),
    "x\xe2\x80\xa9" "Bcc:", "x\xc2\x85" "Bcc:",
};

void expect_refused(const std::function<void()>& f, const std::string& what)
{
    INFO(what);
    try {
        f();
        FAIL("accepted");
    } catch (const std::system_error& e) { // compose_error derives from std::system_error
        CHECK(std::string(e.code().category().name()) == "mime.compose");
        CHECK(e.code() == compose_errc::forbidden_character);
        CHECK(dynamic_cast<const compose_error*>(&e) != nullptr);
        // The message names the field, never the raw bytes.
        const std::string msg = e.what();
        CHECK(msg.find('\r') == std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    }
}

} // namespace

TEST_CASE("INJ-02: CR, LF, NUL and line separators refused in every header field")
{
    for (const auto& v : inj02) {
        message_builder b;
        expect_refused([&] { b.subject(v); }, "Subject");
        expect_refused([&] { b.to(v + " <a@example.org>"); }, "To display name");
        expect_refused([&] { b.to(compose_address{v, "a@example.org"}); }, "To display name (struct)");
        expect_refused([&] { b.from(compose_address{v, "a@example.org"}); }, "From display name");
        expect_refused([&] { b.reply_to(v + " <a@example.org>"); }, "Reply-To");
        expect_refused([&] { b.cc(compose_address{"", "a" + v + "@example.org"}); }, "Cc address");
        expect_refused([&] { b.bcc(compose_address{"", "a@example.org" + v}); }, "Bcc address");
        expect_refused([&] { b.header("X-Custom", v); }, "custom header");
        expect_refused([&] { b.message_id(v + "@example.org"); }, "Message-ID");
        expect_refused([&] { b.attach_data(v + ".txt", "data"); }, "attachment file name");
        attachment_options o;
        o.filename = "a" + v + ".txt";
        tc::temp_file f("ok.txt", "x");
        expect_refused([&] { b.attach_file(f.path(), o); }, "file attachment name");
        expect_refused([&] { b.inline_data("i" + v, "x"); }, "inline name");
        // Nothing of it reached the message.
        b.from("a@example.org");
        const std::string s = b.build().str();
        CHECK(s.find("Bcc") == std::string::npos);
        CHECK(s.find("evil") == std::string::npos);
    }
}

TEST_CASE("INJ-02: a file whose name on disk holds a line break is refused")
{
    tc::temp_file f("x\nBcc: a@evil.txt", "data");
    expect_refused([&] { message_builder().attach_file(f.path()); }, "file name from the path");
}

TEST_CASE("INJ-02: header names are checked, headers the builder writes are reserved")
{
    message_builder b;
    for (const char* name : {"X Bad", "X:Bad", "X\r\nBcc", "", "X\xc3\xa9"}) {
        try {
            b.header(name, "v");
            FAIL("accepted " << name);
        } catch (const compose_error& e) {
            CHECK(e.code() == compose_errc::invalid_header_name);
        }
    }
    for (const char* name : {"Bcc", "bcc", "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version",
                             "Content-Type", "content-transfer-encoding", "Reply-To"}) {
        try {
            b.header(name, "v");
            FAIL("accepted " << name);
        } catch (const compose_error& e) {
            CHECK(e.code() == compose_errc::reserved_header);
        }
    }
}

TEST_CASE("INJ-02: an encoded-word lookalike is written so it decodes to itself")
{
    const std::string look = "=?UTF-8?Q?x=0D=0ABcc:_a@evil?=";
    compose_options o;
    o.seed = 5;
    auto m = message_builder(o)
                 .from(compose_address{look, "a@example.org"})
                 .to("b@example.net")
                 .subject(look)
                 .header("X-Custom", look)
                 .attach_data(look, "x")
                 .build();
    const std::string s = m.str();
    const auto e = tc::parse_entity(s);
    CHECK(e.count("Bcc") == 0);
    CHECK(tc::decode_header_text(e.get("Subject")) == look);
    CHECK(tc::decode_header_text(e.get("X-Custom")) == look);
    const std::string from = e.get("From");
    CHECK(tc::decode_header_text(from.substr(0, from.find(" <"))) == look);
    // Every header line of the message starts with a known name or a fold.
    const std::string head = s.substr(0, s.find("\r\n\r\n"));
    for (auto line : tc::crlf_lines(head)) {
        CHECK(line.rfind("Bcc", 0) != 0);
    }
}

TEST_CASE("Bcc is never written, whatever else the message holds")
{
    compose_options o;
    o.seed = 2;
    message_builder b(o);
    b.from("a@example.org").bcc("secret1@example.com").bcc(compose_address{"Secret Two", "secret2@example.com"});
    b.text("t").html("<p>h</p>").attach_data("a.bin", std::string("\x00\x01", 2));
    auto m = b.build();
    const std::string s = m.str();
    CHECK(s.find("secret") == std::string::npos);
    CHECK(s.find("Secret") == std::string::npos);
    CHECK(s.find("Bcc") == std::string::npos);
    CHECK(m.envelope_recipients() == std::vector<std::string>{"secret1@example.com", "secret2@example.com"});
}
