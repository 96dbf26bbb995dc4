#include "pigeon/imap/body_structure.hpp"

#include "pigeon/imap/error.hpp"
#include "pigeon/net/ascii.hpp"
#include "token_util.hpp"

namespace pigeon::imap {
namespace {

using detail::is_list;
using detail::is_nil;

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

class body_reader {
public:
    body_reader(body_limits limits, std::error_code& ec) : limits_(limits), ec_(ec) {}

    bool read(const token& t, body_structure& out, std::size_t depth) {
        if (!is_list(t) || t.items.empty()) return bad();
        if (depth >= limits_.max_depth) return fail(errc::too_deep);
        if (++parts_ > limits_.max_parts) return fail(errc::too_many_tokens);
        if (is_list(t.items.front())) return read_multipart(t.items, out, depth);
        return read_single(t.items, out, depth);
    }

private:
    bool bad() { return fail(errc::malformed_reply); }
    bool fail(errc e) {
        if (!ec_) ec_ = make_error_code(e);
        return false;
    }

    // A string field; NIL as empty.
    bool str(const token& t, std::string& out) {
        auto s = detail::nstring(t);
        if (!s) return bad();
        out = std::move(*s);
        return true;
    }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    bool params(const token& t, body_params& out) {
        if (is_nil(t)) return true;
        if (is_list(t)) {
            // QUIRK(various): "()" and an odd count; the lone last is dropped.
            for (std::size_t k = 0; k + 1 < t.items.size(); k += 2) {
                body_param p;
                if (!t.items[k].is_string() || !str(t.items[k], p.name) || !str(t.items[k + 1], p.value))
                    return bad();
                out.push_back(std::move(p));
            }
            return true;
        }
        return bad();
    }

    // body-fld-dsp = "(" string SP body-fld-param ")" / nil
    bool disposition(const token& t, std::optional<body_disposition>& out) {
        if (is_nil(t)) return true;
        body_disposition d;
        if (is_list(t)) {
            if (t.items.empty() || !str(t.items[0], d.type)) return bad();
            if (t.items.size() > 1 && !params(t.items[1], d.params)) return false;
        } else if (t.is_string()) {
            d.type = t.text;  // QUIRK(various): a bare string, no parameters
        } else {
            return bad();
        }
        d.type = lower(std::move(d.type));
        out = std::move(d);
        return true;
    }

    // body-fld-lang = nstring / "(" string *(SP string) ")"
    bool language(const token& t, std::vector<std::string>& out) {
        if (is_nil(t)) return true;
        if (is_list(t)) {
            for (const auto& i : t.items) {
                std::string s;
                if (!str(i, s)) return false;
                if (!s.empty()) out.push_back(std::move(s));
            }
            return true;
        }
        std::string s;
        if (!str(t, s)) return false;
        if (!s.empty()) out.push_back(std::move(s));
        return true;
    }

    // body-fld-octets / body-fld-lines: number. QUIRK(various): NIL.
    bool count(const token& t, std::uint64_t& out) {
        if (is_nil(t)) return true;
        auto v = detail::number63(t);
        if (!v) return bad();
        out = *v;
        return true;
    }

    // disposition, language, location after md5 (single) or params (multi).
    bool common_extension(const std::vector<token>& it, std::size_t k, body_structure& out) {
        if (k < it.size() && !disposition(it[k], out.disposition)) return false;
        if (k + 1 < it.size() && !language(it[k + 1], out.language)) return false;
        if (k + 2 < it.size() && !str(it[k + 2], out.location)) return false;
        return true;  // body-extension after these: ignored
    }

    bool read_multipart(const std::vector<token>& it, body_structure& out, std::size_t depth) {
        out.type = "multipart";
        std::size_t k = 0;
        while (k < it.size() && is_list(it[k])) {
            out.parts.emplace_back();
            if (!read(it[k], out.parts.back(), depth + 1)) return false;
            ++k;
        }
        // QUIRK(various): a multipart without its subtype.
        if (k < it.size()) {
            if (!str(it[k], out.subtype)) return false;
            ++k;
        }
        out.subtype = lower(std::move(out.subtype));
        if (k < it.size() && !params(it[k], out.params)) return false;
        return common_extension(it, k + 1, out);
    }

