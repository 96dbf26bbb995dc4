#pragma once
// IMAP errors are the core's (pigeon/core/error.hpp): one category and one
// exception hierarchy for every protocol. These names are the same types.
#include "pigeon/core/error.hpp"
#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

using namespace core::error_names;

/// An IMAP status response in the error model's terms: status "OK", "NO",
/// "BAD", "BYE" or "PREAUTH", response_code the code's name ("TRYCREATE"),
/// transient for [UNAVAILABLE], [INUSE], [LIMIT], [SERVERBUG] (RFC 5530) and
/// for BYE without a code saying otherwise. first_line is the response's
/// first line as received.
core::server_reply to_server_reply(const response& r, std::string_view first_line);

} // namespace pigeon::imap
