#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pigeon/net/ascii.hpp"
#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/overview.hpp"

using namespace pigeon::nntp;
using namespace std::string_literals;
using kind = overview_field_kind;

namespace {

// LIST OVERVIEW.FMT as INN 2.7.1 in the lab answers it (RFC 2980 spellings).
const std::vector<std::string> inn_fmt = {"Subject:", "From:", "Date:", "Message-ID:", "References:",
                                          "Bytes:", "Lines:", "Xref:full"};
// The RFC 3977 spelling of the same.
const std::vector<std::string> rfc_fmt = {"Subject:", "From:", "Date:", "Message-ID:", "References:",
                                          ":bytes", ":lines", "Xref:full"};

// OVER 1- from INN 2.7.1 (the first article's subject had a TAB, sent as SP).
const std::string inn_line1 = "1\tfirst post with tab\tAlice <alice@lab.test>\tSun, 6 Dec 2026 03:56:51 -0000 (UTC)"
                              "\t<first.1@lab.test>\t\t478\t1\tXref: news.lab.test lab.test:1 lab.misc:1";
const std::string inn_line2 = "2\tRe: first post\tBob <bob@lab.test>\tSun, 6 Dec 2026 03:56:51 -0000 (UTC)"
                              "\t<second.2@lab.test>\t<first.1@lab.test>\t498\t2\tXref: news.lab.test lab.test:2";

std::vector<kind> kinds(const overview_format& f) {
    std::vector<kind> out;
    for (const auto& x : f.fields()) out.push_back(x.kind);
    return out;
}

} // namespace

TEST_CASE("LIST OVERVIEW.FMT: INN's RFC 2980 form and RFC 3977's form agree") {
    const std::vector<kind> expected = {kind::subject,    kind::from,  kind::date,  kind::message_id,
                                        kind::references, kind::bytes, kind::lines, kind::header};
    for (const auto* lines : {&inn_fmt, &rfc_fmt}) {
        auto f = overview_format::parse(*lines);
        CHECK(kinds(f) == expected);
        REQUIRE(f.fields().size() == 8u);
        CHECK(f.fields()[7].name == "Xref");
        CHECK(f.fields()[7].full);
        CHECK_FALSE(f.fields()[0].full);
        CHECK(f.fields()[3].name == "Message-ID");
    }
    auto s = overview_format::standard();
    CHECK(kinds(s) == std::vector<kind>(expected.begin(), expected.end() - 1));
    CHECK(s.fields()[5].name == ":bytes");
}

TEST_CASE("LIST OVERVIEW.FMT: legacy and odd spellings") {
    auto f = overview_format::parse({"subject", "FROM:", " Date: ", "message-id:", "REFERENCES", ":BYTES", "lines:",
                                     "xref:FULL", "Distribution:full", ":sha1", "X-Trace:", "", "   ",
                                     "Newsgroups: full"});
    CHECK(kinds(f) == std::vector<kind>{kind::subject, kind::from, kind::date, kind::message_id, kind::references,
                                        kind::bytes, kind::lines, kind::header, kind::header, kind::metadata,
                                        kind::header, kind::header});
    CHECK(f.fields()[2].name == "Date");
    CHECK(f.fields()[7].full);
    CHECK(f.fields()[8].name == "Distribution");
    CHECK(f.fields()[9].name == ":sha1");
    CHECK_FALSE(f.fields()[10].full);
    CHECK(f.fields()[11].full);  // "Newsgroups: full"

    // A standard field listed twice counts once.
    auto d = overview_format::parse({"Subject:", "Subject:", ":bytes", "Bytes:"});
    CHECK(kinds(d) == std::vector<kind>{kind::subject, kind::header, kind::bytes, kind::header});

    // Hostile: far too many lines are capped.
    std::vector<std::string> many(100000, "X-Field:full");
    CHECK(overview_format::parse(many).fields().size() == overview_format::max_fields);
}

