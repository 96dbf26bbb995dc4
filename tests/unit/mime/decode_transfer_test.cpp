// Base64 and quoted-printable decoders: known answers, junk tolerance, and
// the same output for every split of the input.
#include <doctest/doctest.h>

#include <pigeon/mime/transfer_decoder.hpp>

#include "support/split_feed.hpp"

using namespace pigeon::mime;

namespace {

template <class Decoder>
std::string run(const pigeon::test::pieces& pieces) {
    Decoder d;
    std::string out;
    for (auto p : pieces) d.feed(p, out);
    d.finish(out);
    return out;
}

void check_splits_b64(std::string_view in, std::string_view expected) {
    pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& p) {
        INFO("input " << in << " split " << pigeon::test::describe(p));
        CHECK(run<base64_decoder>(p) == expected);
    });
}

void check_splits_qp(std::string_view in, std::string_view expected) {
    pigeon::test::for_each_split(in, [&](const pigeon::test::pieces& p) {
        INFO("input " << in << " split " << pigeon::test::describe(p));
        CHECK(run<qp_decoder>(p) == expected);
    });
}

} // namespace

TEST_CASE("base64 decode: RFC 4648 test vectors") {
    CHECK(decode_base64("") == "");
    CHECK(decode_base64("Zg==") == "f");
    CHECK(decode_base64("Zm8=") == "fo");
    CHECK(decode_base64("Zm9v") == "foo");
    CHECK(decode_base64("Zm9vYg==") == "foob");
    CHECK(decode_base64("Zm9vYmE=") == "fooba");
    CHECK(decode_base64("Zm9vYmFy") == "foobar");
}

TEST_CASE("base64 decode: line breaks, blanks and junk are skipped, splits do not matter") {
    check_splits_b64("Zm9v\r\nYmFy\r\n", "foobar");
    check_splits_b64("Zm 9v\tYm*Fy!", "foobar");
    check_splits_b64("Zm9vYg==\r\n", "foob");
    check_splits_b64("Zm9vYmE", "fooba"); // missing padding
    check_splits_b64("Zm9vY", "foo");     // one stray character is dropped
}

TEST_CASE("base64 decode: padding ends the data") {
    check_splits_b64("Zg==Zm9v", "f");
    check_splits_b64("Zm8=\r\nZm9v", "fo");
    // '=' before two characters of a quantum is ignored
    check_splits_b64("=Zm9v", "foo");
}

TEST_CASE("base64 decode: all byte values round trip through a long body") {
    std::string raw;
    for (int i = 0; i < 3000; ++i) raw.push_back(static_cast<char>((i * 7 + i / 256) & 0xFF));
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string enc;
    std::size_t col = 0;
    for (std::size_t i = 0; i < raw.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(raw[i]) << 16;
        if (i + 1 < raw.size()) v |= static_cast<unsigned char>(raw[i + 1]) << 8;
        if (i + 2 < raw.size()) v |= static_cast<unsigned char>(raw[i + 2]);
        enc += tbl[(v >> 18) & 63];
        enc += tbl[(v >> 12) & 63];
        enc += i + 1 < raw.size() ? tbl[(v >> 6) & 63] : '=';
        enc += i + 2 < raw.size() ? tbl[v & 63] : '=';
        if ((col += 4) == 76) {
            enc += "\r\n";
            col = 0;
        }
    }
    CHECK(decode_base64(enc) == raw);
    for (std::size_t n : {1u, 2u, 3u, 5u, 77u, 78u, 1000u}) {
        CHECK(run<base64_decoder>(pigeon::test::chunks_of(enc, n)) == raw);
    }
}

TEST_CASE("qp decode: RFC 2045 rules") {
    check_splits_qp("a=3Db", "a=b");
    check_splits_qp("caf=C3=A9", "caf\xC3\xA9");
    check_splits_qp("lower=c3=a9", "lower\xC3\xA9");
    check_splits_qp("soft=\r\nbreak", "softbreak");
    check_splits_qp("soft=\nbreak", "softbreak");
    check_splits_qp("blank after =  \r\nx", "blank after x");
    check_splits_qp("line one\r\nline two\r\n", "line one\r\nline two\r\n");
    check_splits_qp("bad =ZZ escape", "bad =ZZ escape");
    check_splits_qp("half =4", "half =4");
    check_splits_qp("end =", "end ");
    check_splits_qp("end =  ", "end ");
    check_splits_qp("==41", "=A");
}

TEST_CASE("qp decode: many blanks after '=' are not held without bound") {
    std::string in = "x=" + std::string(500, ' ') + "y";
    std::string expected = "x=" + std::string(500, ' ') + "y";
    CHECK(decode_quoted_printable(in) == expected);
    CHECK(run<qp_decoder>(pigeon::test::bytewise(in)) == expected);
}

TEST_CASE("transfer_decoder: identity encodings pass bytes through") {
    transfer_decoder d(transfer_encoding::identity_8bit);
    std::string out;
    d.feed("a=3D\r\n", out);
    d.finish(out);
    CHECK(out == "a=3D\r\n");
    transfer_decoder q(parse_transfer_encoding(" Quoted-Printable (comment)"));
    out.clear();
    q.feed("a=3D", out);
    q.finish(out);
    CHECK(out == "a=");
}

TEST_CASE("transfer encoding names") {
    CHECK(parse_transfer_encoding("BASE64") == transfer_encoding::base64);
    CHECK(parse_transfer_encoding("") == transfer_encoding::identity_7bit);
    CHECK(parse_transfer_encoding("8Bit") == transfer_encoding::identity_8bit);
    CHECK(parse_transfer_encoding("binary") == transfer_encoding::binary);
    CHECK(parse_transfer_encoding("x-uuencode") == transfer_encoding::uuencode);
    CHECK(parse_transfer_encoding("x-foo") == transfer_encoding::unknown);
    CHECK(is_identity(transfer_encoding::unknown));
    CHECK_FALSE(is_identity(transfer_encoding::base64));
}
