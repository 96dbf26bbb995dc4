#pragma once
// libcurl is loaded on first use (see src/curl/CMakeLists.txt): nothing in
// pigeon links it, and a process that never uses FTP or an OAuth2 token
// endpoint never loads it. These say how that went.
#include <string>

namespace pigeon::curl {

/// Loads libcurl now if it is not loaded yet; false (why says why: the
/// dynamic loader's message) when it cannot be loaded or lacks a function.
/// Thread-safe; the first call decides.
bool load(std::string* why = nullptr);
/// Has libcurl been loaded into this process by pigeon?
bool loaded() noexcept;
/// The SONAME pigeon loads ("libcurl.so.4").
const char* soname() noexcept;

} // namespace pigeon::curl
