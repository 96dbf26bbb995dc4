#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_util.hpp"
#include "support/split_feed.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/encode_base64.hpp>

#include <random>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

TEST_CASE("base64: RFC 4648 section 10 vectors")
{
    CHECK(encode_base64("") == "");
    CHECK(encode_base64("f") == "Zg==");
    CHECK(encode_base64("fo") == "Zm8=");
    CHECK(encode_base64("foo") == "Zm9v");
    CHECK(encode_base64("foob") == "Zm9vYg==");
    CHECK(encode_base64("fooba") == "Zm9vYmE=");
    CHECK(encode_base64("foobar") == "Zm9vYmFy");
    CHECK(encode_base64(std::string("\xff\xfe\x00\x01", 4)) == "//4AAQ==");
}

TEST_CASE("base64: 76-column lines with CRLF between them, none after the last")
{
    const std::string in(57, 'a'); // exactly one line
    const std::string one = encode_base64(in, 76);
    CHECK(one.size() == 76);
    CHECK(one.find('\r') == std::string::npos);

    const std::string two = encode_base64(std::string(58, 'a'), 76);
    REQUIRE(two.size() == 76 + 2 + 4);
    CHECK(two.substr(76, 2) == "\r\n");
    CHECK(two.substr(78) == "YQ==");

    std::string big(10000, '\0');
    std::mt19937 rng(7);
    for (auto& c : big) c = static_cast<char>(rng());
    const std::string enc = encode_base64(big, 76);
    for (auto l : tc::crlf_lines(enc)) CHECK(l.size() <= 76);
    CHECK(tc::decode_base64(enc) == big);
    CHECK(enc.size() == base64_encoded_size(big.size(), 76));
    CHECK(enc.substr(enc.size() - 2) != "\r\n");
}

TEST_CASE("base64: encoded size formula matches the encoder for many lengths")
{
    for (std::size_t n = 0; n < 400; ++n) {
        const std::string in(n, 'x');
        CHECK(encode_base64(in, 76).size() == base64_encoded_size(n, 76));
        CHECK(encode_base64(in, 0).size() == base64_encoded_size(n, 0));
        CHECK(encode_base64(in, 64).size() == base64_encoded_size(n, 64));
    }
}

TEST_CASE("base64: every split of the input gives the same output")
{
    std::string in;
    for (int i = 0; i < 130; ++i) in += static_cast<char>(i * 7);
    const std::string expected = encode_base64(in, 76);
    pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& p) {
        INFO("split " << pigeon::test::describe(p));
        base64_encoder enc(76);
        std::string out;
        for (auto piece : p) enc.feed(piece, out);
        enc.finish(out);
        CHECK(out == expected);
    });
}

TEST_CASE("base64: raw-buffer form and max_output")
{
    base64_encoder enc(76);
    std::string in(1000, 'z');
    std::string out(enc.max_output(in.size()), '\0');
    std::size_t n = enc.feed(in.data(), in.size(), out.data());
    CHECK(n <= out.size());
    char tail[8];
    const std::size_t t = enc.finish(tail);
    out.resize(n);
    out.append(tail, t);
    CHECK(out == encode_base64(in, 76));
    // The output never contains '-' or "=_" (what composer boundaries use).
    CHECK(out.find('-') == std::string::npos);
    CHECK(out.find("=_") == std::string::npos);
}

TEST_CASE("base64: odd line lengths are rounded down to a multiple of 4")
{
    const std::string enc = encode_base64(std::string(30, 'q'), 10);
    for (auto l : tc::crlf_lines(enc)) CHECK(l.size() <= 8);
    CHECK(tc::decode_base64(enc) == std::string(30, 'q'));
}
