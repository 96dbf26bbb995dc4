#pragma once
// Logging in with a bearer token that may have died before its time: where
// a client gets tokens (token_source) and one authenticate() that, when the
// server rejects the token, asks the source for a new one and tries once
// more on the same connection (a refused AUTH leaves SMTP, POP3, IMAP and
// NNTP ready for another). The same for all four protocols.
#include <string>
#include <string_view>

#include "pigeon/core/error.hpp"
#include "pigeon/net/ascii.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::oauth2 {

class token_source {
public:
    virtual ~token_source() = default;
    /// A token to log in with (cached, or fetched now).
    virtual std::string access_token() = 0;
    /// The server rejected `rejected`: true when another token is now to be
    /// had from access_token(); false when retrying cannot help (the token
    /// was fresh from the provider).
    virtual bool renew_after_rejection(const std::string& rejected) = 0;
};

/// OAUTHBEARER or XOAUTH2 (any case).
inline bool is_bearer_mechanism(std::string_view name) noexcept {
    return net::ascii::iequals(name, "OAUTHBEARER") || net::ascii::iequals(name, "XOAUTH2");
}

/// c.authenticate(creds, sel), with creds.oauth_token from tokens when it
/// is empty; when the server rejects the bearer token (core::errc::
/// auth_failed, connection still open) and tokens has a new one, one more
/// attempt with it. Without tokens, plain c.authenticate().
template <class Client>
auto authenticate_with_token(Client& c, sasl::credentials creds, const sasl::selection_options& sel,
                             token_source* tokens) {
    if (tokens && creds.oauth_token.empty()) creds.oauth_token = tokens->access_token();
    try {
        return c.authenticate(creds, sel);
    } catch (const core::auth_error& e) {
        if (!tokens || e.code() != core::errc::auth_failed || !is_bearer_mechanism(e.mechanism()) ||
            !c.is_connected() || !tokens->renew_after_rejection(creds.oauth_token))
            throw;
    }
    creds.oauth_token = tokens->access_token();
    return c.authenticate(creds, sel);
}

} // namespace pigeon::oauth2
