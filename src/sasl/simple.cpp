// PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and EXTERNAL
// (RFC 4422 appendix A).
#include "detail/crypto.hpp"
#include "detail/mechanisms.hpp"
#include "pigeon/sasl/error.hpp"

namespace pigeon::sasl::detail {
namespace {

// PLAIN sends the password as given, without SASLprep. RFC 4616 says a client
// SHOULD prepare it, but PLAIN servers compare what arrives with a stored
// string or hand it to PAM/LDAP as is; preparing it here would turn, say, a
// fullwidth or decomposed password that the server stored verbatim into a
// different byte string and lock its owner out. SCRAM and CRAM-MD5 hash the
// password on both sides, where RFC 5802 makes SASLprep part of the
// algorithm, so only they prepare it.
class plain_mechanism final : public mechanism {
public:
    explicit plain_mechanism(const credentials& c) : creds_(c) {}
    ~plain_mechanism() override { wipe_secrets(creds_); }
    plain_mechanism(const plain_mechanism&) = delete;
    plain_mechanism& operator=(const plain_mechanism&) = delete;

    std::string_view name() const noexcept override { return "PLAIN"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        if (creds_.username.empty() || creds_.password.empty()) {
            ec = errc::missing_credentials;
            return std::nullopt;
        }
        // NUL separates the fields: one inside a field would shift them.
        if (contains(creds_.authzid, '\0') || contains(creds_.username, '\0') ||
            contains(creds_.password, '\0')) {
            ec = errc::invalid_credentials;
            return std::nullopt;
        }
        std::string msg;
        msg.reserve(creds_.authzid.size() + creds_.username.size() + creds_.password.size() + 2);
        msg += creds_.authzid;
        msg.push_back('\0');
        msg += creds_.username;
        msg.push_back('\0');
        msg += creds_.password;
        return msg;
    }

    std::string respond(std::string_view /*challenge*/, std::error_code& ec) override {
        // PLAIN is one message; the exchange loop itself answers the empty
        // challenge that asks for a deferred initial response.
        ec = errc::bad_challenge;
        return {};
    }

    bool exposes_secret() const noexcept override { return true; }

private:
    credentials creds_;
};

// LOGIN: the server asks "Username:" then "Password:" (base64). The prompts
// are not standardised (some servers localise them), so they are answered by
// order, which is what every server expects.
class login_mechanism final : public mechanism {
public:
    explicit login_mechanism(const credentials& c) : creds_(c) {}
    ~login_mechanism() override { wipe_secrets(creds_); }
    login_mechanism(const login_mechanism&) = delete;
    login_mechanism& operator=(const login_mechanism&) = delete;

    std::string_view name() const noexcept override { return "LOGIN"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        return std::nullopt;  // server speaks first
    }

    std::string respond(std::string_view /*challenge*/, std::error_code& ec) override {
        ec.clear();
        if (creds_.username.empty() || creds_.password.empty()) {
            ec = errc::missing_credentials;
            return {};
        }
        switch (step_++) {
        case 0: return creds_.username;
        case 1: return creds_.password;
        default: ec = errc::bad_challenge; return {};
        }
    }

    bool exposes_secret() const noexcept override { return true; }

private:
    credentials creds_;
    unsigned step_ = 0;
};

// EXTERNAL: the identity comes from outside SASL (a TLS client certificate);
// the message is the authorisation identity, usually empty.
class external_mechanism final : public mechanism {
public:
    explicit external_mechanism(const credentials& c) : authzid_(c.authzid) {}

    std::string_view name() const noexcept override { return "EXTERNAL"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        if (contains(authzid_, '\0')) {
            ec = errc::invalid_credentials;
            return std::nullopt;
        }
        return authzid_;
    }

    std::string respond(std::string_view /*challenge*/, std::error_code& ec) override {
        ec = errc::bad_challenge;
        return {};
    }

    bool exposes_secret() const noexcept override { return false; }

private:
    std::string authzid_;
};

} // namespace

std::unique_ptr<mechanism> make_plain(const credentials& creds) { return std::make_unique<plain_mechanism>(creds); }
std::unique_ptr<mechanism> make_login(const credentials& creds) { return std::make_unique<login_mechanism>(creds); }
std::unique_ptr<mechanism> make_external(const credentials& creds) {
    return std::make_unique<external_mechanism>(creds);
}

} // namespace pigeon::sasl::detail
