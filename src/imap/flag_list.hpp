#pragma once
// Private: a flag list for STORE and APPEND, "(\Seen $Label1)".
#include <string>
#include <vector>

namespace pigeon::imap::detail {

/// Throws request_error(invalid_argument) for a flag that is neither
/// "\" atom nor an atom.
std::string flag_list(const std::vector<std::string>& flags, const char* what);

} // namespace pigeon::imap::detail
