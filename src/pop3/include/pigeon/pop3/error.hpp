#pragma once
// POP3 errors are the core's (pigeon/core/error.hpp): one category and one
// exception hierarchy for every protocol. These names are the same types.
#include "pigeon/core/error.hpp"
#include "pigeon/pop3/reply.hpp"

namespace pigeon::pop3 {

using namespace core::error_names;

/// A POP3 status line in the error model's terms.
core::server_reply to_server_reply(const reply& r);

} // namespace pigeon::pop3
