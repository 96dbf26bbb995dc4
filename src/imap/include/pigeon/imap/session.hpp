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
    disconnected,       ///< not connected, or the connection is gone
    not_authenticated,  ///< * OK greeting
    authenticated,      ///< * PREAUTH greeting, or LOGIN/AUTHENTICATE succeeded
    selected,           ///< a mailbox is selected
    logout,             ///< LOGOUT sent or BYE received
};

class session {
public:
    state current() const noexcept { return state_; }
    const capabilities& caps() const noexcept { return caps_; }
    bool caps_known() const noexcept { return caps_known_; }

    /// The greeting's condition: ok, preauth (bye and others close).
    void on_greeting(condition c) noexcept {
        state_ = c == condition::preauth ? state::authenticated : state::not_authenticated;
    }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    /// TLS is up: everything learned before is forgotten (RFC 9051 section 6.2.1).
    void on_tls_established() { caps_ = {}; caps_known_ = false; }
    /// Authenticated: capabilities may change and must be learned again.
    void on_authenticated() { state_ = state::authenticated; caps_ = {}; caps_known_ = false; }
    void on_logout() noexcept { state_ = state::logout; }
    void on_closed() noexcept { state_ = state::disconnected; }
    /// A mailbox was selected (SELECT/EXAMINE OK) or closed (CLOSE/UNSELECT).
    void on_selected(bool selected) noexcept { state_ = selected ? state::selected : state::authenticated; }

    /// How literals may be sent, from LITERAL+ / LITERAL-.
    literal_options literals() const noexcept;

private:
    state state_ = state::disconnected;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::imap
