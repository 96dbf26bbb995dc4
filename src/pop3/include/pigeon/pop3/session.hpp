#pragma once
// POP3 session state (RFC 1939 section 3), free of I/O: where the session is
// and what the server offers. The client drives it; tests can too.
#include <string>

#include "pigeon/pop3/capabilities.hpp"

namespace pigeon::pop3 {

enum class state {
    disconnected,    ///< not connected, or the connection is gone
    authorization,   ///< greeted; USER/PASS/AUTH/APOP/STLS/CAPA allowed
    transaction,     ///< authenticated: STAT, LIST, RETR, DELE...
    update,          ///< QUIT sent: the server commits deletions
};

class session {
public:
    state current() const noexcept { return state_; }
    const capabilities& caps() const noexcept { return caps_; }
    /// True when CAPA was answered (+OK) on the current TLS state.
    bool caps_known() const noexcept { return caps_known_; }

    void on_greeting() noexcept { state_ = state::authorization; }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    void on_capabilities_unavailable() { caps_ = {}; caps_known_ = false; }
    /// TLS is up: everything learned before is forgotten (RFC 2595 section 4).
    void on_tls_established() { caps_ = {}; caps_known_ = false; }
    void on_authenticated() noexcept { state_ = state::transaction; }
    void on_quit() noexcept { state_ = state::update; }
    void on_closed() noexcept { state_ = state::disconnected; }

private:
    state state_ = state::disconnected;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::pop3