    bool read_single(const std::vector<token>& it, body_structure& out, std::size_t depth) {
        if (it.size() < 7) return bad();
        if (!str(it[0], out.type) || !str(it[1], out.subtype)) return false;
        out.type = lower(std::move(out.type));
        out.subtype = lower(std::move(out.subtype));
        if (!params(it[2], out.params) || !str(it[3], out.id) || !str(it[4], out.description) ||
            !str(it[5], out.encoding) || !count(it[6], out.size))
            return false;
        out.encoding = lower(std::move(out.encoding));
        std::size_t k = 7;
        const bool message = out.type == "message" && (out.subtype == "rfc822" || out.subtype == "global");
        if (message && it.size() >= 10 && is_list(it[7]) && is_list(it[8])) {
            auto env = parse_envelope(it[7], ec_);
            if (!env) return false;
            out.message_envelope = std::move(*env);
            out.parts.emplace_back();
            if (!read(it[8], out.parts.back(), depth + 1)) return false;
            std::uint64_t lines = 0;
            if (!count(it[9], lines)) return false;
            if (!is_nil(it[9])) out.lines = lines;
            k = 10;
        } else if (message && it.size() > 7 && is_list(it[7])) {
            return bad();  // an envelope without the body after it
        } else if (out.type == "text" && it.size() > 7 && (it[7].kind == token_kind::number || is_nil(it[7]))) {
            // QUIRK(various): NIL lines, or none at all (then k stays 7).
            std::uint64_t lines = 0;
            if (!count(it[7], lines)) return false;
            if (!is_nil(it[7])) out.lines = lines;
            k = 8;
        }
        // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc ...]]]
        if (k < it.size() && !str(it[k], out.md5)) return false;
        return common_extension(it, k + 1, out);
    }

    body_limits limits_;
    std::error_code& ec_;
    std::size_t parts_ = 0;
};

enum class role { root, child, message_body };

void number_parts(body_structure& b, role r, const std::string& given) {
    if (r == role::child) b.section = given;
    else if (b.is_multipart()) b.section = given;  // "" at the root, the message's number inside one
    else b.section = given.empty() ? "1" : given + ".1";
    if (b.is_message()) {
        number_parts(b.parts.front(), role::message_body, b.section);
        return;
    }
    std::size_t i = 0;
    for (auto& child : b.parts) {
        ++i;
        number_parts(child, role::child, b.section.empty() ? std::to_string(i) : b.section + "." + std::to_string(i));
    }
}

} // namespace

const std::string* find_param(const body_params& params, std::string_view name) noexcept {
    for (const auto& p : params)
        if (net::ascii::iequals(p.name, name)) return &p.value;
    return nullptr;
}

bool body_structure::is(std::string_view t, std::string_view sub) const noexcept {
    return net::ascii::iequals(type, t) && net::ascii::iequals(subtype, sub);
}

const std::string* body_structure::filename() const noexcept {
    if (disposition)
        if (const auto* f = find_param(disposition->params, "filename")) return f;
    return param("name");
}

const body_structure* body_structure::find(std::string_view part) const noexcept {
    // Iterative walk: the tree is bounded, but the caller's stack is not ours.
    std::vector<const body_structure*> todo{this};
    while (!todo.empty()) {
        const body_structure* b = todo.back();
        todo.pop_back();
        // A message's multipart body shares the message's number: the
        // message part itself is the answer.
        if (b->section == part) return b;
        for (auto it = b->parts.rbegin(); it != b->parts.rend(); ++it) todo.push_back(&*it);
    }
    return nullptr;
}

std::optional<body_structure> parse_body_structure(const token& t, std::error_code& ec, body_limits limits) {
    ec.clear();
    body_structure b;
    body_reader reader(limits, ec);
    if (!reader.read(t, b, 0)) {
        if (!ec) ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    number_parts(b, role::root, "");
    return b;
}

std::optional<std::vector<std::uint32_t>> parse_part_number(std::string_view text) {
    std::vector<std::uint32_t> out;
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    for (;;) {
        std::size_t j = text.find('.', i);
        std::string_view n = text.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
        if (n.empty() || n.size() > 10 || n[0] == '0') return std::nullopt;
        std::uint64_t v = 0;
        for (char c : n) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > 0xffffffffULL) return std::nullopt;
        out.push_back(static_cast<std::uint32_t>(v));
        if (j == std::string_view::npos) break;
        i = j + 1;
    }
    return out;
}

std::string format_part_number(const std::vector<std::uint32_t>& part) {
    std::string out;
    for (auto n : part) {
        if (!out.empty()) out += '.';
        out += std::to_string(n);
    }
    return out;
}

} // namespace pigeon::imap
