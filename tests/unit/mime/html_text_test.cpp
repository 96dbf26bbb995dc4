// HTML reduced to text: references, whitespace, blocks, lists, quotes,
// links, dropped elements, broken HTML, every split of the input, bounded
// memory on hostile input.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>

#include <pigeon/mime/charset.hpp>
#include <pigeon/mime/html_text.hpp>

#include "support/split_feed.hpp"

using namespace pigeon::mime;

namespace {

// Converts html whole and in every split, checking they all agree.
std::string text_of(std::string_view html, const html_text_options& o = {}) {
    const std::string whole = html_to_text(html, o);
    pigeon::test::for_each_split(html, [&](const pigeon::test::pieces& pieces) {
        html_text_converter c(o);
        std::string out;
        for (auto p : pieces) c.feed(p, out);
        c.finish(out);
        INFO("split: " << pigeon::test::describe(pieces));
        CHECK(out == whole);
    });
    return whole;
}

} // namespace

TEST_CASE("html_text: named, decimal and hex references") {
    CHECK(text_of("caf&eacute; &amp; cr&egrave;me") == "caf\xc3\xa9 & cr\xc3\xa8me\n");
    CHECK(text_of("&lt;b&gt; &quot;x&quot; &apos;y&apos;") == "<b> \"x\" 'y'\n");
    CHECK(text_of("&#233;&#xE9;&#XE9;&#x1F600;") == "\xc3\xa9\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80\n");
    CHECK(text_of("&euro;5 &mdash; &hellip; &trade; &alpha;&Omega;") ==
          "\xe2\x82\xac" "5 \xe2\x80\x94 \xe2\x80\xa6 \xe2\x84\xa2 \xce\xb1\xce\xa9\n");
    CHECK(text_of("&copy; &COPY; &AMP;") == "\xc2\xa9 \xc2\xa9 &\n");
}

TEST_CASE("html_text: references without ',' and unknown ones") {
    CHECK(text_of("a &amp b") == "a & b\n");
    CHECK(text_of("&notit;") == "\xc2\xacit;\n");          // longest legacy prefix
    CHECK(text_of("&eacutex") == "\xc3\xa9x\n");
    CHECK(text_of("&bogus; &; & x &#; &#x;") == "&bogus; &; & x &#; &#x;\n");
    CHECK(text_of("&ndash no semicolon") == "&ndash no semicolon\n"); // not a legacy name
    CHECK(text_of("AT&T") == "AT&T\n");
    CHECK(text_of("&#65&#66;") == "AB\n");
    CHECK(text_of("tail &amp") == "tail &\n");               // at the end of the input
    CHECK(text_of("tail &") == "tail &\n");
}

TEST_CASE("html_text: numeric references to nothing printable become U+FFFD") {
    CHECK(text_of("[&#0;]") == "[\xef\xbf\xbd]\n");
    CHECK(text_of("[&#xD800;]") == "[\xef\xbf\xbd]\n");
    CHECK(text_of("[&#x110000;]") == "[\xef\xbf\xbd]\n");
    CHECK(text_of("[&#99999999999999999999999;]") == "[\xef\xbf\xbd]\n");
    CHECK(text_of("[&#27;[2J]") == "[\xef\xbf\xbd[2J]\n"); // ESC
    CHECK(text_of("[&#x7f;]") == "[\xef\xbf\xbd]\n");
    CHECK(text_of("[&#150;]") == "[\xe2\x80\x93]\n");      // Windows-1252 en dash
    CHECK(text_of("[&#129;]") == "[\xef\xbf\xbd]\n");      // unassigned there
    CHECK(text_of("raw \x1b[31mred") == "raw \xef\xbf\xbd[31mred\n");
    CHECK(text_of(std::string("nul\0byte", 8)) == "nul\xef\xbf\xbd" "byte\n");
}

