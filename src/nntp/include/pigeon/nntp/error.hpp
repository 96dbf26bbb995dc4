#pragma once
// NNTP errors are the core's (pigeon/core/error.hpp): one category and one
// exception hierarchy for every protocol. These names are the same types.
#include "pigeon/core/error.hpp"
#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

using core::auth_error;
using core::command_error;
using core::errc;
using core::make_error_code;
using core::protocol_error;
using core::request_error;
using core::server_reply;

/// An NNTP status line in the error model's terms.
core::server_reply to_server_reply(const reply& r);

} // namespace pigeon::nntp
