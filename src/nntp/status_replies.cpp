// GROUP/LISTGROUP 211, ARTICLE/HEAD/BODY/STAT/NEXT/LAST 22x, DATE 111.
#include <tuple>

#include "detail/line_text.hpp"
#include "pigeon/nntp/article_reply.hpp"
#include "pigeon/nntp/codec_error.hpp"
#include "pigeon/nntp/date_reply.hpp"
#include "pigeon/nntp/group_reply.hpp"

namespace pigeon::nntp {

using detail::fail_with;

std::optional<group_info> parse_group_reply(const reply& r, std::error_code& ec) {
    if (r.code != 211) return fail_with(ec, codec_errc::unexpected_code);
    std::string_view rest = r.text;
    std::string_view words[4];
    for (auto& w : words) {
        std::tie(w, rest) = detail::next_word(rest);
        if (w.empty()) return fail_with(ec, codec_errc::malformed);
    }
    group_info g;
    article_number* fields[3] = {&g.count, &g.low, &g.high};
    for (int i = 0; i < 3; ++i) {
        auto n = parse_article_number(words[i], ec);
        if (!n) return std::nullopt;
        *fields[i] = *n;
    }
    if (!detail::is_name(words[3])) return fail_with(ec, codec_errc::invalid_name);
    g.name.assign(words[3]);
    ec.clear();
    return g;
}

std::optional<article_status> parse_article_reply(const reply& r, std::error_code& ec) {
    if (r.code < 220 || r.code > 223) return fail_with(ec, codec_errc::unexpected_code);
    auto [num, rest] = detail::next_word(r.text);
    auto [id, text] = detail::next_word(rest);
    if (num.empty() || id.empty()) return fail_with(ec, codec_errc::malformed);
    auto n = parse_article_number(num, ec);
    if (!n) return std::nullopt;
    if (!is_valid_message_id(id)) return fail_with(ec, codec_errc::invalid_message_id);
    ec.clear();
    article_status st;
    st.code = r.code;
    st.number = *n;
    st.message_id.assign(id);
    return st;
}

std::optional<std::chrono::sys_seconds> parse_date_reply(const reply& r, std::error_code& ec) {
    using namespace std::chrono;
    if (r.code != 111) return fail_with(ec, codec_errc::unexpected_code);
    auto [stamp, rest] = detail::next_word(r.text);
    (void)rest;  // RFC 3977 allows no more, but text after a space harms nothing
    if (stamp.size() != 14) return fail_with(ec, codec_errc::invalid_date);
    int v[6] = {};
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) {
        for (int k = 0; k < widths[i]; ++k, ++pos) {
            char c = stamp[pos];
            if (c < '0' || c > '9') return fail_with(ec, codec_errc::invalid_date);
            v[i] = v[i] * 10 + (c - '0');
        }
    }
    year_month_day ymd{year{v[0]}, month{static_cast<unsigned>(v[1])}, day{static_cast<unsigned>(v[2])}};
    if (!ymd.ok() || v[3] > 23 || v[4] > 59 || v[5] > 60) return fail_with(ec, codec_errc::invalid_date);
    ec.clear();
    return sys_days{ymd} + hours{v[3]} + minutes{v[4]} + seconds{v[5]};
}

} // namespace pigeon::nntp
