#pragma once
// libcurl's results in pigeon's error model (core/error.hpp, net/error.hpp).
#include <string>

#include "pigeon/core/error.hpp"
#include "tls_check.hpp"

namespace pigeon::ftp::detail {

/// Throws the exception for a failed transfer: what names the operation,
/// errbuf is libcurl's error text, reply the server's last reply, tls what
/// the certificate check found. rc is a CURLcode.
[[noreturn]] void throw_curl_error(int rc, const std::string& what, const char* errbuf, core::server_reply reply,
                                   const tls_check& tls);

} // namespace pigeon::ftp::detail
