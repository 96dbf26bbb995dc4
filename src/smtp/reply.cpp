#include "pigeon/smtp/reply.hpp"

#include <cstddef>

#include "detail/text.hpp"
#include "pigeon/net/ascii.hpp"

namespace pigeon::smtp {
namespace detail {

std::size_t enhanced_status_prefix(std::string_view s, int klass, unsigned* subject,
                                   unsigned* detail) noexcept {
    if (s.size() < 5 || s[0] != static_cast<char>('0' + klass) || s[1] != '.') return 0;
    std::size_t i = 2;
    unsigned values[2] = {0, 0};
    for (int part = 0; part < 2; ++part) {
        const std::size_t start = i;
        while (i < s.size() && net::ascii::is_digit(s[i]) && i - start < 4) {
            values[part] = values[part] * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
        }
        if (i == start || i - start > 3) return 0;
        if (part == 0) {
            if (i >= s.size() || s[i] != '.') return 0;
            ++i;
        }
    }
    if (i < s.size()) {
        if (s[i] != ' ') return 0;
        ++i;
    }
    if (subject) *subject = values[0];
    if (detail) *detail = values[1];
    return i;
}

} // namespace detail

std::string enhanced_status::to_string() const {
    return std::to_string(klass) + '.' + std::to_string(subject) + '.' + std::to_string(detail);
}

std::string reply::text() const {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        std::string_view l = lines[i];
        if (status) l.remove_prefix(detail::enhanced_status_prefix(l, code / 100));
        out.append(l);
    }
    return out;
}

std::string reply::to_string() const {
    std::string out;
    const std::string c = std::to_string(code);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        out += c;
        out += i + 1 < lines.size() ? '-' : ' ';
        out += lines[i];
    }
    if (lines.empty()) out = c;
    return out;
}

} // namespace pigeon::smtp
