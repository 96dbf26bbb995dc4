#pragma once
// Where pigeon keeps state: fetch journals, the outbox, OAuth2 tokens.
#include <string>

namespace pigeon::account {

/// $XDG_STATE_HOME/pigeon when XDG_STATE_HOME is an absolute path, else
/// $HOME/.local/state/pigeon; "" when neither is known.
std::string default_state_root();

/// A name (an account's) percent-escaped for use as one file name
/// component: letters, digits and . _ - @ + as they are, a leading dot
/// escaped, never empty.
std::string state_key(const std::string& name);

} // namespace pigeon::account
