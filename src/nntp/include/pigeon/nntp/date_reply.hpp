#pragma once
// The 111 reply of DATE (RFC 3977 section 7.1): "111 yyyymmddhhmmss", the
// server's time in UTC. INN: "111 20261206035652".
#include <chrono>
#include <optional>
#include <system_error>

#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

/// Errors: codec_errc::unexpected_code (not 111), invalid_date (not 14
/// digits, month 13, 31 February, hour 24, ...). A leap second (ss = 60) is
/// taken as the next minute's first second.
std::optional<std::chrono::sys_seconds> parse_date_reply(const reply& r, std::error_code& ec);

} // namespace pigeon::nntp
