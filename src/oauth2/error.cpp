#include "pigeon/oauth2/error.hpp"

#include <string>

namespace pigeon::oauth2 {
namespace {

class oauth2_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.oauth2"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::refused: return "the token endpoint refused the request";
        case errc::authorization_pending: return "the authorization is still pending";
        case errc::slow_down: return "the token endpoint asks to poll more slowly";
        case errc::access_denied: return "the authorization was denied";
        case errc::expired_token: return "the device code expired before the authorization was given";
        case errc::bad_response: return "the token endpoint sent an answer that is not a valid token response";
        case errc::http_status: return "the token endpoint answered with an HTTP error";
        case errc::bad_url: return "OAuth2 endpoints must be https:// URLs";
        case errc::bad_redirect: return "the authorization redirect was malformed or did not match";
        case errc::timeout: return "no authorization arrived in time";
        case errc::file_error: return "a token file cannot be read or written";
        case errc::insecure_file: return "a token file is accessible to group or others";
        }
        return "unknown OAuth2 error";
    }
};

} // namespace

const std::error_category& oauth2_category() noexcept {
    static const oauth2_category_impl instance;
    return instance;
}

} // namespace pigeon::oauth2
