#include "pigeon/pop3/maildrop.hpp"

#include <limits>

namespace pigeon::pop3 {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

// Reads a decimal number at the front of s (no sign, at least one digit,
// no overflow), then skips spaces.
template <class T>
std::optional<T> take_number(std::string_view& s) {
    std::size_t i = 0;
    T v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        const T d = static_cast<T>(s[i] - '0');
        if (v > (std::numeric_limits<T>::max() - d) / 10) return std::nullopt;
        v = static_cast<T>(v * 10 + d);
        ++i;
    }
    if (i == 0) return std::nullopt;
    if (i < s.size() && !is_space(s[i])) return std::nullopt;
    while (i < s.size() && is_space(s[i])) ++i;
    s.remove_prefix(i);
    return v;
}

} // namespace

std::optional<maildrop_stat> parse_stat(std::string_view text) {
    auto count = take_number<std::uint32_t>(text);
    if (!count) return std::nullopt;
    auto size = take_number<std::uint64_t>(text);
    if (!size) return std::nullopt;
    return maildrop_stat{*count, *size};
}

std::optional<message_size> parse_list_line(std::string_view line) {
    auto n = take_number<std::uint32_t>(line);
    if (!n || *n == 0) return std::nullopt;
    auto size = take_number<std::uint64_t>(line);
    if (!size) return std::nullopt;
    return message_size{*n, *size};
}

std::optional<message_uid> parse_uidl_line(std::string_view line) {
    auto n = take_number<std::uint32_t>(line);
    if (!n || *n == 0) return std::nullopt;
    std::size_t end = 0;
    while (end < line.size() && !is_space(line[end])) ++end;
    std::string_view uid = line.substr(0, end);
    if (uid.empty() || uid.size() > 70) return std::nullopt;
    for (char c : uid)
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return std::nullopt;
    // "msg SP unique-id" and nothing more: a second token means the uid held
    // a space. Trailing blanks are tolerated.
    for (char c : line.substr(end))
        if (!is_space(c)) return std::nullopt;
    return message_uid{*n, std::string(uid)};
}

std::string apop_timestamp(std::string_view greeting) {
    const auto open = greeting.find('<');
    if (open == std::string_view::npos) return {};
    const auto close = greeting.find('>', open);
    if (close == std::string_view::npos) return {};
    std::string_view ts = greeting.substr(open, close - open + 1);
    // msg-id: "<" something "@" something ">", printable, no spaces.
    if (ts.find('@') == std::string_view::npos || ts.size() > 256) return {};
    for (char c : ts)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return {};
    return std::string(ts);
}

} // namespace pigeon::pop3
