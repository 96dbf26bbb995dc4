#pragma once
// NNTP command encoders (RFC 3977, 4642, 4643). Sans-I/O: each returns the
// line to send (without CRLF) and which part of it is secret, or an error when
// an argument holds CR, LF or NUL (or a space where one token is due).
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/channel.hpp"

namespace pigeon::nntp {

struct command_line {
    std::string line;                  ///< without CRLF
    net::secret_span secret{0, 0};     ///< part to mask in traces (length 0: none)
};

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

} // namespace pigeon::nntp
