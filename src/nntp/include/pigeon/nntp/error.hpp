#pragma once
// NNTP errors are the core's (pigeon/core/error.hpp): one category and one
// exception hierarchy for every protocol. These names are the same types.
#include "pigeon/core/error.hpp"
#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

using namespace core::error_names;

/// An NNTP status line in the error model's terms.
core::server_reply to_server_reply(const reply& r);

} // namespace pigeon::nntp
