#pragma once
// An account's OAuth2 login (the CLI's and outbox::send's): the provider (preset and account
// keys), where the refresh token and the cached access token live, and the
// access token itself, refreshed over HTTPS (through the account's proxy,
// the certificate always verified) when the cached one has expired or the
// server rejected it (oauth2::authenticate_with_token retries once). Used by
// send, sendmail, fetch and watch alike.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "pigeon/account/config.hpp"
#include "pigeon/net/proxy_options.hpp"
#include "pigeon/net/trace.hpp"
#include "pigeon/oauth2/http_client.hpp"
#include "pigeon/oauth2/provider.hpp"
#include "pigeon/oauth2/token_source.hpp"

namespace pigeon::account {

struct oauth2_settings {
    std::string account;
    oauth2::provider_config provider;
    oauth2::http_options http;
    std::string client_secret_command;  ///< run by with_client_secret() when set
    std::string refresh_token_command;  ///< "" : refresh_token_file
    std::string refresh_token_file;     ///< STATE/oauth2/ACCOUNT.refresh_token
    std::string cache_file;             ///< STATE/oauth2/ACCOUNT.access_token
    std::chrono::milliseconds command_timeout{60000};
    /// -v: where the token came from, as "===" info lines (never the token).
    net::trace_fn trace;
};

/// The settings of account a (which has an oauth2 section): the preset
/// completed by the account's keys, the endpoints' CA (oauth2.tls_ca, else
/// ca_file) and proxy; nothing runs yet (a dry run asks for no secret). Token
/// files live under state_root/oauth2/; user_agent "" is "pigeon/VERSION".
/// Throws account::error
/// (errc::config) for an unknown provider, a missing client id or token
/// endpoint.
oauth2_settings make_oauth2_settings(const account_config& a, const std::string& state_root,
                                     const std::string& ca_file, const net::proxy_options& proxy,
                                     std::chrono::milliseconds timeout, net::trace_fn trace = {},
                                     const std::string& user_agent = {});

/// The provider with its client secret, running client_secret_command now
/// when one is configured (throws account::error (errc::config) when it fails).
oauth2::provider_config with_client_secret(const oauth2_settings& s);

/// The access token of one account, shared by the connections of a run.
class oauth2_login final : public oauth2::token_source {
public:
    explicit oauth2_login(oauth2_settings s) : s_(std::move(s)) {}

    /// A token with time left: the one in use, the cached one, or a new one
    /// from the token endpoint (cached, 0600). Throws account::error:
    /// no_permission with the provider's error when the refresh is refused
    /// (temporary for a 5xx), config when there is no refresh token; and what
    /// oauth2::post_form throws for network and TLS failures.
    std::string access_token() override;

    /// The server refused `rejected`: true when a new token was fetched
    /// (retry once with access_token()); false when `rejected` came fresh
    /// from the token endpoint in this run (retrying would not help).
    bool renew_after_rejection(const std::string& rejected) override;

    const oauth2_settings& settings() const noexcept { return s_; }

private:
    std::string refresh_locked();
    void note(const std::string& text) const;
    std::string refresh_token() const;

    oauth2_settings s_;
    std::mutex m_;
    std::string token_;
    std::chrono::system_clock::time_point expires_at_{};
    bool from_endpoint_ = false;  ///< token_ was issued in this run
};

/// The mechanism restriction for an OAuth2 login: the user's --auth-mech or
/// auth_mech when given, else OAUTHBEARER and XOAUTH2 (so that no password
/// command is ever tried with an empty password).
std::vector<std::string> oauth2_mechanisms(const std::vector<std::string>& configured);

} // namespace pigeon::account
