#include <ostream>

#include <doctest/doctest.h>

#include <string>

#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/json_object.hpp"

using namespace pigeon::oauth2;

TEST_CASE("json_object: members of every kind, nested values skipped") {
    json_object o;
    auto ec = parse_json_object(
        R"( {"access_token":"ya29.a\u00e9\ud83d\ude00\"\\\/","expires_in":3599,"ok":true,"no":false,)"
        R"("n":null,"x":-1.5e+3,"nested":{"a":[1,{"b":"c"},[]],"d":{}},"list":["s"]} )",
        o);
    REQUIRE_FALSE(ec);
    CHECK(o["access_token"].type == json_value::kind::string);
    CHECK(o["access_token"].text == "ya29.a\xC3\xA9\xF0\x9F\x98\x80\"\\/");
    CHECK(o["expires_in"].type == json_value::kind::number);
    CHECK(o["expires_in"].text == "3599");
    CHECK(o["ok"].text == "true");
    CHECK(o["no"].text == "false");
    CHECK(o["n"].type == json_value::kind::null);
    CHECK(o["x"].text == "-1.5e+3");
    CHECK(o["nested"].type == json_value::kind::nested);
    CHECK(o["list"].type == json_value::kind::nested);
    CHECK(o.size() == 8);
}

TEST_CASE("json_object: an empty object, a repeated key keeps the last value") {
    json_object o;
    CHECK_FALSE(parse_json_object("{}", o));
    CHECK(o.empty());
    CHECK_FALSE(parse_json_object(R"({"a":"1","a":"2"})", o));
    CHECK(o["a"].text == "2");
}

TEST_CASE("json_object: malformed documents are errors") {
    for (const char* bad : {"", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x",
                            "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}",
                            "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\u12\"}", "{a:1}",
                            "{\"a\":[1,]}", "{\"a\":{\"b\"}}", "{\"a\":\"open"}) {
        json_object o;
        INFO(bad);
        CHECK(parse_json_object(bad, o) == errc::bad_response);
        CHECK(o.empty());
    }
}

TEST_CASE("json_object: every prefix of a valid document fails cleanly") {
    const std::string doc = R"({"error":"invalid_grant","error_description":"Bad \u0041","n":[1,{"x":2}],"z":true})";
    json_object o;
    REQUIRE_FALSE(parse_json_object(doc, o));
    for (std::size_t n = 0; n < doc.size(); ++n) {
        INFO(n);
        CHECK(parse_json_object(std::string_view(doc).substr(0, n), o) == errc::bad_response);
    }
}

TEST_CASE("json_object: limits on size, depth and members") {
    json_object o;
    std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
    CHECK(parse_json_object(deep, o) == errc::bad_response);
    json_limits l;
    l.max_depth = 64;
    CHECK_FALSE(parse_json_object(deep, o, l));
    std::string big = "{\"a\":\"" + std::string(2000, 'x') + "\"}";
    l.max_bytes = 1000;
    CHECK(parse_json_object(big, o, l) == errc::bad_response);
    std::string many = "{";
    for (int i = 0; i < 600; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":1";
    many += "}";
    CHECK(parse_json_object(many, o) == errc::bad_response);
    // Deep nesting far past the limit is refused without recursing through it.
    std::string bomb = "{\"a\":" + std::string(100000, '[');
    CHECK(parse_json_object(bomb, o) == errc::bad_response);
}
