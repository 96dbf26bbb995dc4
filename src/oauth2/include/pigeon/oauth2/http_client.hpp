#pragma once
// The one HTTPS call OAuth2 needs: POST an application/x-www-form-urlencoded
// body to an https:// endpoint and read the answer (bounded). libcurl does the
// HTTP; the certificate is always verified against the endpoint's host name
// (the system store plus ca_file), through the session's proxy when one is
// set, never through an environment proxy. No secret reaches a trace: there
// is none.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigeon/net/proxy_options.hpp"

namespace pigeon::oauth2 {

struct http_options {
    /// Extra trusted CA certificates (PEM) on top of the system store.
    std::string ca_file;
    /// Trust only ca_file, not the system store.
    bool ca_file_only = false;
    /// SOCKS5 or HTTP CONNECT proxy (net::proxy_options); none by default.
    net::proxy_options proxy;
    /// Connect timeout, and the whole request's.
    std::chrono::milliseconds timeout{30000};
    /// Largest answer body accepted.
    std::size_t max_body = 1024 * 1024;
    /// Sent as User-Agent.
    std::string user_agent = "pigeon";
};

struct http_response {
    long status = 0;
    std::string body;
};

using form_fields = std::vector<std::pair<std::string, std::string>>;

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);
/// name=value&... with both percent-encoded (spaces as %20).
std::string form_encode(const form_fields& fields);

/// POSTs fields to url (https:// only) and returns the status and body.
/// Throws token_error(errc::bad_url) for another scheme, net::tls_error for
/// a certificate that fails verification or a failed handshake,
/// net::transport_error for connection, proxy, timeout and size problems.
http_response post_form(const std::string& url, const form_fields& fields, const http_options& opts);

} // namespace pigeon::oauth2
