#pragma once
// Files that hold tokens: written whole or not at all (a temporary file in
// the same directory, fsync, rename), mode 0600 in a 0700 directory, and
// refused on reading when group or others may access them.
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::oauth2 {

/// Reads the whole file (at most max bytes). A missing file gives
/// std::errc::no_such_file_or_directory; one accessible to group or others
/// errc::insecure_file; other failures errc::file_error.
std::error_code read_private_file(const std::string& path, std::string& out, std::size_t max = 64 * 1024);

/// Replaces the file with data, mode 0600; creates missing parent
/// directories with mode 0700. errc::file_error on failure (nothing of the
/// old content is lost then).
std::error_code write_private_file(const std::string& path, std::string_view data);

} // namespace pigeon::oauth2
