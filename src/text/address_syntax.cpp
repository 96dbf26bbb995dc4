#include "pigeon/text/address_syntax.hpp"

namespace pigeon::text {

bool is_atext(unsigned char c, bool utf8) noexcept {
    if (c >= 0x80) return utf8;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default:
        return false;
    }
}

bool valid_domain(std::string_view d, const domain_rules& rules) noexcept {
    if (d.empty() || d.size() > max_domain_length) return false;
    if (d.front() == '[') {
        // address-literal: "[" 1*dcontent "]", dcontent = %d33-90 / %d94-126
        if (d.size() < 3 || d.back() != ']') return false;
        for (std::size_t i = 1; i + 1 < d.size(); ++i) {
            const auto c = static_cast<unsigned char>(d[i]);
            if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
        }
        return true;
    }
    std::size_t label = 0;
    unsigned char prev = '.';
    for (char ch : d) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '.') {
            if (label == 0 || prev == '-') return false;
            label = 0;
            prev = c;
            continue;
        }
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        (c == '-' && label > 0) || (c == '_' && rules.underscore) || (c >= 0x80 && rules.utf8);
        if (!ok || ++label > max_label_length) return false;
        prev = c;
    }
    return label > 0 && prev != '-';
}

} // namespace pigeon::text
