#pragma once
// NNTP session state, free of I/O: greeting, capabilities, TLS, whether the
// client has authenticated, and the decisions that follow (may STARTTLS be
// sent, how to authenticate).
#include <string>
#include <system_error>

#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::nntp {

enum class state {
    greeting,        ///< connected, greeting not read yet
    ready,           ///< greeted, not authenticated
    authenticated,   ///< AUTHINFO succeeded
    closed,          ///< QUIT sent or connection gone
};

struct auth_plan {
    enum class method { sasl, user_pass, none };
    method how = method::none;
    std::string mechanism;   ///< for method::sasl
    std::error_code refusal; ///< why for method::none
};

class session {
public:
    state current() const noexcept { return state_; }
    bool tls_active() const noexcept { return tls_; }
    /// Posting allowed per the greeting (200) rather than not (201).
    bool posting_allowed() const noexcept { return posting_; }
    const capabilities& caps() const noexcept { return caps_; }
    bool caps_known() const noexcept { return caps_known_; }

    void on_greeting(int code) noexcept { state_ = state::ready; posting_ = code == 200; }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    void on_capabilities_unavailable() { caps_ = {}; caps_known_ = false; }
    /// TLS is up: everything learned before is forgotten (RFC 4642 section 2.2.2).
    void on_tls_established() { tls_ = true; caps_ = {}; caps_known_ = false; }
    /// Authenticated: the capability list must be fetched again (RFC 4643 section 2.2).
    void on_authenticated() { state_ = state::authenticated; caps_ = {}; caps_known_ = false; }
    void on_closed() noexcept { state_ = state::closed; }

    /// May STARTTLS be sent now? starttls_not_offered when not advertised,
    /// invalid_state after authentication or when TLS is already active.
    std::error_code check_starttls() const;

    /// SASL (strongest usable of the SASL line when AUTHINFO SASL is offered),
    /// else AUTHINFO USER/PASS when offered (or when no capability list was
    /// available), opts.allowed is empty, and TLS is active or cleartext
    /// secrets are explicitly allowed.
    auth_plan plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const;

private:
    state state_ = state::greeting;
    bool tls_ = false;
    bool posting_ = false;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::nntp
