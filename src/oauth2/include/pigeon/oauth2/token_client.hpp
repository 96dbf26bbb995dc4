#pragma once
// The token endpoint's grants: refresh_token (RFC 6749 section 6),
// authorization_code with PKCE (RFC 6749 4.1.3, RFC 7636 4.5) and the
// device flow (RFC 8628). Each is one HTTPS POST (http_client.hpp); a
// refusal throws token_error with the provider's error and description.
#include <optional>
#include <string>
#include <system_error>

#include "pigeon/oauth2/http_client.hpp"
#include "pigeon/oauth2/provider.hpp"
#include "pigeon/oauth2/token_response.hpp"

namespace pigeon::oauth2 {

/// A new access token (and possibly a new refresh token) for refresh_token.
token_set refresh_access_token(const provider_config& p, const std::string& refresh_token, const http_options& o);

/// The authorization code grant of the loopback flow.
token_set exchange_authorization_code(const provider_config& p, const std::string& code,
                                      const std::string& redirect_uri, const std::string& code_verifier,
                                      const http_options& o);

/// Starts the device flow at p.device_endpoint.
device_authorization request_device_code(const provider_config& p, const http_options& o);

/// Polls once: the tokens once the user has approved; nullopt with ec set
/// to errc::authorization_pending or errc::slow_down while waiting. A denial
/// or an expired code throws token_error.
std::optional<token_set> poll_device_token(const provider_config& p, const std::string& device_code,
                                           const http_options& o, std::error_code& ec);

/// The authorization request URL for the loopback flow (code, S256 PKCE).
/// login_hint ("" for none) preselects the account at the provider.
std::string authorization_url(const provider_config& p, const std::string& redirect_uri, const std::string& state,
                              const std::string& code_challenge, const std::string& login_hint = {});

/// "a b c" from the scope list.
std::string scope_string(const provider_config& p);

} // namespace pigeon::oauth2
