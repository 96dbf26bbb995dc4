#include "pigeon/imap/message_data.hpp"

#include "pigeon/imap/error.hpp"
#include "pigeon/net/ascii.hpp"
#include "token_util.hpp"

namespace pigeon::imap {
namespace {

using net::ascii::iequals;
using net::ascii::istarts_with;

// Splits "BODY[1.2]<0>" into the section "1.2" and the origin 0. The item
// name prefix (up to and including "[") is already checked by the caller.
bool split_item(std::string_view item, std::size_t open, std::string& section, std::optional<std::uint64_t>& origin) {
    auto close = item.rfind(']');
    if (close == std::string_view::npos || close < open) return false;
    section.assign(item.substr(open + 1, close - open - 1));
    std::string_view rest = item.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.size() < 3 || rest.front() != '<' || rest.back() != '>' || rest.size() > 22) return false;
    std::uint64_t v = 0;
    for (char c : rest.substr(1, rest.size() - 2)) {
        if (c < '0' || c > '9') return false;
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (0x7fffffffffffffffULL - d) / 10) return false;
        v = v * 10 + d;
    }
    origin = v;
    return true;
}

// Tok: const token& (the bytes copied) or token (moved out).
template <class Tok>
bool fill_section(Tok&& value, section_data& s) {
    if (detail::is_nil(value)) {
        s.nil = true;
        return true;
    }
    if (value.kind == token_kind::literal) {
        s.streamed = value.streamed;
        s.size = value.streamed ? value.size : value.text.size();
        if (!value.streamed) s.bytes = detail::forward_like<Tok>(value.text);
        return true;
    }
    if (value.kind == token_kind::quoted) {
        s.size = value.text.size();
        s.bytes = detail::forward_like<Tok>(value.text);
        return true;
    }
    return false;
}

// "(" token ")" with one string/atom inside.
std::optional<std::string> single_in_list(const token& t) {
    if (!detail::is_list(t) || t.items.size() != 1 || !t.items[0].is_string()) return std::nullopt;
    return t.items[0].text;
}

} // namespace

std::optional<section_spec> parse_section(std::string_view text) {
    section_spec s;
    std::size_t i = 0;
    // part = nz-number *("." nz-number), followed by "." and a keyword or the end
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        std::size_t j = i;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
        auto n = parse_part_number(text.substr(i, j - i));
        if (!n) return std::nullopt;
        s.part.push_back(n->front());
        if (j == text.size()) return s;
        if (text[j] != '.') return std::nullopt;
        i = j + 1;
    }
    std::string_view rest = text.substr(i);
    if (rest.empty()) {
        if (i != 0) return std::nullopt;  // "1." ends in a dot
        return s;
    }
    auto upper_word = net::ascii::upper(rest.substr(0, rest.find(' ')));
    if (upper_word == "HEADER" || upper_word == "TEXT") {
        if (rest.size() != upper_word.size()) return std::nullopt;
    } else if (upper_word == "MIME") {
        if (s.part.empty() || rest.size() != upper_word.size()) return std::nullopt;
    } else if (upper_word == "HEADER.FIELDS" || upper_word == "HEADER.FIELDS.NOT") {
        std::string_view list = rest.substr(upper_word.size());
        if (list.size() < 4 || list.substr(0, 2) != " (" || list.back() != ')') return std::nullopt;
    } else {
        return std::nullopt;
    }
    s.text = upper_word;
    s.text.append(rest.substr(upper_word.size()));
    return s;
}

const section_data* message_data::find_section(std::string_view sec, bool binary) const noexcept {
    for (const auto& s : sections)
        if (s.binary == binary && iequals(s.section, sec)) return &s;
    return nullptr;
}