TEST_CASE("OVER lines from INN 2.7.1") {
    std::error_code ec;
    for (const auto* lines : {&inn_fmt, &rfc_fmt}) {
        auto f = overview_format::parse(*lines);
        auto e = parse_overview_line(inn_line1, f, ec);
        REQUIRE(e);
        CHECK_FALSE(ec);
        CHECK(e->number == 1u);
        CHECK(e->subject == "first post with tab");
        CHECK(e->from == "Alice <alice@lab.test>");
        CHECK(e->date == "Sun, 6 Dec 2026 03:56:51 -0000 (UTC)");
        CHECK(e->message_id == "<first.1@lab.test>");
        CHECK(e->references.empty());
        CHECK(e->bytes == 478u);
        CHECK(e->lines == 1u);
        REQUIRE(e->extra.size() == 1u);
        CHECK(e->extra[0].first == "Xref");
        CHECK(e->extra[0].second == "news.lab.test lab.test:1 lab.misc:1");
        CHECK(e->extra_value("xref") == "news.lab.test lab.test:1 lab.misc:1");
        CHECK_FALSE(e->extra_value("Distribution"));

        e = parse_overview_line(inn_line2, f, ec);
        REQUIRE(e);
        CHECK(e->number == 2u);
        CHECK(e->subject == "Re: first post");
        CHECK(e->references == "<first.1@lab.test>");
        CHECK(e->bytes == 498u);
        CHECK(e->lines == 2u);
        CHECK(e->extra_value("Xref") == "news.lab.test lab.test:2");
    }
}

TEST_CASE("OVER: odd but legal lines") {
    std::error_code ec;
    auto f = overview_format::parse(inn_fmt);

    // Everything empty but the number.
    auto e = parse_overview_line("5\t\t\t\t\t\t\t\t", f, ec);
    REQUIRE(e);
    CHECK(e->number == 5u);
    CHECK(e->subject.empty());
    CHECK_FALSE(e->bytes);
    CHECK_FALSE(e->lines);
    REQUIRE(e->extra.size() == 1u);
    CHECK(e->extra[0].second.empty());

    // Trailing fields missing (old servers stop after Lines, or earlier).
    e = parse_overview_line("6\tSubj\tFrom", f, ec);
    REQUIRE(e);
    CHECK(e->subject == "Subj");
    CHECK(e->from == "From");
    CHECK(e->date.empty());
    CHECK_FALSE(e->bytes);
    CHECK(e->extra.empty());
    e = parse_overview_line("7", f, ec);
    REQUIRE(e);
    CHECK(e->number == 7u);

    // Non-numeric, negative or huge bytes/lines are unknown, not an error.
    e = parse_overview_line("8\ts\tf\td\t<m@x>\t\tabc\t-3\t", f, ec);
    REQUIRE(e);
    CHECK_FALSE(e->bytes);
    CHECK_FALSE(e->lines);
    e = parse_overview_line("8\ts\tf\td\t<m@x>\t\t99999999999999999999\t 12 \t", f, ec);
    REQUIRE(e);
    CHECK_FALSE(e->bytes);
    CHECK(e->lines == 12u);
    e = parse_overview_line("8\ts\tf\td\t<m@x>\t\tBytes: 478\tLines: 3\t", f, ec);  // prefixed anyway
    REQUIRE(e);
    CHECK(e->bytes == 478u);
    CHECK(e->lines == 3u);

    // More fields than the format: kept, unnamed.
    e = parse_overview_line(inn_line2 + "\tX-Extra: z\tmore", f, ec);
    REQUIRE(e);
    REQUIRE(e->extra.size() == 3u);
    CHECK(e->extra[1].first.empty());
    CHECK(e->extra[1].second == "X-Extra: z");
    CHECK(e->extra[2].second == "more");

    // An extra field without its "Name: " prefix (legacy "Xref:" without full) stays as is.
    e = parse_overview_line("9\ts\tf\td\tm\tr\t1\t1\tnews.example lab.test:9", f, ec);
    REQUIRE(e);
    CHECK(e->extra_value("Xref") == "news.example lab.test:9");

    // A subject that begins with "Subject:" is not stripped (no "full").
    e = parse_overview_line("10\tSubject: was this\tf", f, ec);
    REQUIRE(e);
    CHECK(e->subject == "Subject: was this");

    // OVER by message-id answers article number 0.
    e = parse_overview_line("0\ts\tf\td\t<m@x>\t\t1\t1\t", f, ec);
    REQUIRE(e);
    CHECK(e->number == 0u);
    CHECK_FALSE(ec);
}

