#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_util.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/compose_error.hpp>
#include <pigeon/mime/encode_param.hpp>

#include <map>
#include <string>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

namespace {

std::string pct_decode(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(tc::hexval(s[i + 1]) * 16 + tc::hexval(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

struct parsed {
    std::string rfc2231;  // reassembled name* value
    std::string fallback; // name="..." value
    std::vector<std::string> pieces;
};

// Reads "; a=b; a*0*=...; ..." for one parameter name.
parsed read_param(const std::string& s, const std::string& name)
{
    parsed p;
    std::map<int, std::string> sections;
    std::size_t i = 0;
    while (i < s.size()) {
        REQUIRE(s.substr(i, 2) == "; ");
        i += 2;
        std::size_t j = i;
        bool quoted = false;
        while (j < s.size() && (quoted || s[j] != ';')) {
            if (s[j] == '\\' && quoted) ++j;
            else if (s[j] == '"') quoted = !quoted;
            ++j;
        }
        const std::string piece = s.substr(i, j - i);
        p.pieces.push_back(piece);
        i = j;
        const auto eq = piece.find('=');
        const std::string key = piece.substr(0, eq);
        std::string val = piece.substr(eq + 1);
        if (!val.empty() && val.front() == '"') {
            std::string u;
            for (std::size_t k = 1; k + 1 < val.size(); ++k) {
                if (val[k] == '\\') ++k;
                u += val[k];
            }
            val = u;
        }
        if (key == name) p.fallback = val;
        else if (key == name + "*") p.rfc2231 = pct_decode(val.substr(val.find("''") + 2));
        else {
            const int n = std::stoi(key.substr(name.size() + 1));
            const bool ext = key.back() == '*';
            if (ext && n == 0) val = val.substr(val.find("''") + 2);
            sections[n] = ext ? pct_decode(val) : val;
        }
    }
    for (const auto& [n, v] : sections) p.rfc2231 += v;
    return p;
}

} // namespace

TEST_CASE("rfc2231: tokens and quoted strings for short ASCII")
{
    std::string out;
    CHECK_FALSE(encode_parameter("charset", "utf-8", out));
    CHECK(out == "; charset=utf-8");
    out.clear();
    CHECK_FALSE(encode_parameter("filename", "my report.pdf", out));
    CHECK(out == "; filename=\"my report.pdf\"");
    out.clear();
    CHECK_FALSE(encode_parameter("boundary", "=_abc", out));
    CHECK(out == "; boundary=\"=_abc\"");
    out.clear();
    CHECK_FALSE(encode_parameter("filename", "a\"b\\c", out));
    CHECK(out == "; filename=\"a\\\"b\\\\c\"");
}

TEST_CASE("rfc2231: non-ASCII names get name*= then a quoted RFC 2047 fallback")
{
    std::string out;
    const std::string name = "r\xc3\xa9sum\xc3\xa9.pdf";
    CHECK_FALSE(encode_parameter("filename", name, out));
    CHECK(out.substr(0, 30) == "; filename*=UTF-8''r%C3%A9sum%");
    const parsed p = read_param(out, "filename");
    CHECK(p.rfc2231 == name);
    CHECK(tc::decode_header_text(p.fallback) == name);
    // The starred form comes first (readers that know RFC 2231 take it).
    CHECK(out.find("filename*") < out.find("filename=\""));
}

TEST_CASE("rfc2231: long values use continuations, each piece fits a folded line")
{
    std::string longname;
    for (int i = 0; i < 20; ++i) longname += "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 ";
    longname += ".txt";
    std::string out;
    CHECK_FALSE(encode_parameter("filename", longname, out));
    const parsed p = read_param(out, "filename");
    CHECK(p.rfc2231 == longname);
    CHECK(p.pieces.size() > 3);
    for (std::size_t i = 0; i + 1 < p.pieces.size(); ++i) CHECK(p.pieces[i].size() <= 74);
    CHECK(p.pieces[0].substr(0, 19) == "filename*0*=UTF-8''");
    CHECK(tc::decode_header_text(p.fallback) == longname);

    const std::string ascii(150, 'n');
    out.clear();
    CHECK_FALSE(encode_parameter("filename", ascii + "\"q", out));
    const parsed a = read_param(out, "filename");
    CHECK(a.rfc2231 == ascii + "\"q");
    CHECK(a.fallback == ascii + "\"q");
    CHECK(a.pieces[0].substr(0, 12) == "filename*0=\"");
}

TEST_CASE("rfc2231: without RFC 2231 (Content-Type name) only the quoted form")
{
    std::string out;
    param_options o;
    o.rfc2231 = false;
    CHECK_FALSE(encode_parameter("name", "\xc3\xa9t\xc3\xa9.txt", out, o));
    CHECK(out.find("name*") == std::string::npos);
    CHECK(tc::decode_header_text(read_param(out, "name").fallback) == "\xc3\xa9t\xc3\xa9.txt");
}

TEST_CASE("rfc2231: injection attempts are refused, nothing is written")
{
    for (const std::string& bad : {std::string("x\r\nBcc: a@evil"), std::string("x\nBcc:"), std::string("x\rBcc:"),
                                  std::string("x\xe2\x80\xa8" "Bcc:"), std::string("x\0y", 3)}) {
        std::string out = "keep";
        const auto ec = encode_parameter("filename", bad, out);
        CHECK(ec == compose_errc::forbidden_character);
        CHECK(out == "keep");
    }
    std::string out;
    CHECK(encode_parameter("file name", "x", out) == compose_errc::invalid_argument);
    CHECK(encode_parameter("filename", "\xff", out) == compose_errc::invalid_utf8);
}
