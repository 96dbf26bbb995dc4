#pragma once
// NNTP session state (RFC 3977, 4642, 4643), free of I/O: where the session
// is and what the server offers. The client drives it; tests can too.
#include "pigeon/nntp/capabilities.hpp"

namespace pigeon::nntp {

enum class state {
    disconnected,    ///< not connected, or the connection is gone
    ready,           ///< greeted, not authenticated
    authenticated,   ///< AUTHINFO succeeded
};

class session {
public:
    state current() const noexcept { return state_; }
    /// Posting allowed per the greeting (200) rather than not (201).
    bool posting_allowed() const noexcept { return posting_; }
    const capabilities& caps() const noexcept { return caps_; }
    bool caps_known() const noexcept { return caps_known_; }

    void on_greeting(int code) noexcept { state_ = state::ready; posting_ = code == 200; }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    void on_capabilities_unavailable() { caps_ = {}; caps_known_ = false; }
    /// TLS is up: everything learned before is forgotten (RFC 4642 section 2.2.2).
    void on_tls_established() { caps_ = {}; caps_known_ = false; }
    /// Authenticated: the capability list must be fetched again (RFC 4643 section 2.2).
    void on_authenticated() { state_ = state::authenticated; caps_ = {}; caps_known_ = false; }
    void on_closed() noexcept { state_ = state::disconnected; }

private:
    state state_ = state::disconnected;
    bool posting_ = false;
    bool caps_known_ = false;
    capabilities caps_;
};

} // namespace pigeon::nntp
