#include "pigeon/nntp/hdr.hpp"

#include "detail/line_text.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

using detail::fail_with;

std::optional<hdr_entry> parse_hdr_line(std::string_view line, std::error_code& ec) {
    // Leading blanks are not expected; split at the first blank ourselves so
    // the value keeps its inner blanks as sent.
    std::size_t i = 0;
    while (i < line.size() && !detail::is_blank(line[i])) ++i;
    auto first = line.substr(0, i);
    if (first.empty()) return fail_with(ec, codec_errc::malformed);
    auto value = line.substr(i);
    while (!value.empty() && detail::is_blank(value.front())) value.remove_prefix(1);
    hdr_entry e;
    if (first.front() == '<') {
        if (!is_valid_message_id(first)) return fail_with(ec, codec_errc::invalid_message_id);
        e.message_id.assign(first);
    } else {
        auto n = parse_article_number(first, ec);
        if (!n) return std::nullopt;
        e.number = *n;
    }
    e.value.assign(value);
    ec.clear();
    return e;
}

std::optional<header_field> parse_list_headers_line(std::string_view line, std::error_code& ec) {
    auto name = detail::trim(line);
    if (!detail::is_name(name)) return fail_with(ec, codec_errc::invalid_name);
    ec.clear();
    return header_field{std::string(name)};
}

} // namespace pigeon::nntp
