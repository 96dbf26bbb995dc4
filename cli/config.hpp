#pragma once
// The account file is the library's (pigeon/account/config.hpp, where every
// key is described); the CLI reads it through load_config, which prints the
// file's warnings on standard error.
#include <string>

#include "pigeon/account/config.hpp"

namespace pigeon::cli {

using account::account_config;
using account::config_file;
using account::default_config_path;
using account::fetch_config;
using account::oauth2_config;

/// account::load_config, each warning printed ("pigeon: warning: ...").
/// Errors are account::error (the CLI exits 78).
config_file load_config(const std::string& explicit_path);

} // namespace pigeon::cli
