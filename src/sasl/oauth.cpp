// Bearer-token mechanisms: XOAUTH2 (Google's, also Microsoft's) and
// OAUTHBEARER (RFC 7628).
//
// Both are client-first. On failure the server sends a JSON error document as
// a challenge and waits for the client before its final failure reply; the
// client answers with the "dummy" response each defines, never with a retry,
// and the exchange then ends with the server's failure (errc::rejected).
#include <string>

#include "detail/crypto.hpp"
#include "detail/mechanisms.hpp"
#include "pigeon/sasl/error.hpp"

namespace pigeon::sasl::detail {
namespace {

constexpr char ctrl_a = '\x01';

/// A control character (^A above all) would forge or cut a key/value pair.
bool has_control(std::string_view s) noexcept {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') return true;
    return false;
}

class bearer_base : public mechanism {
public:
    explicit bearer_base(const credentials& c) : creds_(c) {}
    ~bearer_base() override { wipe_secrets(creds_); }
    bearer_base(const bearer_base&) = delete;
    bearer_base& operator=(const bearer_base&) = delete;

    std::string respond(std::string_view /*challenge*/, std::error_code& ec) override {
        ec.clear();
        // The only challenge after the client's message is the error document.
        // Its content (status, scope, openid-configuration) is informational;
        // the final reply carries the failure.
        if (!sent_ || error_answered_) {
            ec = errc::bad_challenge;
            return {};
        }
        error_answered_ = true;
        return error_response();
    }

    bool exposes_secret() const noexcept override { return true; }

protected:
    /// What the client sends after an error challenge.
    virtual std::string error_response() const = 0;

    credentials creds_;
    bool sent_ = false;
    bool error_answered_ = false;
};

// XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A. After an error
// challenge the client sends an empty response.
class xoauth2_mechanism final : public bearer_base {
public:
    using bearer_base::bearer_base;

    std::string_view name() const noexcept override { return "XOAUTH2"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        if (creds_.username.empty() || creds_.oauth_token.empty()) {
            ec = errc::missing_credentials;
            return std::nullopt;
        }
        if (has_control(creds_.username) || has_control(creds_.oauth_token)) {
            ec = errc::invalid_credentials;
            return std::nullopt;
        }
        std::string msg = "user=";
        msg += creds_.username;
        msg += ctrl_a;
        msg += "auth=Bearer ";
        msg += creds_.oauth_token;
        msg += ctrl_a;
        msg += ctrl_a;
        sent_ = true;
        return msg;
    }

private:
    std::string error_response() const override { return {}; }
};

// OAUTHBEARER (RFC 7628 section 3.1):
//   gs2-header ^A ["host=" host ^A] ["port=" port ^A] "auth=Bearer " token ^A ^A
// The gs2 header carries the user as authzid ("n,a=user@example.com,"), as
// servers (Gmail, Dovecot) expect: credentials.authzid when set, otherwise
// the username; "n,," when both are empty. After an error challenge the
// client sends a single ^A (RFC 7628 section 3.2.3).
class oauthbearer_mechanism final : public bearer_base {
public:
    using bearer_base::bearer_base;

    std::string_view name() const noexcept override { return "OAUTHBEARER"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        if (creds_.oauth_token.empty()) {
            ec = errc::missing_credentials;
            return std::nullopt;
        }
        const std::string& user = creds_.authzid.empty() ? creds_.username : creds_.authzid;
        if (has_control(user) || has_control(creds_.host) || has_control(creds_.oauth_token)) {
            ec = errc::invalid_credentials;
            return std::nullopt;
        }
        std::string msg = "n,";
        if (!user.empty()) {
            msg += "a=";
            msg += gs2_saslname(user);
        }
        msg += ',';
        msg += ctrl_a;
        if (!creds_.host.empty()) {
            msg += "host=";
            msg += creds_.host;
            msg += ctrl_a;
        }
        if (creds_.port != 0) {
            msg += "port=";
            msg += std::to_string(creds_.port);
            msg += ctrl_a;
        }
        msg += "auth=Bearer ";
        msg += creds_.oauth_token;
        msg += ctrl_a;
        msg += ctrl_a;
        sent_ = true;
        return msg;
    }

private:
    std::string error_response() const override { return std::string(1, ctrl_a); }
};

} // namespace

std::unique_ptr<mechanism> make_xoauth2(const credentials& creds) {
    return std::make_unique<xoauth2_mechanism>(creds);
}
std::unique_ptr<mechanism> make_oauthbearer(const credentials& creds) {
    return std::make_unique<oauthbearer_mechanism>(creds);
}

} // namespace pigeon::sasl::detail
