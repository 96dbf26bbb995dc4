#include <pigeon/mime/header.hpp>

#include "detail/ascii.hpp"

namespace pigeon::mime {

std::string unfold(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    std::size_t i = 0;
    const std::size_t n = raw.size();
    while (i < n) {
        char c = raw[i];
        if (c == '\r' && i + 2 < n && raw[i + 1] == '\n' && detail::is_blank(raw[i + 2])) {
            i += 2;
            continue;
        }
        if (c == '\n' && i + 1 < n && detail::is_blank(raw[i + 1])) {
            i += 1;
            continue;
        }
        out.push_back(c);
        ++i;
    }
    return out;
}

std::string unfold_trim(std::string_view raw) {
    std::string s = unfold(raw);
    std::size_t b = 0, e = s.size();
    while (b < e && detail::is_wsp(s[b])) ++b;
    while (e > b && detail::is_wsp(s[e - 1])) --e;
    return s.substr(b, e - b);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (detail::to_lower(a[i]) != detail::to_lower(b[i])) return false;
    return true;
}

header_field header_list::operator[](std::size_t i) const noexcept {
    const slot& s = fields_[i];
    std::string_view a(arena_);
    return {a.substr(s.name_off, s.name_len), a.substr(s.value_off, s.value_len)};
}

std::optional<std::string_view> header_list::find(std::string_view name) const noexcept {
    std::string_view a(arena_);
    for (const slot& s : fields_)
        if (s.name_len == name.size() && iequals(a.substr(s.name_off, s.name_len), name))
            return a.substr(s.value_off, s.value_len);
    return std::nullopt;
}

std::vector<std::string_view> header_list::find_all(std::string_view name) const {
    std::vector<std::string_view> out;
    std::string_view a(arena_);
    for (const slot& s : fields_)
        if (s.name_len == name.size() && iequals(a.substr(s.name_off, s.name_len), name))
            out.push_back(a.substr(s.value_off, s.value_len));
    return out;
}

std::string header_list::get(std::string_view name) const {
    auto v = find(name);
    return v ? unfold_trim(*v) : std::string();
}

void header_list::add(std::string_view name, std::string_view raw_value) {
    slot s{};
    s.name_off = static_cast<std::uint32_t>(arena_.size());
    s.name_len = static_cast<std::uint32_t>(name.size());
    arena_.append(name);
    s.value_off = static_cast<std::uint32_t>(arena_.size());
    s.value_len = static_cast<std::uint32_t>(raw_value.size());
    arena_.append(raw_value);
    fields_.push_back(s);
}

void header_list::set(std::string_view name, std::string_view raw_value) {
    std::string n(name), v(raw_value); // name/value may point into arena_
    std::size_t first = fields_.size();
    std::string_view a(arena_);
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        const slot& s = fields_[i];
        if (iequals(a.substr(s.name_off, s.name_len), n)) { first = i; break; }
    }
    if (first == fields_.size()) {
        add(n, v);
        return;
    }
    slot& s = fields_[first];
    s.value_off = static_cast<std::uint32_t>(arena_.size());
    s.value_len = static_cast<std::uint32_t>(v.size());
    arena_.append(v);
    std::string_view a2(arena_);
    std::size_t w = first + 1;
    for (std::size_t i = first + 1; i < fields_.size(); ++i) {
        const slot& t = fields_[i];
        if (!iequals(a2.substr(t.name_off, t.name_len), n)) fields_[w++] = t;
    }
    fields_.resize(w);
}

std::size_t header_list::remove(std::string_view name) {
    std::string n(name);
    std::string_view a(arena_);
    std::size_t w = 0, removed = 0;
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        const slot& t = fields_[i];
        if (iequals(a.substr(t.name_off, t.name_len), n)) ++removed;
        else fields_[w++] = t;
    }
    fields_.resize(w);
    return removed;
}

} // namespace pigeon::mime