TEST_CASE("OVER: fields in a non-standard order follow the format") {
    std::error_code ec;
    auto f = overview_format::parse({"Message-ID:", ":lines", "Subject:", "Xref:full", "From:", ":bytes",
                                     "Date:", "References:", ":x-score"});
    auto e = parse_overview_line("3\t<id@x>\t12\tHello\tXref: h g:3\tme@x\t1234\tToday\t<p@x>\t77", f, ec);
    REQUIRE(e);
    CHECK(e->message_id == "<id@x>");
    CHECK(e->lines == 12u);
    CHECK(e->subject == "Hello");
    CHECK(e->from == "me@x");
    CHECK(e->bytes == 1234u);
    CHECK(e->date == "Today");
    CHECK(e->references == "<p@x>");
    REQUIRE(e->extra.size() == 2u);
    CHECK(e->extra_value("Xref") == "h g:3");
    CHECK(e->extra_value(":x-score") == "77");

    // Without any format every field is an unnamed extra; the number still parses.
    e = parse_overview_line("4\ta\tb", overview_format{}, ec);
    REQUIRE(e);
    CHECK(e->number == 4u);
    CHECK(e->extra.size() == 2u);
}

TEST_CASE("OVER: lines that fail (for themselves only)") {
    std::error_code ec;
    auto f = overview_format::parse(inn_fmt);
    CHECK_FALSE(parse_overview_line("", f, ec));
    CHECK(ec == codec_errc::malformed);
    CHECK_FALSE(parse_overview_line("\tsubject", f, ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_overview_line("-1\tsubject", f, ec));
    CHECK(ec == codec_errc::invalid_number);
    CHECK_FALSE(parse_overview_line("x\tsubject", f, ec));
    CHECK_FALSE(parse_overview_line("18446744073709551616\ts", f, ec));
    CHECK(ec == codec_errc::number_too_large);
    CHECK_FALSE(parse_overview_line("1\0\ts"s, f, ec));
    CHECK(ec == codec_errc::invalid_number);
    // The next good line parses again.
    CHECK(parse_overview_line(inn_line1, f, ec));
    CHECK_FALSE(ec);
}

TEST_CASE("OVER: hostile sizes") {
    std::error_code ec;
    auto f = overview_format::parse(inn_fmt);
    std::string huge = "11\t" + std::string(1 << 20, 's') + "\tf\td\t<m@x>\t\t1\t1\tXref: x";
    auto e = parse_overview_line(huge, f, ec);
    REQUIRE(e);
    CHECK(e->subject.size() == (1u << 20));
    CHECK(e->lines == 1u);

    std::string tabs = "12" + std::string(1 << 20, '\t');  // a million empty fields
    e = parse_overview_line(tabs, f, ec);
    REQUIRE(e);
    CHECK(e->extra.size() == overview_format::max_fields);  // Xref and 255 unnamed, the rest dropped

    std::string with_nul = "13\tsub\0ject\tf"s;
    e = parse_overview_line(with_nul, f, ec);
    REQUIRE(e);
    CHECK(e->subject == "sub\0ject"s);  // kept as data; the channel refuses NUL earlier

    CHECK_FALSE(parse_overview_line(std::string(1 << 20, '9'), f, ec));
    CHECK(ec == codec_errc::number_too_large);
}
