#include "pigeon/oauth2/token_client.hpp"

#include "pigeon/oauth2/error.hpp"

namespace pigeon::oauth2 {
namespace {

void add_client(const provider_config& p, form_fields& f) {
    f.emplace_back("client_id", p.client_id);
    if (!p.client_secret.empty()) f.emplace_back("client_secret", p.client_secret);
}

[[noreturn]] void throw_refusal(std::error_code ec, const std::string& endpoint, const error_document& err,
                                long status) {
    std::string what = endpoint + ": ";
    if (ec == errc::http_status || err.error.empty()) {
        what += ec.message();
        if (!err.description.empty()) what += " (" + err.description + ")";
    } else {
        what += err.error;
        if (!err.description.empty()) what += ": " + err.description;
    }
    throw token_error(ec, what, err.error, err.description, status);
}

token_set token_request(const provider_config& p, form_fields f, const http_options& o) {
    add_client(p, f);
    http_response r = post_form(p.token_endpoint, f, o);
    token_set t;
    error_document err;
    if (auto ec = parse_token_response(r.status, r.body, t, err)) throw_refusal(ec, p.token_endpoint, err, r.status);
    return t;
}

} // namespace

std::string scope_string(const provider_config& p) {
    std::string s;
    for (const auto& scope : p.scopes) s += (s.empty() ? "" : " ") + scope;
    return s;
}

token_set refresh_access_token(const provider_config& p, const std::string& refresh_token, const http_options& o) {
    form_fields f{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
    if (!p.scopes.empty()) f.emplace_back("scope", scope_string(p));
    return token_request(p, std::move(f), o);
}

token_set exchange_authorization_code(const provider_config& p, const std::string& code,
                                      const std::string& redirect_uri, const std::string& code_verifier,
                                      const http_options& o) {
    return token_request(p,
                         {{"grant_type", "authorization_code"},
                          {"code", code},
                          {"redirect_uri", redirect_uri},
                          {"code_verifier", code_verifier}},
                         o);
}

device_authorization request_device_code(const provider_config& p, const http_options& o) {
    if (p.device_endpoint.empty())
        throw token_error(errc::bad_url, "no device authorization endpoint is configured");
    form_fields f;
    add_client(p, f);
    if (!p.scopes.empty()) f.emplace_back("scope", scope_string(p));
    http_response r = post_form(p.device_endpoint, f, o);
    device_authorization d;
    error_document err;
    if (auto ec = parse_device_authorization(r.status, r.body, d, err))
        throw_refusal(ec, p.device_endpoint, err, r.status);
    return d;
}

std::optional<token_set> poll_device_token(const provider_config& p, const std::string& device_code,
                                           const http_options& o, std::error_code& ec) {
    ec.clear();
    form_fields f{{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"}, {"device_code", device_code}};
    add_client(p, f);
    http_response r = post_form(p.token_endpoint, f, o);
    token_set t;
    error_document err;
    std::error_code pec = parse_token_response(r.status, r.body, t, err);
    if (pec == errc::authorization_pending || pec == errc::slow_down) {
        ec = pec;
        return std::nullopt;
    }
    if (pec) throw_refusal(pec, p.token_endpoint, err, r.status);
    return t;
}

std::string authorization_url(const provider_config& p, const std::string& redirect_uri, const std::string& state,
                              const std::string& code_challenge, const std::string& login_hint) {
    form_fields q{{"response_type", "code"},      {"client_id", p.client_id},
                  {"redirect_uri", redirect_uri}, {"scope", scope_string(p)},
                  {"state", state},               {"code_challenge", code_challenge},
                  {"code_challenge_method", "S256"}};
    if (!login_hint.empty()) q.emplace_back("login_hint", login_hint);
    const char sep = p.authorization_endpoint.find('?') == std::string::npos ? '?' : '&';
    return p.authorization_endpoint + sep + form_encode(q);
}

} // namespace pigeon::oauth2
