#include <pigeon/mime/parameters.hpp>

#include <algorithm>
#include <pigeon/mime/charset.hpp>
#include <pigeon/mime/rfc2047.hpp>
#include <pigeon/mime/header.hpp>
#include <pigeon/text/percent.hpp>

#include "detail/ascii.hpp"
#include "detail/lexer.hpp"

namespace pigeon::mime {

namespace {

struct raw_param {
    std::string base;      // lower-case name without '*' markers
    long section = -1;     // -1: not sectioned
    bool extended = false; // name ended with '*': percent-encoded
    bool quoted = false;
    std::string value;
};

std::string percent_decode(std::string_view v) {
    std::string out;
    text::percent_decode(v, out, {.refuse_line_breaks = false, .keep_bad_escapes = true});
    return out;
}

// Splits name into base / section / extended. False if the section marker
// is malformed or over the limit.
bool split_name(std::string_view name, raw_param& p, std::size_t max_section) {
    if (!name.empty() && name.back() == '*') {
        p.extended = true;
        name.remove_suffix(1);
    }
    std::size_t star = name.find('*');
    if (star != std::string_view::npos) {
        std::string_view num = name.substr(star + 1);
        if (num.empty() || num.size() > 9) return false;
        long v = 0;
        for (char c : num) {
            if (!detail::is_digit(c)) return false;
            v = v * 10 + (c - '0');
        }
        if (num.size() > 1 && num[0] == '0') return false; // "*01" is not a section
        if (static_cast<unsigned long>(v) > max_section) return false;
        p.section = v;
        name = name.substr(0, star);
    }
    if (name.empty()) return false;
    p.base = detail::lower(name);
    return true;
}

std::string plain_value(const raw_param& p, const parameter_options& opts) {
    if (opts.decode_encoded_words && p.value.find("=?") != std::string::npos)
        return decode_unstructured(p.value);
    return p.value;
}

} // namespace

std::optional<std::string_view> parameter_list::get(std::string_view name) const noexcept {
    for (const auto& p : items_)
        if (iequals(p.name, name)) return std::string_view(p.value);
    return std::nullopt;
}

void parameter_list::set(std::string_view name, std::string_view value) {
    for (auto& p : items_)
        if (iequals(p.name, name)) {
            p.value.assign(value);
            return;
        }
    items_.push_back({detail::lower(name), std::string(value)});
}

parameter_list parse_parameters(std::string_view s, const parameter_options& opts) {
    parameter_list out;
    std::vector<raw_param> raw;
    std::size_t i = 0;
    const std::size_t n = s.size();
    std::size_t count = 0;
    while (i < n) {
        i = detail::skip_cfws(s, i);
        if (i >= n) break;
        if (s[i] == ';') {
            ++i;
            continue;
        }
        if (++count > opts.max_parameters) {
            out.had_defects = true;
            break;
        }
        // attribute
        std::size_t a = i;
        while (i < n && s[i] != '=' && s[i] != ';' && !detail::is_wsp(s[i]) && s[i] != '(' && s[i] != '"') ++i;
        std::string_view name = s.substr(a, i - a);
        i = detail::skip_cfws(s, i);
        if (i >= n || s[i] != '=' || name.empty()) {
            out.had_defects = true;
            while (i < n && s[i] != ';') {
                if (s[i] == '"') {
                    std::string junk;
                    i = detail::read_quoted(s, i, junk);
                } else {
                    ++i;
                }
            }
            continue;
        }
        ++i; // '='
        i = detail::skip_cfws(s, i);
        raw_param p;
        if (i < n && s[i] == '"') {
            bool closed = false;
            i = detail::read_quoted(s, i, p.value, &closed);
            p.quoted = true;
            if (!closed) out.had_defects = true;
            // junk between the closing quote and ';' is ignored
            std::size_t j = detail::skip_cfws(s, i);
            if (j < n && s[j] != ';') out.had_defects = true;
            while (j < n && s[j] != ';') ++j;
            i = j;
        } else {
            std::size_t v = i;
            while (i < n && s[i] != ';') ++i;
            std::string_view val = s.substr(v, i - v);
            // strip trailing blanks/folds and a trailing comment
            while (!val.empty() && detail::is_wsp(val.back())) val.remove_suffix(1);
            if (!val.empty() && val.back() == ')') {
                std::size_t open = val.find('(');
                if (open != std::string_view::npos) {
                    val = val.substr(0, open);
                    while (!val.empty() && detail::is_wsp(val.back())) val.remove_suffix(1);
                }
            }
            p.value = unfold(val);
        }
        if (!split_name(name, p, opts.max_section)) {
            out.had_defects = true;
            continue;
        }
        raw.push_back(std::move(p));
    }

    // Combine by base name, in order of first appearance.
    std::vector<bool> used(raw.size(), false);
    for (std::size_t k = 0; k < raw.size(); ++k) {
        if (used[k]) continue;
        const std::string& base = raw[k].base;
        const raw_param* plain = nullptr;
        const raw_param* ext = nullptr;
        std::vector<const raw_param*> sections;
        for (std::size_t j = k; j < raw.size(); ++j) {
            if (used[j] || raw[j].base != base) continue;
            used[j] = true;
            const raw_param& r = raw[j];
            if (r.section >= 0) sections.push_back(&r);
            else if (r.extended) { if (!ext) ext = &r; }
            else if (!plain) plain = &r;
        }
        std::string value;
        if (!sections.empty() || ext) {
            std::string charset, bytes;
            if (!sections.empty()) {
                std::stable_sort(sections.begin(), sections.end(),
                                 [](const raw_param* x, const raw_param* y) { return x->section < y->section; });
                long prev = -1;
                for (const raw_param* r : sections) {
                    if (r->section == prev) { out.had_defects = true; continue; } // duplicate
                    if (r->section != prev + 1) out.had_defects = true;        // gap
                    std::string_view v = r->value;
                    if (r->extended) {
                        if (prev == -1 && r->section == 0) {
                            std::size_t q1 = v.find('\'');
                            std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                            if (q2 != std::string_view::npos) {
                                charset.assign(v.substr(0, q1));
                                v = v.substr(q2 + 1);
                            }
                        }
                        bytes += percent_decode(v);
                    } else {
                        bytes.append(v);
                    }
                    prev = r->section;
                }
            } else {
                std::string_view v = ext->value;
                std::size_t q1 = v.find('\'');
                std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                if (q2 != std::string_view::npos) {
                    charset.assign(v.substr(0, q1));
                    v = v.substr(q2 + 1);
                } else {
                    out.had_defects = true;
                }
                bytes = percent_decode(v);
            }
            value = to_utf8(charset, bytes);
        } else {
            value = plain_value(*plain, opts);
        }
        out.items_.push_back({base, std::move(value)});
    }
    return out;
}

} // namespace pigeon::mime
