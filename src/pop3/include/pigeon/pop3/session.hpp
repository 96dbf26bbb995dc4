#pragma once
// POP3 session state (RFC 1939 section 3), free of I/O: where the session is,
// what the server offers, and the decisions that follow from it (may STLS be
// sent, how to authenticate). The client drives it; tests can too.
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/pop3/capabilities.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::pop3 {

enum class state {
    greeting,        ///< connected, greeting not read yet
    authorization,   ///< greeted; USER/PASS/AUTH/STLS/CAPA allowed
    transaction,     ///< authenticated
    closed,          ///< QUIT sent or connection gone
};

/// How authenticate() will proceed.
struct auth_plan {
    enum class method { sasl, user_pass, none };
    method how = method::none;
    std::string mechanism;   ///< the SASL mechanism for method::sasl
    std::error_code refusal; ///< why for method::none (errc::no_mechanism, cleartext_refused)
};

class session {
public:
    state current() const noexcept { return state_; }
    bool tls_active() const noexcept { return tls_; }
    const capabilities& caps() const noexcept { return caps_; }
    /// True when CAPA was answered (+OK) on the current TLS state.
    bool caps_known() const noexcept { return caps_known_; }

    void on_greeting() noexcept { state_ = state::authorization; }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    void on_capabilities_unavailable() { caps_ = {}; caps_known_ = false; }
    /// TLS is up: everything learned before is forgotten (RFC 2595 section 4).
    void on_tls_established() { tls_ = true; caps_ = {}; caps_known_ = false; }
    void on_authenticated() noexcept { state_ = state::transaction; }
    void on_closed() noexcept { state_ = state::closed; }

    /// May STLS be sent now? errc::starttls_not_offered if not advertised,
    /// invalid_state outside AUTHORIZATION or when TLS is already active.
    std::error_code check_starttls() const;

    /// Chooses SASL (strongest usable) or USER/PASS. USER/PASS only when no
    /// mechanism may be used, opts.allowed is empty, the server offers USER
    /// (or answered no CAPA at all), and TLS is active or cleartext secrets
    /// are explicitly allowed.
    auth_plan plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const;

private:
    state state_ = state::greeting;
    bool tls_ = false;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::pop3
