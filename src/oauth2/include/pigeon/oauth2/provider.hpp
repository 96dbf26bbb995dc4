#pragma once
// Where a provider's endpoints are, who the client is, what it asks for;
// and the presets for Google and Microsoft.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::oauth2 {

struct provider_config {
    std::string authorization_endpoint;  ///< loopback flow (browser)
    std::string token_endpoint;          ///< refresh, code exchange, device polling
    std::string device_endpoint;         ///< device authorization (RFC 8628)
    std::string client_id;
    std::string client_secret;           ///< "" for public clients
    std::vector<std::string> scopes;
};

/// "google" or "microsoft" (any case): the endpoints and the scopes that
/// give IMAP, POP3 and SMTP access. Microsoft's endpoints take the tenant
/// ("common", "organizations", "consumers" or a tenant id). The client id
/// and secret stay the caller's: each application registers its own.
std::optional<provider_config> preset(std::string_view name, std::string_view tenant = "common");

/// The preset names, for messages.
const std::vector<std::string>& preset_names();

} // namespace pigeon::oauth2
