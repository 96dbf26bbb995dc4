#include "pigeon/oauth2/provider.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::oauth2 {
std::optional<provider_config> preset(std::string_view name, std::string_view tenant) {
    provider_config p;
    if (net::ascii::iequals(name, "google")) {
        // Google's device flow does not grant the mail scope: the loopback
        // flow is the one to use.
        p.authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth";
        p.token_endpoint = "https://oauth2.googleapis.com/token";
        p.device_endpoint = "https://oauth2.googleapis.com/device/code";
        p.scopes = {"https://mail.google.com/"};
        return p;
    }
    if (net::ascii::iequals(name, "microsoft")) {
        const std::string base =
            "https://login.microsoftonline.com/" + std::string(tenant.empty() ? "common" : tenant) + "/oauth2/v2.0/";
        p.authorization_endpoint = base + "authorize";
        p.token_endpoint = base + "token";
        p.device_endpoint = base + "devicecode";
        p.scopes = {"offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All",
                    "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send"};
        return p;
    }
    return std::nullopt;
}

const std::vector<std::string>& preset_names() {
    static const std::vector<std::string> names{"google", "microsoft"};
    return names;
}

} // namespace pigeon::oauth2
