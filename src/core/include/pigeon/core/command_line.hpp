#pragma once
// Command lines of the line protocols whose codecs build them (POP3, NNTP):
// the type, and the checks and the SASL start command they share.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/channel.hpp"

namespace pigeon::core {

/// A command line as the codecs build it: the text (without CRLF) and the
/// part to mask in traces (length 0: nothing). POP3's and NNTP's encoders
/// return this type.
struct command_line {
    std::string line;
    net::secret_span secret{0, 0};
};

/// Does s hold CR, LF or NUL?
bool has_line_break_or_nul(std::string_view s) noexcept;
/// A non-empty word of printable US-ASCII without SP (no CTL, no DEL).
bool is_token(std::string_view s) noexcept;

/// "VERB MECHANISM [initial-response]" — POP3's "AUTH" (RFC 5034) and NNTP's
/// "AUTHINFO SASL" (RFC 4643) — with the initial response masked in traces.
/// nullopt with ec = invalid_argument when the mechanism or the response is
/// no token, or when the line and its CRLF would exceed max_line octets.
std::optional<command_line> encode_sasl_start(std::string_view verb, std::string_view mechanism,
                                              const std::optional<std::string>& initial_b64, std::size_t max_line,
                                              std::error_code& ec);

} // namespace pigeon::core
