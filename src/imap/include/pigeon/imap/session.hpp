#pragma once
// IMAP session state (RFC 9051 section 3), free of I/O: the state, what the
// server offers, whether TLS is up, and the decisions that follow (may
// STARTTLS be sent, how to authenticate, how literals may be sent).
#include <string>
#include <system_error>

#include "pigeon/imap/capabilities.hpp"
#include "pigeon/imap/command.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::imap {

enum class state {
    greeting,           ///< connected, greeting not read yet
    not_authenticated,  ///< * OK greeting
    authenticated,      ///< * PREAUTH greeting, or LOGIN/AUTHENTICATE succeeded
    selected,           ///< a mailbox is selected
    logout,             ///< LOGOUT sent, BYE received, or connection gone
};

struct auth_plan {
    enum class method { sasl, login, none };
    method how = method::none;
    std::string mechanism;   ///< for method::sasl
    std::error_code refusal; ///< why for method::none
};

class session {
public:
    state current() const noexcept { return state_; }
    bool tls_active() const noexcept { return tls_; }
    const capabilities& caps() const noexcept { return caps_; }
    bool caps_known() const noexcept { return caps_known_; }

    /// The greeting's condition: ok, preauth (bye and others close).
    void on_greeting(condition c) noexcept {
        state_ = c == condition::preauth ? state::authenticated : state::not_authenticated;
    }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    /// TLS is up: everything learned before is forgotten (RFC 9051 section 6.2.1).
    void on_tls_established() { tls_ = true; caps_ = {}; caps_known_ = false; }
    /// Authenticated: capabilities may change and must be learned again.
    void on_authenticated() { state_ = state::authenticated; caps_ = {}; caps_known_ = false; }
    void on_logout() noexcept { state_ = state::logout; }

    /// May STARTTLS be sent now? starttls_not_offered when not advertised,
    /// invalid_state outside not-authenticated or when TLS is already up.
    std::error_code check_starttls() const;

    /// SASL (strongest usable AUTH= mechanism), else LOGIN when opts.allowed
    /// is empty, LOGINDISABLED is absent, and TLS is active or cleartext
    /// secrets are explicitly allowed.
    auth_plan plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const;

    /// How literals may be sent, from LITERAL+ / LITERAL-.
    literal_options literals() const noexcept;

private:
    state state_ = state::greeting;
    bool tls_ = false;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::imap