TEST_CASE("html_text: attribute values keep URL query parameters") {
    CHECK(decode_html_entities("?a=1&copy=2&amp;b=3", true) == "?a=1&copy=2&b=3");
    CHECK(decode_html_entities("?a=1&copy=2", false) == "?a=1\xc2\xa9=2");
    CHECK(decode_html_entities("x &amp y", true) == "x & y");
    CHECK(decode_html_entities("&#x41;&#66;&", true) == "AB&");
    CHECK(decode_html_entities("", false).empty());
}

TEST_CASE("html_text: whitespace collapses outside pre") {
    CHECK(text_of("  hello \r\n\t  world  ") == "hello world\n");
    CHECK(text_of("<b>bold</b><i>italic</i> <u>u</u>") == "bolditalic u\n");
    CHECK(text_of("a&nbsp;&nbsp;b") == "a  b\n");
    CHECK(text_of("soft&shy;hyphen") == "softhyphen\n");
    CHECK(text_of("").empty());
    CHECK(text_of("   \n  ").empty());
    CHECK(text_of("<p></p><div> </div>").empty());
}

TEST_CASE("html_text: blocks, paragraphs and line breaks") {
    CHECK(text_of("<p>One</p><p>Two</p>") == "One\n\nTwo\n");
    CHECK(text_of("<div>a</div><div>b</div>c") == "a\nb\nc\n");
    CHECK(text_of("<h1>Title</h1>text") == "Title\n\ntext\n");
    CHECK(text_of("a<br>b<br/>c<BR />d") == "a\nb\nc\nd\n");
    CHECK(text_of("a<br><br><br><br>b") == "a\n\nb\n"); // at most one blank line
    CHECK(text_of("<p>a</p><p></p><p></p><p>b</p>") == "a\n\nb\n");
    CHECK(text_of("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc\n");
    CHECK(text_of("x<hr>y") == "x\n\n----------\n\ny\n");
    CHECK(text_of("<P CLASS=x>Upper</P>case") == "Upper\n\ncase\n");
}

TEST_CASE("html_text: lists with bullets and numbers") {
    CHECK(text_of("<ul><li>one</li><li>two</li></ul>") == "* one\n* two\n");
    CHECK(text_of("<ol><li>one<li>two<li>three</ol>") == "1. one\n2. two\n3. three\n");
    CHECK(text_of("<ol start=\"7\"><li>seven<li>eight</ol>") == "7. seven\n8. eight\n");
    CHECK(text_of("Intro<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>After") ==
          "Intro\n\n* a\n  * b\n* c\n\nAfter\n");
    CHECK(text_of("<li>stray item") == "* stray item\n");
    CHECK(text_of("<ul><li><p>para</p>more</li></ul>") == "* para\n\n  more\n");
}

TEST_CASE("html_text: blockquote lines are quoted") {
    CHECK(text_of("Hi<blockquote>quoted<br>two</blockquote>Bye") == "Hi\n\n> quoted\n> two\n\nBye\n");
    CHECK(text_of("<blockquote>a<blockquote>b</blockquote>c</blockquote>") == "> a\n>\n> > b\n>\n> c\n");
    CHECK(text_of("</blockquote></blockquote>x") == "x\n"); // unbalanced end tags are harmless
}

TEST_CASE("html_text: pre keeps whitespace") {
    CHECK(text_of("<pre>\n  a  b\n\n\n c</pre>d") == "  a  b\n\n\n c\n\nd\n");
    CHECK(text_of("<pre>\r\nx\r\ny</pre>") == "x\ny\n");
    CHECK(text_of("<pre>a &lt; b</pre>") == "a < b\n");
}

TEST_CASE("html_text: links as text <url>") {
    CHECK(text_of("<a href=\"https://example.org/x?a=1&amp;b=2\">Example</a>.") ==
          "Example <https://example.org/x?a=1&b=2>.\n");
    CHECK(text_of("<a href='https://example.org'>https://example.org</a>") == "https://example.org\n");
    CHECK(text_of("<a href=\"mailto:bob@example.org\">bob@example.org</a>") == "bob@example.org\n");
    CHECK(text_of("<a href=\"#top\">Top</a> <a href=\"javascript:alert(1)\">x</a>") == "Top x\n");
    CHECK(text_of("<a href=\"https://e.org/\"><img src=\"logo.png\" alt=\"Logo\"></a>") == "[Logo] <https://e.org/>\n");
    CHECK(text_of("<a href=\"https://e.org/\"><img src=\"t.gif\"></a>") == "<https://e.org/>\n");
    CHECK(text_of("<a name=\"anchor\">plain</a>") == "plain\n");
    CHECK(text_of("<a href=\"https://e.org/a\">one<a href=\"https://e.org/b\">two</a>") ==
          "one <https://e.org/a>two <https://e.org/b>\n");
    CHECK(text_of("<a href=\"https://e.org/\nwrapped\">t</a>") == "t <https://e.org/wrapped>\n");
    CHECK(text_of("<a href=\"https://e.org/\">unclosed") == "unclosed <https://e.org/>\n");
    html_text_options no_links;
    no_links.show_links = false;
    CHECK(text_of("<a href=\"https://e.org/\">t</a>", no_links) == "t\n");
    html_text_options short_urls;
    short_urls.max_url_bytes = 10;
    CHECK(text_of("<a href=\"https://example.org/long\">t</a>", short_urls) == "t <https://ex...>\n");
}

TEST_CASE("html_text: script, style, head, title and comments are dropped") {
    CHECK(text_of("<html><head><title>T</title><style>p{color:red}</style>"
                  "<script>var x = '<p>no</p>';</script></head><body>shown</body></html>") == "shown\n");
    CHECK(text_of("a<script type=\"x\">if (a </b> c) {}</scripty></script >b") == "ab\n");
    CHECK(text_of("a<SCRIPT>x</SCRIPT>b<style\n>y</STYLE\n>c") == "abc\n");
    CHECK(text_of("a<!-- hidden <p>x</p> -->b<!---->c<!-->d<!--->e") == "abcde\n");
    CHECK(text_of("<!--[if mso]><p>outlook only</p><![endif]-->shown") == "shown\n");
    CHECK(text_of("<!DOCTYPE html><?xml version=\"1.0\"?>x<![CDATA[y]]>") == "x\n");
    CHECK(text_of("<head><meta charset=utf-8>head text</head>body") == "body\n");
    CHECK(text_of("<head><title>t</title><p>implied body") == "implied body\n");
    CHECK(text_of("<template><p>inert</p></template>x") == "x\n");
}

TEST_CASE("html_text: broken HTML never fails") {
    CHECK(text_of("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2\n");
    CHECK(text_of("a <3 b") == "a <3 b\n");
    CHECK(text_of("x </ y") == "x\n");            // "</ y" starts a bogus comment to '>' (never closed)
    CHECK(text_of("x </> y") == "x y\n");
    CHECK(text_of("unterminated <b") == "unterminated\n");
    CHECK(text_of("comment <!-- never closed") == "comment\n");
    CHECK(text_of("<script>never closed") == "");
    CHECK(text_of("<a href=\"x>y</a>z") == "");        // the quote swallows the rest, as in browsers
    CHECK(text_of("<p title='a>b'>text</p>") == "text\n");
    CHECK(text_of("ends with <") == "ends with <\n");
    CHECK(text_of("ends with </") == "ends with </\n");
    CHECK(text_of("<<b>>") == "<>\n");
    CHECK(text_of("<img alt=\"a\nb\tc\">") == "[a b c]\n");
    CHECK(text_of("<img alt=\"\">x") == "x\n");
}

TEST_CASE("html_text: converter can be reset and reused") {
    html_text_converter c;
    std::string out;
    c.feed("<p>first", out);
    c.finish(out);
    c.feed("ignored after finish", out);
    CHECK(out == "first\n");
    c.reset();
    out.clear();
    c.feed("<ul><li>second", out);
    c.finish(out);
    CHECK(out == "* second\n");
}

TEST_CASE("html_text: output is valid UTF-8 for valid input and never has C0 controls") {
    std::mt19937 rng(12345);
    const std::string alphabet = "<>&;#x/=\"' \n\tabpliu0123456789!-";
    const char* tokens[] = {"<p>", "</p>", "<li>", "<ol>", "</ol>", "<ul>", "<blockquote>", "</blockquote>",
                            "<pre>", "</pre>", "<a href=x>", "</a>", "&amp;", "&#", "<!--", "-->", "<script>",
                            "</script>", "<br>", "\xc3\xa9", "&nbsp;", "<td>", "<img alt=z>"};
    for (int round = 0; round < 300; ++round) {
        std::string html;
        std::uniform_int_distribution<int> len(0, 400);
        int n = len(rng);
        for (int i = 0; i < n; ++i) {
            if (rng() % 3 == 0) html += tokens[rng() % std::size(tokens)];
            else html += alphabet[rng() % alphabet.size()];
        }
        std::string t = html_to_text(html);
        INFO("input: " << html);
        CHECK(is_valid_utf8(t));
        bool controls = false;
        for (char c : t)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) controls = true;
        CHECK_FALSE(controls);
        // Feeding byte by byte gives the same text.
        html_text_converter c;
        std::string out;
        for (char ch : html) c.feed(std::string_view(&ch, 1), out);
        c.finish(out);
        CHECK(out == t);
    }
}

TEST_CASE("html_text: hostile input stays bounded in time and output") {
    // Deep nesting: indentation stops growing at max_nesting.
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "<ul><li>x";
    auto t0 = std::chrono::steady_clock::now();
    std::string t = html_to_text(deep);
    CHECK(t.size() < deep.size() * 8);
    CHECK(t.find(std::string(2 * 16 + 1, ' ')) == std::string::npos);
    std::string quotes;
    for (int i = 0; i < 100000; ++i) quotes += "<blockquote>q";
    t = html_to_text(quotes);
    std::string seventeen;
    for (int i = 0; i < 17; ++i) seventeen += "> ";
    CHECK(t.find(seventeen) == std::string::npos);
    CHECK(t.find(seventeen.substr(0, 32)) != std::string::npos);
    // A huge tag, a huge comment, a huge reference-like run, a huge attribute.
    std::string big = "<div " + std::string(5 << 20, 'a') + ">x</div>";
    CHECK(html_to_text(big) == "x\n");
    big = "<!--" + std::string(5 << 20, '-') + "->y";
    CHECK(html_to_text(big) == "y\n");
    big = "&" + std::string(1 << 20, 'a') + ";";
    CHECK(html_to_text(big).size() == big.size() + 1);
    big = "<a href=\"" + std::string(1 << 20, 'u') + "\">t</a>";
    t = html_to_text(big);
    CHECK(t.size() < 20000);
    CHECK(t.rfind("t <uuu", 0) == 0);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("hostile inputs converted in " << secs << " s");
    CHECK(secs < 30);
}

TEST_CASE("html_text: a typical newsletter") {
    const char* html = R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>News</title>
<style>body { font-family: sans-serif; }</style></head>
<body>
  <table width="100%"><tr><td>
    <h1>Weekly&nbsp;news</h1>
    <p>Hello <b>reader</b>,<br>
       here is what happened.</p>
    <ul>
      <li>Release 1.0 &ndash; <a href="https://example.org/r?id=1&amp;s=2">notes</a></li>
      <li>Caf&eacute; meetup</li>
    </ul>
    <blockquote>A quote.</blockquote>
    <p style="font-size:small">Unsubscribe: <a href="https://example.org/u">https://example.org/u</a></p>
  </td></tr></table>
</body></html>)";
    CHECK(text_of(html) ==
          "Weekly news\n"
          "\n"
          "Hello reader,\n"
          "here is what happened.\n"
          "\n"
          "* Release 1.0 \xe2\x80\x93 notes <https://example.org/r?id=1&s=2>\n"
          "* Caf\xc3\xa9 meetup\n"
          "\n"
          "> A quote.\n"
          "\n"
          "Unsubscribe: https://example.org/u\n");
}
