#pragma once
// Test helpers: feed a response_parser with given pieces, collecting the
// responses, and render responses as compact strings for comparison.
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/response_parser.hpp"
#include "support/split_feed.hpp"

namespace pigeon::imap::test {

struct outcome {
    std::vector<response> responses;
    std::vector<std::size_t> literals;  // need_literal sizes, in order
    std::error_code error;
    bool leftover = false;              // input left unconsumed after need_more (a bug)
};

inline outcome parse_pieces(const pigeon::test::pieces& ps, parser_limits limits = {}) {
    response_parser p(limits);
    outcome out;
    for (auto piece : ps) {
        while (!piece.empty()) {
            auto r = p.feed(piece);
            piece.remove_prefix(r.consumed);
            if (r.state == response_parser::status::ready) {
                out.responses.push_back(p.take());
            } else if (r.state == response_parser::status::need_literal) {
                out.literals.push_back(r.literal_size);
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

inline std::string dump(const token& t) {
    switch (t.kind) {
    case token_kind::atom: return t.text;
    case token_kind::number: return "#" + t.text;
    case token_kind::quoted: return "\"" + t.text + "\"";
    case token_kind::literal: return "{" + t.text + "}";
    case token_kind::nil: return "NIL";
    case token_kind::list: {
        std::string s = "(";
        for (std::size_t i = 0; i < t.items.size(); ++i) {
            if (i) s += ' ';
            s += dump(t.items[i]);
        }
        return s + ")";
    }
    }
    return "?";
}

inline std::string dump(const response& r) {
    std::string s;
    switch (r.kind) {
    case response_kind::continuation: return "+|" + r.text;
    case response_kind::tagged: s = "T:" + r.tag; break;
    case response_kind::untagged: s = "*"; break;
    }
    if (r.number) s += " " + std::to_string(*r.number);
    s += " " + r.name;
    if (r.is_status()) {
        if (r.code) s += " [" + r.code->name + (r.code->text.empty() ? "" : "|" + r.code->text) + "]";
        s += " |" + r.text;
    }
    for (const auto& t : r.data) s += " " + dump(t);
    return s;
}

inline std::string dump_all(const outcome& o) {
    std::string s;
    for (const auto& r : o.responses) s += dump(r) + "\n";
    if (o.error) s += "error: " + o.error.message() + "\n";
    return s;
}

} // namespace pigeon::imap::test
