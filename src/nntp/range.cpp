#include "pigeon/nntp/range.hpp"

#include "detail/line_text.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

std::string range::to_string() const {
    switch (form) {
    case shape::single: return std::to_string(first);
    case shape::from: return std::to_string(first) + '-';
    case shape::between: return std::to_string(first) + '-' + std::to_string(last);
    }
    return std::to_string(first);
}

bool range::contains(article_number n) const noexcept {
    switch (form) {
    case shape::single: return n == first;
    case shape::from: return n >= first;
    case shape::between: return n >= first && n <= last;
    }
    return false;
}

std::optional<range> parse_range(std::string_view s, std::error_code& ec) noexcept {
    auto dash = s.find('-');
    auto first = parse_article_number(s.substr(0, dash), ec);
    if (!first) return std::nullopt;
    if (dash == std::string_view::npos) return range::single(*first);
    auto rest = s.substr(dash + 1);
    if (rest.empty()) return range::from(*first);
    if (rest.find('-') != std::string_view::npos) return detail::fail_with(ec, codec_errc::malformed);
    auto last = parse_article_number(rest, ec);
    if (!last) return std::nullopt;
    return range::between(*first, *last);
}

} // namespace pigeon::nntp
