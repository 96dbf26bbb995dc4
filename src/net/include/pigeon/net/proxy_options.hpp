#pragma once
// Where a connection goes through a proxy: SOCKS5 (RFC 1928, with the
// username/password method of RFC 1929) or an HTTP CONNECT tunnel (RFC 9110
// section 9.3.6, with Basic authentication). The proxy only carries bytes:
// TLS and its certificate check are always between pigeon and the final
// server, implicit or after STARTTLS, never with the proxy.
//
//   socks5h://user:password@proxy.example:1080   the proxy resolves the name
//   socks5://127.0.0.1:1080                      pigeon resolves it first
//   http://user@proxy.example:3128                CONNECT host:port
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::net {

enum class proxy_kind {
    none,     ///< a direct connection (the default)
    socks5,   ///< SOCKS5, the server's name resolved locally (socks5://)
    socks5h,  ///< SOCKS5, the name sent to the proxy to resolve (socks5h://)
    http,     ///< an HTTP proxy's CONNECT tunnel (http://)
};

struct proxy_options {
    proxy_kind kind = proxy_kind::none;
    std::string host;          ///< the proxy, without brackets for IPv6
    unsigned short port = 0;   ///< 1080 when the URL names none (as curl)
    /// Credentials for the proxy (SOCKS5 username/password, HTTP Basic);
    /// an empty user: none are offered.
    std::string user;
    std::string password;

    bool enabled() const noexcept { return kind != proxy_kind::none; }
    /// "host:port" ("[::1]:1080"), for messages.
    std::string where() const;
    /// The URL without its password: "socks5h://alice@127.0.0.1:1080".
    std::string display_url() const;
};

/// The port a proxy URL without one means.
inline constexpr unsigned short default_proxy_port = 1080;

/// Parses socks5://, socks5h:// or http:// [user[:password]@]host[:port]
/// (scheme case-insensitive, user and password percent-decoded, a trailing
/// "/" allowed, nothing else after the authority). Anything else, https://
/// and socks4:// included, is errc::bad_url with nothing returned.
std::optional<proxy_options> parse_proxy_url(std::string_view url, std::error_code& ec);

const char* to_string(proxy_kind k) noexcept;

} // namespace pigeon::net
