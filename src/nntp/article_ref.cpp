#include "pigeon/nntp/article_ref.hpp"

#include "detail/line_text.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

std::optional<article_number> parse_article_number(std::string_view digits, std::error_code& ec) noexcept {
    if (digits.empty()) return detail::fail_with(ec, codec_errc::invalid_number);
    article_number n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return detail::fail_with(ec, codec_errc::invalid_number);
        auto d = static_cast<article_number>(c - '0');
        if (n > (UINT64_MAX - d) / 10) {
            // Keep scanning: "99999999999999999999x" is not a number at all.
            for (char rest : digits)
                if (rest < '0' || rest > '9') return detail::fail_with(ec, codec_errc::invalid_number);
            return detail::fail_with(ec, codec_errc::number_too_large);
        }
        n = n * 10 + d;
    }
    ec.clear();
    return n;
}

bool is_valid_message_id(std::string_view id) noexcept {
    if (id.size() < 3 || id.size() > max_message_id) return false;
    if (id.front() != '<' || id.back() != '>') return false;
    for (std::size_t i = 1; i + 1 < id.size(); ++i) {
        auto u = static_cast<unsigned char>(id[i]);
        if (u < 0x21 || u > 0x7e || u == '>') return false;
    }
    return true;
}

std::optional<article_number> parse_listgroup_line(std::string_view line, std::error_code& ec) noexcept {
    return parse_article_number(detail::trim(line), ec);
}

std::optional<std::string> parse_newnews_line(std::string_view line, std::error_code& ec) {
    auto id = detail::trim(line);
    if (!is_valid_message_id(id)) return detail::fail_with(ec, codec_errc::invalid_message_id);
    ec.clear();
    return std::string(id);
}

} // namespace pigeon::nntp
