#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_util.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/encode_header.hpp>
#include <pigeon/mime/encode_word.hpp>

#include <string>
#include <vector>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

namespace {

std::vector<std::string> split_words(const std::string& s)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto j = s.find(' ', i);
        if (j == std::string::npos) j = s.size();
        out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

const std::vector<std::string> samples = {
    "caf\xc3\xa9",
    "R\xc3\xa9union de l'\xc3\xa9quipe \xc3\xa0 14h",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\xa7\xe3\x81\x99"
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\xa7\xe3\x81\x99"
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d\xe3\x81\xa7\xe3\x81\x99",
    "emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
    "a=b?c_d \"q\" (c) \\ tail ",
    std::string(300, 'x') + "\xc3\xa9",
};

bool valid_utf8(const std::string& s) { return !check_header_text(s); }

} // namespace

TEST_CASE("rfc2047: encoded words decode back, stay within 75 characters, never split a character")
{
    for (auto ctx : {word_context::text, word_context::comment, word_context::phrase}) {
        for (const auto& s : samples) {
            INFO("sample " << s);
            const std::string enc = encode_words(s, ctx);
            for (const auto& w : split_words(enc)) {
                CHECK(w.size() <= 75);
                bool ok = false;
                const std::string dec = tc::decode_word(w, ok);
                CHECK(ok);
                CHECK(valid_utf8(dec)); // each word holds whole characters
            }
            CHECK(tc::decode_header_text(enc) == s);
        }
    }
}

TEST_CASE("rfc2047: the shorter of Q and B is chosen")
{
    CHECK(encode_words("caf\xc3\xa9") == "=?UTF-8?B?Y2Fmw6k=?="); // 20 < 21 characters
    CHECK(encode_words("R\xc3\xa9union") == "=?UTF-8?Q?R=C3=A9union?="); // a tie goes to Q
    CHECK(encode_words("caf\xc3\xa9", word_context::text, word_encoding::q) == "=?UTF-8?Q?caf=C3=A9?=");
    // CJK text is shorter in B.
    const std::string cjk = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
    CHECK(encode_words(cjk) == "=?UTF-8?B?5pel5pys6Kqe?=");
    CHECK(encode_words("a b") == "=?UTF-8?Q?a_b?=");
}

TEST_CASE("rfc2047: Q leaves only the characters its context allows")
{
    const std::string s = "x(y)\"z\\w!*+-/=?_.,;:@<>[]" "\xc3\xa9";
    auto payload = [](const std::string& w) { return w.substr(10, w.size() - 12); };
    const std::string phrase = encode_words(s, word_context::phrase, word_encoding::q);
    REQUIRE(phrase.substr(0, 10) == "=?UTF-8?Q?");
    for (char c : payload(phrase))
        CHECK(((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' || c == '*' ||
               c == '+' || c == '-' || c == '/' || c == '=' || c == '_'));
    const std::string comment = encode_words(s, word_context::comment, word_encoding::q);
    REQUIRE(comment.substr(0, 10) == "=?UTF-8?Q?");
    for (char c : payload(comment)) CHECK((c != '(' && c != ')' && c != '"' && c != '\\'));
    const std::string text = encode_words(s, word_context::text, word_encoding::q);
    CHECK(payload(text).find('(') != std::string::npos); // allowed in text
    for (const auto& e : {phrase, comment, text}) CHECK(tc::decode_header_text(e) == s);
}

TEST_CASE("rfc2047: unstructured text encodes only the words that need it")
{
    CHECK(encode_unstructured("Hello world") == "Hello world");
    CHECK(encode_unstructured("Re: R\xc3\xa9union time") == "Re: =?UTF-8?Q?R=C3=A9union?= time");
    // Adjacent words are encoded together, with the space inside.
    const std::string two = encode_unstructured("Gr\xc3\xbc\xc3\x9f" "e  d\xc3\xa9j\xc3\xa0 vu");
    CHECK(two.find("vu") == two.size() - 2);
    CHECK(tc::decode_header_text(two) == "Gr\xc3\xbc\xc3\x9f" "e  d\xc3\xa9j\xc3\xa0 vu");
    // Something that looks like an encoded word is encoded, so a reader shows it literally.
    const std::string look = "=?UTF-8?Q?x=0D=0ABcc:_a@evil?=";
    const std::string enc = encode_unstructured(look);
    CHECK(enc != look);
    CHECK(tc::decode_header_text(enc) == look);
    // Control characters are encoded, never written raw.
    const std::string ctl = encode_unstructured("bell\x07 ring");
    CHECK(ctl.find('\x07') == std::string::npos);
    CHECK(tc::decode_header_text(ctl) == "bell\x07 ring");
    // A word too long for any line is encoded (and can then be folded).
    const std::string lng(950, 'k');
    const std::string le = encode_unstructured(lng);
    for (const auto& w : split_words(le)) CHECK(w.size() <= 75);
    CHECK(tc::decode_header_text(le) == lng);
}

TEST_CASE("rfc2047: a leading word can be kept short for the first line")
{
    std::string text;
    for (int i = 0; i < 30; ++i) text += "\xc3\xa9";
    const std::string enc = encode_unstructured(text, 9); // after "Subject: "
    CHECK(split_words(enc).front().size() <= 69);
    CHECK(tc::decode_header_text(enc) == text);
    for (auto e2 : {word_encoding::q, word_encoding::b}) {
        const std::string w = encode_words(text, word_context::text, e2, 40);
        CHECK(split_words(w).front().size() <= 40);
        CHECK(split_words(w)[1].size() <= 75);
        CHECK(tc::decode_header_text(w) == text);
    }
}

TEST_CASE("rfc2047: phrases are atoms, quoted strings or encoded words")
{
    CHECK(encode_phrase("Jane Doe") == "Jane Doe");
    CHECK(encode_phrase("Doe, Jane") == "\"Doe, Jane\"");
    CHECK(encode_phrase("John Q. Public") == "\"John Q. Public\"");
    CHECK(encode_phrase("say \"hi\" \\o/") == "\"say \\\"hi\\\" \\\\o/\"");
    const std::string e = encode_phrase("Andr\xc3\xa9 M\xc3\xbcller");
    CHECK(e.substr(0, 8) == "=?UTF-8?");
    CHECK(tc::decode_header_text(e) == "Andr\xc3\xa9 M\xc3\xbcller");
    CHECK(encode_phrase("") == "");
}
