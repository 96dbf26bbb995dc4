#pragma once
// OAuth2 errors: what the token endpoint said (RFC 6749 section 5.2, RFC 8628
// section 3.5) and what pigeon found wrong with it.
#include <string>
#include <system_error>

namespace pigeon::oauth2 {

enum class errc {
    ok = 0,
    refused = 1,            ///< the endpoint answered with an OAuth2 error (invalid_grant, ...)
    authorization_pending,  ///< device flow: the user has not finished yet (keep polling)
    slow_down,              ///< device flow: poll less often
    access_denied,          ///< the user declined
    expired_token,          ///< device flow: the device code expired
    bad_response,           ///< not a JSON object, or one without the fields it must have
    http_status,            ///< an HTTP status that carries no OAuth2 error document
    bad_url,                ///< an endpoint that is not an https:// URL
    bad_redirect,           ///< the loopback redirect was malformed or its state did not match
    timeout,                ///< nothing arrived in time (loopback redirect)
    file_error,             ///< a token file cannot be read or written
    insecure_file,          ///< a token file is readable or writable by group or others
};

const std::error_category& oauth2_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), oauth2_category()}; }

/// A token request that failed at the provider: `error` and
/// `error_description` as sent (they name no secret), the HTTP status.
class token_error : public std::system_error {
public:
    token_error(std::error_code ec, const std::string& what, std::string error = {}, std::string description = {},
                long http_status = 0)
        : std::system_error(ec, what), what_(what), error_(std::move(error)), description_(std::move(description)),
          status_(http_status) {}
    /// The message as given, without the code's generic text.
    const char* what() const noexcept override { return what_.c_str(); }
    const std::string& error() const noexcept { return error_; }
    const std::string& description() const noexcept { return description_; }
    long http_status() const noexcept { return status_; }

private:
    std::string what_;
    std::string error_;
    std::string description_;
    long status_;
};

} // namespace pigeon::oauth2

namespace std {
template <> struct is_error_code_enum<pigeon::oauth2::errc> : true_type {};
}
