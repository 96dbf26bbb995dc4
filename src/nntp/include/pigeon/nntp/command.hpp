#pragma once
// NNTP command encoders (RFC 3977, 4642, 4643). Sans-I/O: each returns the
// line to send (without CRLF) and which part of it is secret, or an error when
// an argument holds CR, LF or NUL (or a space where one token is due).
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/range.hpp"

namespace pigeon::nntp {

using command_line = core::command_line;  ///< line without CRLF, secret span for traces

/// RFC 3977 section 3.1: a command line is at most 512 octets with its CRLF.
inline constexpr std::size_t max_command_line = 512;

/// A command of keywords and single-token arguments: {"CAPABILITIES"},
/// {"MODE", "READER"}, {"GROUP", name}. Every word must be a non-empty run of
/// printable characters without SP; the line must fit max_command_line.
std::optional<command_line> encode_command(std::initializer_list<std::string_view> words, std::error_code& ec);
/// AUTHINFO USER name: one token.
std::optional<command_line> encode_authinfo_user(std::string_view user, std::error_code& ec);
/// AUTHINFO PASS password: may contain spaces (RFC 4643 user-pass-char); secret.
std::optional<command_line> encode_authinfo_pass(std::string_view password, std::error_code& ec);
/// AUTHINFO SASL mechanism [initial-response]; the response is secret.
std::optional<command_line> encode_authinfo_sasl(std::string_view mechanism,
                                                 const std::optional<std::string>& initial_b64, std::error_code& ec);
/// A SASL response line (base64, "=" for empty, "*" to cancel); secret.
std::optional<command_line> encode_sasl_response(std::string_view b64, std::error_code& ec);

// ---- Reading commands (RFC 3977, 2980, 6048, 8054). Every encoder fails
// with errc::invalid_argument when an argument is not what the command takes
// (a group name or header field with SP, CR, LF, NUL or controls; a
// message-id that is_valid_message_id refuses; a wildmat that
// is_valid_wildmat refuses) or when the line would exceed max_command_line.

std::optional<command_line> encode_mode_reader(std::error_code& ec);
/// GROUP name.
std::optional<command_line> encode_group(std::string_view group, std::error_code& ec);
/// LISTGROUP (the current group), LISTGROUP group, LISTGROUP group range.
std::optional<command_line> encode_listgroup(std::error_code& ec);
std::optional<command_line> encode_listgroup(std::string_view group, std::error_code& ec);
std::optional<command_line> encode_listgroup(std::string_view group, const range& r, std::error_code& ec);

/// ARTICLE / HEAD / BODY / STAT of the current article, or of one by number
/// or message-id: encode_head(42, ec), encode_head("<a@example>", ec).
std::optional<command_line> encode_article(std::error_code& ec);
std::optional<command_line> encode_article(const article_ref& ref, std::error_code& ec);
std::optional<command_line> encode_head(std::error_code& ec);
std::optional<command_line> encode_head(const article_ref& ref, std::error_code& ec);
std::optional<command_line> encode_body(std::error_code& ec);
std::optional<command_line> encode_body(const article_ref& ref, std::error_code& ec);
std::optional<command_line> encode_stat(std::error_code& ec);
std::optional<command_line> encode_stat(const article_ref& ref, std::error_code& ec);
std::optional<command_line> encode_next(std::error_code& ec);
std::optional<command_line> encode_last(std::error_code& ec);

/// OVER (the current article), OVER range, OVER message-id.
std::optional<command_line> encode_over(std::error_code& ec);
std::optional<command_line> encode_over(const range& r, std::error_code& ec);
std::optional<command_line> encode_over(std::string_view message_id, std::error_code& ec);
/// XOVER (RFC 2980 2.8): the current article, or a range (no message-id form).
std::optional<command_line> encode_xover(std::error_code& ec);
std::optional<command_line> encode_xover(const range& r, std::error_code& ec);
/// HDR field [range|message-id]. field is a header name ("Subject") or a
/// metadata item (":bytes").
std::optional<command_line> encode_hdr(std::string_view field, std::error_code& ec);
std::optional<command_line> encode_hdr(std::string_view field, const range& r, std::error_code& ec);
std::optional<command_line> encode_hdr(std::string_view field, std::string_view message_id, std::error_code& ec);
/// XHDR field [range|message-id] (RFC 2980 2.6).
std::optional<command_line> encode_xhdr(std::string_view field, std::error_code& ec);
std::optional<command_line> encode_xhdr(std::string_view field, const range& r, std::error_code& ec);
std::optional<command_line> encode_xhdr(std::string_view field, std::string_view message_id, std::error_code& ec);

/// LIST ACTIVE / NEWSGROUPS / ACTIVE.TIMES / COUNTS [wildmat]; an empty
/// wildmat sends none (every group).
std::optional<command_line> encode_list_active(std::string_view wildmat, std::error_code& ec);
std::optional<command_line> encode_list_newsgroups(std::string_view wildmat, std::error_code& ec);
std::optional<command_line> encode_list_active_times(std::string_view wildmat, std::error_code& ec);
std::optional<command_line> encode_list_counts(std::string_view wildmat, std::error_code& ec);
std::optional<command_line> encode_list_overview_fmt(std::error_code& ec);
std::optional<command_line> encode_list_distrib_pats(std::error_code& ec);
/// LIST HEADERS [MSGID|RANGE] (RFC 3977 8.6): which fields HDR can return
/// for any request, for a message-id request, for a range request.
enum class list_headers_form { any, msgid, range };
std::optional<command_line> encode_list_headers(list_headers_form form, std::error_code& ec);

/// NEWGROUPS yyyymmdd hhmmss GMT (RFC 3977 7.3); years 0000..9999 only.
std::optional<command_line> encode_newgroups(std::chrono::sys_seconds since, std::error_code& ec);
/// NEWNEWS wildmat yyyymmdd hhmmss GMT (RFC 3977 7.4).
std::optional<command_line> encode_newnews(std::string_view wildmat, std::chrono::sys_seconds since,
                                           std::error_code& ec);
std::optional<command_line> encode_date(std::error_code& ec);
std::optional<command_line> encode_post(std::error_code& ec);
/// COMPRESS DEFLATE (RFC 8054).
std::optional<command_line> encode_compress_deflate(std::error_code& ec);

} // namespace pigeon::nntp
