#include "pigeon/nntp/group_list.hpp"

#include <cstdint>
#include <limits>

#include "detail/line_text.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

using detail::fail_with;

namespace {

group_posting posting_of(std::string_view status) noexcept {
    if (status.size() > 1 && status.front() == '=') return group_posting::alias;
    if (status.size() != 1) return group_posting::unknown;
    switch (status.front()) {
    case 'y': case 'Y': return group_posting::allowed;
    case 'n': case 'N': return group_posting::not_allowed;
    case 'm': case 'M': return group_posting::moderated;
    case 'x': case 'X': return group_posting::no_local;
    case 'j': case 'J': return group_posting::junk;
    default: return group_posting::unknown;
    }
}

/// name, then the numbers into out[0..n), then what follows.
std::optional<std::string_view> name_and_numbers(std::string_view line, std::string& name, article_number* out,
                                                 int n, std::error_code& ec) {
    auto [w, rest] = detail::next_word(line);
    if (!detail::is_name(w)) return fail_with(ec, codec_errc::invalid_name);
    name.assign(w);
    for (int i = 0; i < n; ++i) {
        auto [num, after] = detail::next_word(rest);
        if (num.empty()) return fail_with(ec, codec_errc::malformed);
        auto v = parse_article_number(num, ec);
        if (!v) return std::nullopt;
        out[i] = *v;
        rest = after;
    }
    return rest;
}

void set_status(active_entry& e, std::string_view rest) {
    auto status = detail::next_word(rest).first;
    e.status.assign(status);
    e.posting = posting_of(status);
    if (e.posting == group_posting::alias) e.alias_of.assign(status.substr(1));
}

} // namespace

std::optional<active_entry> parse_active_line(std::string_view line, std::error_code& ec) {
    active_entry e;
    article_number nums[2] = {};
    auto rest = name_and_numbers(line, e.name, nums, 2, ec);
    if (!rest) return std::nullopt;
    e.high = nums[0];
    e.low = nums[1];
    set_status(e, *rest);
    ec.clear();
    return e;
}

std::optional<counts_entry> parse_counts_line(std::string_view line, std::error_code& ec) {
    counts_entry e;
    article_number nums[3] = {};
    auto rest = name_and_numbers(line, e.active.name, nums, 3, ec);
    if (!rest) return std::nullopt;
    e.active.high = nums[0];
    e.active.low = nums[1];
    e.count = nums[2];
    set_status(e.active, *rest);
    ec.clear();
    return e;
}

std::optional<active_times_entry> parse_active_times_line(std::string_view line, std::error_code& ec) {
    active_times_entry e;
    article_number t = 0;
    auto rest = name_and_numbers(line, e.name, &t, 1, ec);
    if (!rest) return std::nullopt;
    using rep = std::chrono::sys_seconds::rep;
    if (t > static_cast<article_number>(std::numeric_limits<rep>::max()))
        return fail_with(ec, codec_errc::number_too_large);
    e.created = std::chrono::sys_seconds{std::chrono::seconds{static_cast<rep>(t)}};
    e.creator.assign(detail::trim(*rest));
    ec.clear();
    return e;
}

std::optional<newsgroups_entry> parse_newsgroups_line(std::string_view line, std::error_code& ec) {
    auto [w, rest] = detail::next_word(line);
    if (!detail::is_name(w)) return fail_with(ec, codec_errc::invalid_name);
    ec.clear();
    return newsgroups_entry{std::string(w), std::string(detail::trim(rest))};
}

std::optional<distrib_pat> parse_distrib_pats_line(std::string_view line, std::error_code& ec) {
    line = detail::trim(line);
    auto c1 = line.find(':');
    auto c2 = line.rfind(':');
    if (c1 == std::string_view::npos || c2 == c1) return fail_with(ec, codec_errc::malformed);
    auto weight = parse_article_number(detail::trim(line.substr(0, c1)), ec);
    if (!weight) return std::nullopt;
    ec.clear();
    return distrib_pat{*weight, std::string(line.substr(c1 + 1, c2 - c1 - 1)), std::string(line.substr(c2 + 1))};
}

} // namespace pigeon::nntp
