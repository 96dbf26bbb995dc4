#pragma once
// FTP server URLs: ftp://[user@]host[:port][/path] (explicit FTPS: AUTH TLS
// required unless the caller chooses tls_mode::none) and ftps:// (implicit
// TLS, port 990). The path is relative to the login directory as in RFC
// 1738 ("ftp://h/a/b" names a/b); "%2F" at its start makes it absolute.
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/endpoint.hpp"

namespace pigeon::ftp {

struct endpoint {
    std::string host;                             ///< without brackets for IPv6
    unsigned short port = 21;
    net::tls_mode tls = net::tls_mode::starttls;  ///< starttls = explicit FTPS (AUTH TLS)
    std::string user;                             ///< percent-decoded (may be empty)
    std::string path;                             ///< percent-decoded; "" = the login directory
};

/// Parses ftp:// and ftps:// URLs. The user may hold '@' (the last '@' ends
/// it) and percent escapes; the path may not hold CR, LF or NUL, even
/// escaped. Returns net::errc::bad_url with nothing set on failure.
std::optional<endpoint> parse_url(std::string_view url, std::error_code& ec);

/// 21 for ftp:// (explicit TLS or none), 990 for ftps://.
unsigned short default_port(net::tls_mode m) noexcept;

/// "ftp://host:port/path" or "ftps://..." for messages (no user, no password).
std::string to_url(const endpoint& ep);

/// The path joined to a name: join("a/b", "c") == "a/b/c", join("", "c") == "c".
std::string join_path(std::string_view dir, std::string_view name);

} // namespace pigeon::ftp
