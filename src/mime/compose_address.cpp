#include "pigeon/mime/compose_address.hpp"

#include "pigeon/text/address_syntax.hpp"

#include "pigeon/mime/compose_error.hpp"
#include "pigeon/mime/encode_header.hpp"
#include "pigeon/mime/encode_word.hpp"

namespace pigeon::mime {
namespace {

using text::is_atext;

bool valid_local(std::string_view l, bool utf8) noexcept
{
    if (l.empty() || l.size() > 64) return false;
    if (l.front() == '"') {
        if (l.size() < 2 || l.back() != '"') return false;
        for (std::size_t i = 1; i + 1 < l.size(); ++i) {
            const auto c = static_cast<unsigned char>(l[i]);
            if (c == '\\') {
                if (i + 1 >= l.size() - 1) return false; // would escape the closing quote
                const auto n = static_cast<unsigned char>(l[++i]);
                if (n < 0x20 && n != '\t') return false;
                if (n >= 0x80 && !utf8) return false;
                continue;
            }
            if (c == '"') return false;
            if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
            if (c >= 0x80 && !utf8) return false;
        }
        return true;
    }
    bool prev_dot = true;
    for (char ch : l) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '.') {
            if (prev_dot) return false;
            prev_dot = true;
            continue;
        }
        if (!is_atext(c, utf8)) return false;
        prev_dot = false;
    }
    return !prev_dot;
}

bool valid_domain(std::string_view d, bool utf8) noexcept { return text::valid_domain(d, {utf8, false}); }

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

std::error_code check_addr_spec(std::string_view addr, bool allow_utf8) noexcept
{
    if (auto ec = check_header_text(addr)) return ec;
    if (addr.size() > 254) return compose_errc::invalid_address;
    const auto at = addr.rfind('@');
    if (at == std::string_view::npos) return compose_errc::invalid_address;
    if (!valid_local(addr.substr(0, at), true) || !valid_domain(addr.substr(at + 1), true))
        return compose_errc::invalid_address;
    if (!allow_utf8 && has_non_ascii(addr)) return compose_errc::needs_smtputf8;
    return {};
}

std::error_code check_compose_address(const compose_address& a, bool allow_utf8) noexcept
{
    if (auto ec = check_header_text(a.display_name)) return ec;
    return check_addr_spec(a.address, allow_utf8);
}

std::error_code parse_compose_address(std::string_view in, compose_address& out, bool allow_utf8)
{
    if (auto ec = check_header_text(in)) return ec;
    std::string_view s = trim(in);
    compose_address a;
    if (!s.empty() && s.back() == '>') {
        // The '<' that opens the angle address: the last one outside quotes.
        std::size_t open = std::string_view::npos;
        bool quoted = false;
        for (std::size_t i = 0; i + 1 < s.size(); ++i) {
            if (s[i] == '\\' && quoted) {
                ++i;
                continue;
            }
            if (s[i] == '"') quoted = !quoted;
            else if (s[i] == '<' && !quoted) open = i;
        }
        if (open == std::string_view::npos) return compose_errc::invalid_address;
        a.address = std::string(trim(s.substr(open + 1, s.size() - open - 2)));
        std::string_view name = trim(s.substr(0, open));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            for (std::size_t i = 1; i + 1 < name.size(); ++i) {
                if (name[i] == '\\' && i + 2 < name.size()) ++i;
                a.display_name += name[i];
            }
        } else {
            a.display_name = std::string(name);
        }
    } else {
        a.address = std::string(s);
    }
    if (auto ec = check_compose_address(a, allow_utf8)) return ec;
    out = std::move(a);
    return {};
}

std::error_code parse_compose_address_list(std::string_view in, std::vector<compose_address>& out, bool allow_utf8)
{
    std::vector<compose_address> got;
    bool quoted = false;
    int angle = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= in.size(); ++i) {
        if (i < in.size()) {
            const char c = in[i];
            if (c == '\\' && quoted) {
                ++i;
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '<') ++angle;
            else if (!quoted && c == '>' && angle > 0) --angle;
            if (c != ',' || quoted || angle > 0) continue;
        }
        std::string_view item = trim(in.substr(start, (i < in.size() ? i : in.size()) - start));
        start = i + 1;
        if (item.empty()) continue;
        compose_address a;
        if (auto ec = parse_compose_address(item, a, allow_utf8)) return ec;
        got.push_back(std::move(a));
    }
    out.insert(out.end(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
    return {};
}

std::string format_compose_address(const compose_address& a, std::size_t first_column)
{
    if (a.display_name.empty()) return a.address;
    std::string out = encode_phrase(a.display_name, first_column);
    out += " <";
    out += a.address;
    out += '>';
    return out;
}

std::string envelope_key(std::string_view addr)
{
    std::string k(addr);
    const auto at = k.rfind('@');
    if (at == std::string::npos) return k;
    for (std::size_t i = at + 1; i < k.size(); ++i)
        if (k[i] >= 'A' && k[i] <= 'Z') k[i] = static_cast<char>(k[i] - 'A' + 'a');
    return k;
}

} // namespace pigeon::mime
