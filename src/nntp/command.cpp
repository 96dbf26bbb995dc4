#include "pigeon/nntp/command.hpp"

#include "pigeon/nntp/error.hpp"
#include "pigeon/nntp/wildmat.hpp"

namespace pigeon::nntp {
namespace {

using core::has_line_break_or_nul;
using core::is_token;

std::optional<command_line> refuse(std::error_code& ec) {
    ec = make_error_code(errc::invalid_argument);
    return std::nullopt;
}

std::optional<command_line> done(std::string line, net::secret_span secret, std::error_code& ec) {
    if (line.size() + 2 > max_command_line) return refuse(ec);
    ec.clear();
    return command_line{std::move(line), secret};
}

} // namespace

std::optional<command_line> encode_command(std::initializer_list<std::string_view> words, std::error_code& ec) {
    if (words.size() == 0) return refuse(ec);
    std::string line;
    for (auto w : words) {
        if (!is_token(w)) return refuse(ec);
        if (!line.empty()) line += ' ';
        line.append(w);
    }
    return done(std::move(line), {0, 0}, ec);
}

std::optional<command_line> encode_authinfo_user(std::string_view user, std::error_code& ec) {
    if (!is_token(user)) return refuse(ec);
    return done("AUTHINFO USER " + std::string(user), {0, 0}, ec);
}

std::optional<command_line> encode_authinfo_pass(std::string_view password, std::error_code& ec) {
    if (password.empty() || has_line_break_or_nul(password)) return refuse(ec);
    return done("AUTHINFO PASS " + std::string(password), {14, std::string_view::npos}, ec);
}

std::optional<command_line> encode_authinfo_sasl(std::string_view mechanism,
                                                 const std::optional<std::string>& initial_b64, std::error_code& ec) {
    return core::encode_sasl_start("AUTHINFO SASL", mechanism, initial_b64, max_command_line, ec);
}

std::optional<command_line> encode_sasl_response(std::string_view b64, std::error_code& ec) {
    if (has_line_break_or_nul(b64) || b64.find(' ') != std::string_view::npos) return refuse(ec);
    ec.clear();
    // RFC 4643 section 2.4.1: an empty response is sent as "=".
    return command_line{b64.empty() ? std::string("=") : std::string(b64), {0, std::string_view::npos}};
}

// ---- Reading commands

namespace {

/// A header name (RFC 5322 ftext: printable, no ":") or a metadata item
/// (":" and such a name).
bool is_field(std::string_view s) noexcept {
    if (!s.empty() && s.front() == ':') s.remove_prefix(1);
    return is_token(s) && s.find(':') == std::string_view::npos;
}

std::optional<command_line> with_ref(std::string_view verb, const article_ref& ref, std::error_code& ec) {
    if (ref.is_message_id()) {
        if (!is_valid_message_id(ref.message_id())) return refuse(ec);
        return done(std::string(verb) + ' ' + ref.message_id(), {0, 0}, ec);
    }
    return done(std::string(verb) + ' ' + std::to_string(ref.number()), {0, 0}, ec);
}

std::optional<command_line> with_field(std::string_view verb, std::string_view field, std::string_view arg,
                                       std::error_code& ec) {
    if (!is_field(field)) return refuse(ec);
    std::string line(verb);
    line += ' ';
    line.append(field);
    if (!arg.empty()) {
        line += ' ';
        line.append(arg);
    }
    return done(std::move(line), {0, 0}, ec);
}

std::optional<command_line> list_with_wildmat(std::string_view keyword, std::string_view wildmat,
                                              std::error_code& ec) {
    if (wildmat.empty()) return encode_command({"LIST", keyword}, ec);
    if (!is_valid_wildmat(wildmat)) return refuse(ec);
    return done("LIST " + std::string(keyword) + ' ' + std::string(wildmat), {0, 0}, ec);
}

/// "yyyymmdd hhmmss GMT" (RFC 3977 7.3), or nothing outside years 0..9999.
std::optional<std::string> date_time_gmt(std::chrono::sys_seconds t) {
    using namespace std::chrono;
    // Bounds first: year_month_day wraps around for days far out of range.
    constexpr sys_days earliest = year{0} / January / 1;
    constexpr sys_days too_late = year{10000} / January / 1;
    if (t < earliest || t >= too_late) return std::nullopt;
    auto days = floor<std::chrono::days>(t);
    year_month_day ymd{days};
    int y = static_cast<int>(ymd.year());
    hh_mm_ss hms{t - days};
    char buf[32];
    auto put = [](char* p, long v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
    };
    put(buf, y, 4);
    put(buf + 4, static_cast<long>(static_cast<unsigned>(ymd.month())), 2);
    put(buf + 6, static_cast<long>(static_cast<unsigned>(ymd.day())), 2);
    buf[8] = ' ';
    put(buf + 9, hms.hours().count(), 2);
    put(buf + 11, hms.minutes().count(), 2);
    put(buf + 13, hms.seconds().count(), 2);
    return std::string(buf, 15) + " GMT";
}

} // namespace

std::optional<command_line> encode_mode_reader(std::error_code& ec) { return encode_command({"MODE", "READER"}, ec); }

std::optional<command_line> encode_group(std::string_view group, std::error_code& ec) {
    return encode_command({"GROUP", group}, ec);
}

std::optional<command_line> encode_listgroup(std::error_code& ec) { return encode_command({"LISTGROUP"}, ec); }

std::optional<command_line> encode_listgroup(std::string_view group, std::error_code& ec) {
    return encode_command({"LISTGROUP", group}, ec);
}

std::optional<command_line> encode_listgroup(std::string_view group, const range& r, std::error_code& ec) {
    return encode_command({"LISTGROUP", group, r.to_string()}, ec);
}

std::optional<command_line> encode_article(std::error_code& ec) { return encode_command({"ARTICLE"}, ec); }
std::optional<command_line> encode_article(const article_ref& ref, std::error_code& ec) {
    return with_ref("ARTICLE", ref, ec);
}
std::optional<command_line> encode_head(std::error_code& ec) { return encode_command({"HEAD"}, ec); }
std::optional<command_line> encode_head(const article_ref& ref, std::error_code& ec) {
    return with_ref("HEAD", ref, ec);
}
std::optional<command_line> encode_body(std::error_code& ec) { return encode_command({"BODY"}, ec); }
std::optional<command_line> encode_body(const article_ref& ref, std::error_code& ec) {
    return with_ref("BODY", ref, ec);
}
std::optional<command_line> encode_stat(std::error_code& ec) { return encode_command({"STAT"}, ec); }
std::optional<command_line> encode_stat(const article_ref& ref, std::error_code& ec) {
    return with_ref("STAT", ref, ec);
}
std::optional<command_line> encode_next(std::error_code& ec) { return encode_command({"NEXT"}, ec); }
std::optional<command_line> encode_last(std::error_code& ec) { return encode_command({"LAST"}, ec); }

std::optional<command_line> encode_over(std::error_code& ec) { return encode_command({"OVER"}, ec); }
std::optional<command_line> encode_over(const range& r, std::error_code& ec) {
    return done("OVER " + r.to_string(), {0, 0}, ec);
}
std::optional<command_line> encode_over(std::string_view message_id, std::error_code& ec) {
    if (!is_valid_message_id(message_id)) return refuse(ec);
    return done("OVER " + std::string(message_id), {0, 0}, ec);
}
std::optional<command_line> encode_xover(std::error_code& ec) { return encode_command({"XOVER"}, ec); }
std::optional<command_line> encode_xover(const range& r, std::error_code& ec) {
    return done("XOVER " + r.to_string(), {0, 0}, ec);
}

std::optional<command_line> encode_hdr(std::string_view field, std::error_code& ec) {
    return with_field("HDR", field, {}, ec);
}
std::optional<command_line> encode_hdr(std::string_view field, const range& r, std::error_code& ec) {
    return with_field("HDR", field, r.to_string(), ec);
}
std::optional<command_line> encode_hdr(std::string_view field, std::string_view message_id, std::error_code& ec) {
    if (!is_valid_message_id(message_id)) return refuse(ec);
    return with_field("HDR", field, message_id, ec);
}
std::optional<command_line> encode_xhdr(std::string_view field, std::error_code& ec) {
    return with_field("XHDR", field, {}, ec);
}
std::optional<command_line> encode_xhdr(std::string_view field, const range& r, std::error_code& ec) {
    return with_field("XHDR", field, r.to_string(), ec);
}
std::optional<command_line> encode_xhdr(std::string_view field, std::string_view message_id, std::error_code& ec) {
    if (!is_valid_message_id(message_id)) return refuse(ec);
    return with_field("XHDR", field, message_id, ec);
}

std::optional<command_line> encode_list_active(std::string_view wildmat, std::error_code& ec) {
    return list_with_wildmat("ACTIVE", wildmat, ec);
}
std::optional<command_line> encode_list_newsgroups(std::string_view wildmat, std::error_code& ec) {
    return list_with_wildmat("NEWSGROUPS", wildmat, ec);
}
std::optional<command_line> encode_list_active_times(std::string_view wildmat, std::error_code& ec) {
    return list_with_wildmat("ACTIVE.TIMES", wildmat, ec);
}
std::optional<command_line> encode_list_counts(std::string_view wildmat, std::error_code& ec) {
    return list_with_wildmat("COUNTS", wildmat, ec);
}
std::optional<command_line> encode_list_overview_fmt(std::error_code& ec) {
    return encode_command({"LIST", "OVERVIEW.FMT"}, ec);
}
std::optional<command_line> encode_list_distrib_pats(std::error_code& ec) {
    return encode_command({"LIST", "DISTRIB.PATS"}, ec);
}
std::optional<command_line> encode_list_headers(list_headers_form form, std::error_code& ec) {
    switch (form) {
    case list_headers_form::any: return encode_command({"LIST", "HEADERS"}, ec);
    case list_headers_form::msgid: return encode_command({"LIST", "HEADERS", "MSGID"}, ec);
    case list_headers_form::range: return encode_command({"LIST", "HEADERS", "RANGE"}, ec);
    }
    return refuse(ec);
}

std::optional<command_line> encode_newgroups(std::chrono::sys_seconds since, std::error_code& ec) {
    auto when = date_time_gmt(since);
    if (!when) return refuse(ec);
    return done("NEWGROUPS " + *when, {0, 0}, ec);
}

std::optional<command_line> encode_newnews(std::string_view wildmat, std::chrono::sys_seconds since,
                                           std::error_code& ec) {
    auto when = date_time_gmt(since);
    if (!when || !is_valid_wildmat(wildmat)) return refuse(ec);
    return done("NEWNEWS " + std::string(wildmat) + ' ' + *when, {0, 0}, ec);
}

std::optional<command_line> encode_date(std::error_code& ec) { return encode_command({"DATE"}, ec); }
std::optional<command_line> encode_post(std::error_code& ec) { return encode_command({"POST"}, ec); }
std::optional<command_line> encode_compress_deflate(std::error_code& ec) {
    return encode_command({"COMPRESS", "DEFLATE"}, ec);
}

} // namespace pigeon::nntp
