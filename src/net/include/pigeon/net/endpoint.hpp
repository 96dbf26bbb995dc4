#pragma once
// Server URLs: smtp://host:587, smtps://, submissions://, lmtp://,
// imap://, imaps://, pop3://, pop3s://, nntp://, nntps://, news://, and
// unix socket paths. Default ports come from the scheme.
#include <optional>
#include <string>
#include <system_error>

namespace pigeon::net {

enum class protocol { smtp, lmtp, imap, pop3, nntp };

/// How TLS is used on a connection.
enum class tls_mode {
    starttls,   ///< upgrade after the greeting; required: fail if not offered
    implicit,   ///< TLS from the first byte (smtps, imaps, pop3s, nntps)
    none,       ///< clear text, only by explicit choice
};

struct endpoint {
    protocol proto = protocol::smtp;
    std::string host;          ///< without brackets for IPv6
    unsigned short port = 0;
    tls_mode tls = tls_mode::starttls;
    std::string user;          ///< from user@host, percent-decoded (may be empty)
    std::string unix_path;     ///< set for unix sockets instead of host/port
};

/// Parses a URL; returns errc::bad_url with nothing set on failure.
std::optional<endpoint> parse_endpoint(const std::string& url, std::error_code& ec);

const char* to_string(protocol p) noexcept;
const char* to_string(tls_mode m) noexcept;
/// The well-known port for a protocol with the given TLS mode.
unsigned short default_port(protocol p, tls_mode m) noexcept;

} // namespace pigeon::net
