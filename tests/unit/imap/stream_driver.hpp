#pragma once
// Test helpers for the typed layer: a driver that streams chosen literals
// to sinks the way a client would (the response_parser.hpp protocol), and
// a one-response parse for typed-data tests.
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include <doctest/doctest.h>

#include "parse_helpers.hpp"
#include "pigeon/imap/response_parser.hpp"
#include "support/split_feed.hpp"

namespace pigeon::imap::test {

struct stream_outcome {
    std::vector<response> responses;
    std::vector<literal_info> literals;  // every need_literal, in order
    std::vector<std::string> sinks;      // one per streamed literal
    std::error_code error;
    bool leftover = false;
};

using stream_choice = std::function<bool(const literal_info&)>;

/// Streams the literals choose() picks; feeds the others to the parser.
inline stream_outcome drive(const pigeon::test::pieces& ps, const stream_choice& choose, parser_limits limits = {}) {
    response_parser p(limits);
    stream_outcome out;
    std::uint64_t to_sink = 0;
    for (auto piece : ps) {
        while (!piece.empty()) {
            if (to_sink > 0) {
                auto n = static_cast<std::size_t>(std::min<std::uint64_t>(to_sink, piece.size()));
                out.sinks.back().append(piece.substr(0, n));
                piece.remove_prefix(n);
                to_sink -= n;
                continue;
            }
            auto r = p.feed(piece);
            piece.remove_prefix(r.consumed);
            if (r.state == response_parser::status::ready) {
                out.responses.push_back(p.take());
            } else if (r.state == response_parser::status::need_literal) {
                out.literals.push_back(p.literal());
                CHECK(r.literal_size == p.literal().size);
                if (choose(p.literal())) {
                    CHECK_FALSE(p.literal_streamed());
                    CHECK(p.literal_remaining() == 0);
                    out.sinks.emplace_back();
                    to_sink = r.literal_size;
                }
            } else if (r.state == response_parser::status::error) {
                out.error = r.error;
                return out;
            } else {
                if (!piece.empty()) out.leftover = true;
                break;
            }
        }
    }
    return out;
}

inline bool stream_content(const literal_info& li) { return li.message_content; }

/// Renders a token tree, streamed literals as "<streamed n>".
inline std::string dump_streamed(const token& t) {
    if (t.kind == token_kind::literal && t.streamed) return "<streamed " + std::to_string(t.size) + ">";
    if (t.kind != token_kind::list) return dump(t);
    std::string s = "(";
    for (std::size_t i = 0; i < t.items.size(); ++i) {
        if (i) s += ' ';
        s += dump_streamed(t.items[i]);
    }
    return s + ")";
}

inline std::string render(const stream_outcome& o) {
    std::string s;
    for (const auto& r : o.responses) {
        response head = r;
        head.data.clear();
        s += dump(head);
        for (const auto& t : r.data) s += " " + dump_streamed(t);
        s += "\n";
    }
    for (const auto& k : o.sinks) s += "sink[" + k + "]\n";
    for (const auto& li : o.literals)
        s += "lit " + std::to_string(li.size) + " " + li.response_name + " #" +
             (li.number ? std::to_string(*li.number) : "-") + " d" + std::to_string(li.depth) + " item=" +
             li.fetch_item + " uid=" + (li.uid ? std::to_string(*li.uid) : "-") + (li.message_content ? " content" : "") +
             (li.binary ? " binary" : "") + (li.must_stream ? " must" : "") + "\n";
    if (o.error) s += "error: " + o.error.message() + "\n";
    return s;
}

/// The single response in input (parsed whole and in every split, which
/// must agree); fails the test if there is not exactly one.
inline response parse_one(std::string_view input, parser_limits limits = {}) {
    auto whole = parse_pieces({input}, limits);
    std::string expected = dump_all(whole);
    pigeon::test::for_each_split(input, [&](const pigeon::test::pieces& ps) {
        auto o = parse_pieces(ps, limits);
        CHECK(dump_all(o) == expected);
    });
    REQUIRE_MESSAGE(whole.responses.size() == 1, dump_all(whole));
    return whole.responses.front();
}

} // namespace pigeon::imap::test
