#include "pigeon/account/oauth2_login.hpp"

#include <algorithm>

#include "pigeon/account/error.hpp"
#include "pigeon/account/password_command.hpp"
#include "pigeon/account/paths.hpp"
#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/private_file.hpp"
#include "pigeon/oauth2/token_cache.hpp"
#include "pigeon/oauth2/token_client.hpp"
#include "pigeon/text/printable.hpp"

namespace pigeon::account {

using text::printable;
oauth2_settings make_oauth2_settings(const account_config& a, const std::string& state_root,
                                     const std::string& ca_file, const net::proxy_options& proxy,
                                     std::chrono::milliseconds timeout, net::trace_fn trace,
                                     const std::string& user_agent) {
    const oauth2_config& o = *a.oauth2;
    const std::string where = "account " + printable(a.name) + ": oauth2";
    oauth2_settings s;
    s.account = a.name;
    if (!o.provider.empty()) {
        auto p = oauth2::preset(o.provider, o.tenant);
        if (!p) {
            std::string names;
            for (const auto& n : oauth2::preset_names()) names += (names.empty() ? "" : ", ") + n;
            throw error(errc::config, where + ".provider: unknown provider " + printable(o.provider) +
                                              " (known: " + names + "; or give the endpoints)");
        }
        s.provider = *p;
    }
    if (!o.token_endpoint.empty()) s.provider.token_endpoint = o.token_endpoint;
    if (!o.authorization_endpoint.empty()) s.provider.authorization_endpoint = o.authorization_endpoint;
    if (!o.device_endpoint.empty()) s.provider.device_endpoint = o.device_endpoint;
    if (!o.scopes.empty()) s.provider.scopes = o.scopes;
    s.provider.client_id = o.client_id;
    if (s.provider.client_id.empty()) throw error(errc::config, where + ": client_id is missing");
    if (s.provider.token_endpoint.empty())
        throw error(errc::config, where + ": token_endpoint is missing (or set provider)");
    s.provider.client_secret = o.client_secret;
    s.client_secret_command = o.client_secret_command;
    s.http.ca_file = o.tls_ca.empty() ? ca_file : o.tls_ca;
    s.http.proxy = proxy;
    s.http.timeout = timeout;
    s.http.user_agent = user_agent.empty() ? std::string("pigeon/") + PIGEON_VERSION_STRING : user_agent;
    s.refresh_token_command = o.refresh_token_command;
    const std::string dir = state_root + "/oauth2/" + state_key(a.name);
    s.refresh_token_file = dir + ".refresh_token";
    s.cache_file = dir + ".access_token";
    s.command_timeout = timeout;
    s.trace = std::move(trace);
    return s;
}

oauth2::provider_config with_client_secret(const oauth2_settings& s) {
    oauth2::provider_config p = s.provider;
    if (!s.client_secret_command.empty()) {
        password_command_options pc;
        pc.timeout = s.command_timeout;
        p.client_secret = run_password_command(s.client_secret_command,
                                               "account " + printable(s.account) + ": oauth2.client_secret_command", pc);
    }
    return p;
}

std::string oauth2_login::refresh_token() const {
    if (!s_.refresh_token_command.empty()) {
        password_command_options pc;
        pc.timeout = s_.command_timeout;
        pc.max_output = 16 * 1024;
        return run_password_command(s_.refresh_token_command,
                                    "account " + printable(s_.account) + ": oauth2.refresh_token_command", pc);
    }
    std::string text;
    std::error_code ec = oauth2::read_private_file(s_.refresh_token_file, text);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (ec == std::errc::no_such_file_or_directory || (!ec && text.empty()))
        throw error(errc::config, "account " + printable(s_.account) + ": no OAuth2 refresh token (" +
                                          s_.refresh_token_file + "); run: pigeon oauth2 authorize " +
                                          printable(s_.account));
    if (ec)
        throw error(errc::config, s_.refresh_token_file + ": " + ec.message() +
                                          (ec == oauth2::errc::insecure_file ? " (run chmod 600 on it)" : ""));
    return text;
}

void oauth2_login::note(const std::string& text) const {
    if (s_.trace) s_.trace(net::trace_direction::info, "OAuth2: " + text);
}

std::string oauth2_login::refresh_locked() {
    const std::string rt = refresh_token();
    oauth2::token_set t;
    try {
        t = oauth2::refresh_access_token(with_client_secret(s_), rt, s_.http);
    } catch (const oauth2::token_error& e) {
        // The provider's own words (they name no secret): invalid_grant,
        // "Token has been expired or revoked", ...
        std::string msg = "account " + printable(s_.account) + ": the OAuth2 refresh was refused: " + printable(e.what());
        if (e.error() == "invalid_grant")
            msg += "; authorize again with: pigeon oauth2 authorize " + printable(s_.account);
        throw error(e.code() == oauth2::errc::http_status && e.http_status() >= 500 ? errc::temporary
                                                                                    : errc::no_permission,
                    msg);
    }
    const auto now = std::chrono::system_clock::now();
    token_ = t.access_token;
    // No lifetime given: assume an hour (what Google and Microsoft issue).
    expires_at_ = now + t.expires_in.value_or(std::chrono::seconds(3600));
    from_endpoint_ = true;
    note("new access token from " + s_.provider.token_endpoint + " (valid " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(expires_at_ - now).count()) + " s)");
    // Caching is an optimisation: a state directory that cannot be written
    // costs a refresh per run, not the login.
    (void)oauth2::store_cached_token(s_.cache_file, {token_, expires_at_});
    // A rotated refresh token replaces the stored one (never a command's).
    if (!t.refresh_token.empty() && t.refresh_token != rt && s_.refresh_token_command.empty())
        (void)oauth2::write_private_file(s_.refresh_token_file, t.refresh_token + "\n");
    return token_;
}

std::string oauth2_login::access_token() {
    std::lock_guard<std::mutex> g(m_);
    const auto now = std::chrono::system_clock::now();
    if (!token_.empty() && oauth2::cached_token{token_, expires_at_}.fresh(now)) return token_;
    std::error_code ec;
    if (auto c = oauth2::load_cached_token(s_.cache_file, ec); c && c->fresh(now)) {
        token_ = c->access_token;
        expires_at_ = c->expires_at;
        from_endpoint_ = false;
        note("cached access token (valid " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(expires_at_ - now).count()) + " s)");
        return token_;
    }
    return refresh_locked();
}

bool oauth2_login::renew_after_rejection(const std::string& rejected) {
    std::lock_guard<std::mutex> g(m_);
    if (token_ != rejected) return true;  // another connection renewed it already
    if (from_endpoint_) return false;
    note("the server rejected the access token: refreshing it once");
    refresh_locked();
    return true;
}

std::vector<std::string> oauth2_mechanisms(const std::vector<std::string>& configured) {
    if (!configured.empty()) return configured;
    return {"OAUTHBEARER", "XOAUTH2"};
}

} // namespace pigeon::account
