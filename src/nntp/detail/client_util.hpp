#pragma once
// Private helpers of the NNTP client's command files. Not installed.
#include <optional>
#include <string>
#include <system_error>

#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"

namespace pigeon::nntp::detail {

/// A command the encoder refused is refused locally, before MODE READER or
/// anything else is sent.
inline void require_encoded(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what) {
    if (!cmd) throw request_error(ec ? ec : make_error_code(errc::invalid_argument), std::string(what) + ": bad argument");
}

} // namespace pigeon::nntp::detail
