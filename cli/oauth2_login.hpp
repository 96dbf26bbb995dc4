#pragma once
// OAuth2 logins are the library's (pigeon/account/oauth2_login.hpp).
#include "pigeon/account/oauth2_login.hpp"

namespace pigeon::cli {

using account::make_oauth2_settings;
using account::oauth2_login;
using account::oauth2_mechanisms;
using account::oauth2_settings;
using account::with_client_secret;

} // namespace pigeon::cli
