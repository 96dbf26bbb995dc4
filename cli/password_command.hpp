#pragma once
// Password commands are the library's (pigeon/account/password_command.hpp).
#include "pigeon/account/password_command.hpp"

namespace pigeon::cli {

using account::password_command_options;
using account::run_password_command;

} // namespace pigeon::cli
