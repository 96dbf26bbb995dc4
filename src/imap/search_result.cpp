#include "pigeon/imap/search_result.hpp"

#include <vector>

#include "pigeon/imap/error.hpp"
#include "pigeon/net/ascii.hpp"
#include "token_util.hpp"

namespace pigeon::imap {
namespace {

using net::ascii::iequals;

bool parse_plain(const response& r, search_result& out) {
    std::vector<std::uint32_t> numbers;
    numbers.reserve(r.data.size());
    for (std::size_t k = 0; k < r.data.size(); ++k) {
        const token& t = r.data[k];
        if (detail::is_list(t)) {
            // "(MODSEQ n)" ends a CONDSTORE search result.
            if (k + 1 != r.data.size() || t.items.size() != 2 || !t.items[0].is_atom("MODSEQ")) return false;
            auto v = detail::number63(t.items[1]);
            if (!v) return false;
            out.modseq = *v;
            continue;
        }
        auto n = detail::number32(t, true);
        if (!n) return false;
        numbers.push_back(*n);
    }
    out.all = sequence_set::from_numbers(std::move(numbers));
    return true;
}

bool parse_extended(const response& r, search_result& out, std::error_code& ec) {
    out.extended = true;
    const auto& d = r.data;
    std::size_t k = 0;
    // search-correlator = SP "(" "TAG" SP tag-string [SP "MAILBOX" ... ] ")"
    if (k < d.size() && detail::is_list(d[k])) {
        const auto& c = d[k].items;
        if (c.size() < 2 || c.size() % 2 != 0) return false;
        for (std::size_t i = 0; i < c.size(); i += 2) {
            if (c[i].kind != token_kind::atom || !c[i + 1].is_string()) return false;
            if (c[i].is_atom("TAG")) out.tag = c[i + 1].text;
        }
        ++k;
    }
    if (k < d.size() && d[k].is_atom("UID")) {
        out.uid = true;
        ++k;
    }
    // search-return-data pairs; unknown ones are tagged-ext values (any token).
    if ((d.size() - k) % 2 != 0) return false;
    for (; k < d.size(); k += 2) {
        const token& name = d[k];
        const token& value = d[k + 1];
        if (name.kind != token_kind::atom) return false;
        if (name.is_atom("MIN") || name.is_atom("MAX")) {
            auto v = detail::number32(value, true);
            if (!v) return false;
            (name.is_atom("MIN") ? out.min : out.max) = *v;
        } else if (name.is_atom("COUNT")) {
            auto v = detail::number32(value);
            if (!v) return false;
            out.count = *v;
        } else if (name.is_atom("ALL")) {
            if (value.kind != token_kind::atom && value.kind != token_kind::number) return false;
            auto s = sequence_set::parse(value.text, ec);
            if (!s) return false;
            out.all = std::move(*s);
        } else if (name.is_atom("MODSEQ")) {
            auto v = detail::number63(value);
            if (!v) return false;
            out.modseq = *v;
        }
    }
    return true;
}

} // namespace

std::optional<search_result> parse_search(const response& r, std::error_code& ec) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.is_status() || r.number) return std::nullopt;
    if (r.name != "SEARCH" && r.name != "ESEARCH") return std::nullopt;
    search_result out;
    bool ok = r.name == "SEARCH" ? parse_plain(r, out) : parse_extended(r, out, ec);
    if (!ok) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    ec.clear();
    return out;
}

} // namespace pigeon::imap
