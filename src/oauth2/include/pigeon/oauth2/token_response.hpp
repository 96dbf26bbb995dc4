#pragma once
// What a token endpoint answers (RFC 6749 sections 5.1 and 5.2) and what a
// device authorization endpoint answers (RFC 8628 section 3.2), read from
// the HTTP status and body. Sans-I/O; bad input is an error code.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::oauth2 {

struct token_set {
    std::string access_token;
    std::string token_type;     ///< "Bearer" (any case)
    std::string refresh_token;  ///< empty: the provider kept the old one
    std::string scope;
    std::optional<std::chrono::seconds> expires_in;
};

/// An OAuth2 error document: {"error": ..., "error_description": ...}.
struct error_document {
    std::string error;
    std::string description;
    std::string uri;
};

/// A 2xx answer with an access token of type Bearer (or none given) fills
/// out. A JSON error document fills err and returns errc::refused, or the
/// device flow's authorization_pending, slow_down, access_denied,
/// expired_token. Another non-2xx status: errc::http_status (err.description
/// holds the start of the body). A 2xx without a usable token: bad_response.
std::error_code parse_token_response(long http_status, std::string_view body, token_set& out,
                                     error_document& err);

struct device_authorization {
    std::string device_code;
    std::string user_code;
    std::string verification_uri;           ///< Google says "verification_url"
    std::string verification_uri_complete;  ///< optional
    std::chrono::seconds expires_in{0};
    std::chrono::seconds interval{5};       ///< RFC 8628: 5 s when absent
    std::string message;                    ///< Microsoft's ready-made instruction, optional
};

/// The device authorization response; errors as parse_token_response.
std::error_code parse_device_authorization(long http_status, std::string_view body, device_authorization& out,
                                           error_document& err);

} // namespace pigeon::oauth2
