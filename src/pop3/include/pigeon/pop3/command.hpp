#pragma once
// POP3 command encoders (RFC 1939, 2449, 2595, 5034). Sans-I/O: each returns
// the line to send (without CRLF) and which part of it is secret, or an error
// when an argument holds CR, LF or NUL (or a space where one token is due).
// Nothing is ever built from an unchecked argument.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/channel.hpp"

namespace pigeon::pop3 {

using command_line = core::command_line;  ///< line without CRLF, secret span for traces

/// RFC 2449 section 4: a command line is at most 255 octets with its CRLF.
inline constexpr std::size_t max_command_line = 255;

/// A keyword without arguments: CAPA, STLS, QUIT, NOOP, STAT, RSET. The
/// keyword itself must be 3 or 4 letters.
std::optional<command_line> encode_simple(std::string_view keyword, std::error_code& ec);
/// USER name: one token, no SP.
std::optional<command_line> encode_user(std::string_view name, std::error_code& ec);
/// PASS password: may contain spaces (RFC 1939 section 7); marked secret.
std::optional<command_line> encode_pass(std::string_view password, std::error_code& ec);
/// AUTH mechanism [initial-response]: initial response (base64, or "=" for an
/// empty one) marked secret.
std::optional<command_line> encode_auth(std::string_view mechanism, const std::optional<std::string>& initial_b64,
                                        std::error_code& ec);
/// A keyword with a message number: RETR n, DELE n, LIST n, UIDL n.
std::optional<command_line> encode_message(std::string_view keyword, std::uint32_t number, std::error_code& ec);
/// TOP n lines.
std::optional<command_line> encode_top(std::uint32_t number, std::uint32_t lines, std::error_code& ec);
/// APOP name digest: digest is 32 lower-case hex digits; marked secret.
std::optional<command_line> encode_apop(std::string_view name, std::string_view digest_hex, std::error_code& ec);
/// A SASL response line (base64, or "*" to cancel); all of it secret.
std::optional<command_line> encode_sasl_response(std::string_view b64, std::error_code& ec);

} // namespace pigeon::pop3
