// Every reading parser fed random bytes and mutated real lines: it answers a
// value with ec clear or nothing with ec set, and never crashes (run under
// -DPIGEON_SANITIZE=ON for ASan/UBSan).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "pigeon/nntp/article_reply.hpp"
#include "pigeon/nntp/date_reply.hpp"
#include "pigeon/nntp/group_list.hpp"
#include "pigeon/nntp/group_reply.hpp"
#include "pigeon/nntp/hdr.hpp"
#include "pigeon/nntp/overview.hpp"
#include "pigeon/nntp/range.hpp"
#include "pigeon/nntp/wildmat.hpp"

using namespace pigeon::nntp;

namespace {

int answered = 0;
int refused = 0;

template <class T> void check_contract(const std::optional<T>& v, const std::error_code& ec) {
    if (v) {
        CHECK_FALSE(ec);
        ++answered;
    } else {
        CHECK(ec);
        ++refused;
    }
}

void feed_all(const std::string& line, const overview_format& fmt) {
    std::error_code ec;
    check_contract(parse_overview_line(line, fmt, ec), ec);
    check_contract(parse_active_line(line, ec), ec);
    check_contract(parse_counts_line(line, ec), ec);
    check_contract(parse_active_times_line(line, ec), ec);
    check_contract(parse_newsgroups_line(line, ec), ec);
    check_contract(parse_distrib_pats_line(line, ec), ec);
    check_contract(parse_hdr_line(line, ec), ec);
    check_contract(parse_list_headers_line(line, ec), ec);
    check_contract(parse_listgroup_line(line, ec), ec);
    check_contract(parse_newnews_line(line, ec), ec);
    check_contract(parse_range(line, ec), ec);
    for (int code : {111, 211, 220, 221, 222, 223}) {
        reply r;
        r.code = code;
        r.text = line;
        check_contract(parse_group_reply(r, ec), ec);
        check_contract(parse_article_reply(r, ec), ec);
        check_contract(parse_date_reply(r, ec), ec);
    }
    (void)is_valid_wildmat(line);
    (void)wildmat_match(line, line);
    (void)wildmat_match("*a*?[b-z]*,!*\\*", line);
}

} // namespace

TEST_CASE("reading parsers: random and mutated lines") {
    std::mt19937_64 rng(20261206);  // fixed seed: reproducible
    const std::vector<std::string> seeds = {
        "1\tfirst post with tab\tAlice <alice@lab.test>\tSun, 6 Dec 2026 03:56:51 -0000 (UTC)\t<first.1@lab.test>"
        "\t\t478\t1\tXref: news.lab.test lab.test:1 lab.misc:1",
        "lab.test 0000000002 0000000001 y",
        "lab.test 2 1 2 y",
        "lab.test 1796529402 lab@lab.test",
        "lab.test\tpigeon lab: tests.",
        "10:local.*:local",
        "<first.1@lab.test> first post with tab",
        "2 1 2 lab.test",
        "1 <first.1@lab.test> status",
        "20261206035652",
        "5-9",
        "lab.[a-m]*,!lab.test",
    };
    const std::string alphabet = std::string("0123456789 \t<>@.:-=!*?[]^\\,xyz\r\n\x7f\xc3\xbc\xff") + '\0';
    auto fmt = overview_format::parse({"Subject:", "From:", "Date:", "Message-ID:", "References:", "Bytes:",
                                       "Lines:", "Xref:full"});
    for (int i = 0; i < 4000; ++i) {
        std::string line;
        if (i % 2 == 0) {
            line = seeds[rng() % seeds.size()];
            int edits = 1 + static_cast<int>(rng() % 6);
            for (int k = 0; k < edits && !line.empty(); ++k) {
                auto pos = rng() % line.size();
                switch (rng() % 3) {
                case 0: line[pos] = alphabet[rng() % alphabet.size()]; break;
                case 1: line.erase(pos, 1 + rng() % 4); break;
                default: line.insert(pos, 1 + rng() % 3, alphabet[rng() % alphabet.size()]); break;
                }
            }
        } else {
            auto n = rng() % 64;
            for (std::size_t k = 0; k < n; ++k) line += alphabet[rng() % alphabet.size()];
        }
        feed_all(line, fmt);
    }
    // Both outcomes occurred: the generator reaches past the first check.
    CHECK(answered > 1000);
    CHECK(refused > 1000);
}

TEST_CASE("reading parsers: 1 MB lines of one kind of byte") {
    auto fmt = overview_format::standard();
    for (char c : {'9', '\t', ' ', '<', ':', '\0', '\xff', '-'}) {
        INFO(static_cast<int>(static_cast<unsigned char>(c)));
        feed_all(std::string(1 << 20, c), fmt);
    }
}