namespace {

// One body for both parse_fetch overloads: R is const response& (strings
// copied) or response (given up: strings and bytes moved out).
template <class R>
std::optional<message_data> fetch_of(R&& r, std::error_code& ec, body_limits limits) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.name != "FETCH" || r.is_status()) return std::nullopt;
    auto bad = [&ec]() -> std::optional<message_data> {
        if (!ec) ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    };
    if (!r.number || *r.number == 0 || r.data.size() != 1 || !detail::is_list(r.data[0])) return bad();
    auto& items = r.data[0].items;
    if (items.size() % 2 != 0) return bad();
    message_data m;
    m.seq = *r.number;
    for (std::size_t k = 0; k < items.size(); k += 2) {
        const token& name = items[k];
        auto& value = items[k + 1];
        if (name.kind != token_kind::atom) return bad();
        const std::string& n = name.text;
        if (iequals(n, "UID")) {
            auto v = detail::number32(value, true);
            if (!v) return bad();
            m.uid = *v;
        } else if (iequals(n, "FLAGS")) {
            if (!detail::is_list(value)) return bad();
            std::vector<std::string> flags;
            flags.reserve(value.items.size());
            for (auto& f : value.items) {
                if (f.kind != token_kind::atom) return bad();
                flags.push_back(detail::forward_like<R>(f.text));
            }
            m.flags = std::move(flags);
        } else if (iequals(n, "RFC822.SIZE")) {
            auto v = detail::number63(value);
            if (!v) return bad();
            m.rfc822_size = *v;
        } else if (iequals(n, "INTERNALDATE")) {
            if (!detail::is_string_token(value)) return bad();
            auto d = parse_date_time(value.text);
            if (!d) return bad();
            m.internal_date = *d;
        } else if (iequals(n, "ENVELOPE")) {
            auto e = parse_envelope(detail::forward_like<R>(value), ec);
            if (!e) return bad();
            m.envelope = std::move(*e);
        } else if (iequals(n, "BODYSTRUCTURE") || iequals(n, "BODY")) {
            auto b = parse_body_structure(value, ec, limits);
            if (!b) return bad();
            m.body_structure = std::move(*b);
        } else if (iequals(n, "MODSEQ")) {
            if (!detail::is_list(value) || value.items.size() != 1) return bad();
            auto v = detail::number63(value.items[0]);
            if (!v) return bad();
            m.modseq = *v;
        } else if (iequals(n, "EMAILID")) {
            auto id = single_in_list(value);
            if (!id) return bad();
            m.email_id = std::move(*id);
        } else if (iequals(n, "THREADID")) {
            if (!detail::is_nil(value)) {
                auto id = single_in_list(value);
                if (!id) return bad();
                m.thread_id = std::move(*id);
            }
        } else if (istarts_with(n, "BINARY.SIZE[")) {
            binary_size b;
            std::optional<std::uint64_t> origin;
            auto v = detail::number63(value);
            if (!v || !split_item(n, n.find('['), b.section, origin) || origin) return bad();
            b.size = *v;
            m.binary_sizes.push_back(std::move(b));
        } else if (istarts_with(n, "BODY[") || istarts_with(n, "BINARY[")) {
            section_data s;
            s.item = n;
            s.binary = istarts_with(n, "BINARY[");
            if (!split_item(n, n.find('['), s.section, s.origin) ||
                !fill_section(detail::forward_like<R>(value), s)) return bad();
            m.sections.push_back(std::move(s));
        } else if (iequals(n, "RFC822") || iequals(n, "RFC822.HEADER") || iequals(n, "RFC822.TEXT")) {
            section_data s;
            s.item = n;
            if (n.size() > 6) s.section = net::ascii::upper(n.substr(7));
            if (!fill_section(detail::forward_like<R>(value), s)) return bad();
            m.sections.push_back(std::move(s));
        }
        // Anything else (X-GM-LABELS, PREVIEW, SAVEDATE, ...): skipped.
    }
    return m;
}

} // namespace

std::optional<message_data> parse_fetch(const response& r, std::error_code& ec, body_limits limits) {
    return fetch_of(r, ec, limits);
}
std::optional<message_data> parse_fetch(response&& r, std::error_code& ec, body_limits limits) {
    return fetch_of(std::move(r), ec, limits);
}

} // namespace pigeon::imap
