#pragma once
// The pure state of one SMTP/LMTP session: where in the dialogue it is, what
// the server announced, and which commands are legal now. No I/O; the client
// drives it and consults it before every command.
#include "pigeon/smtp/capabilities.hpp"

namespace pigeon::smtp {

enum class state {
    disconnected,  ///< no connection
    greeted,       ///< 220 greeting read; no EHLO yet (or discarded by TLS)
    ready,         ///< EHLO/HELO/LHLO done; no transaction
    mail,          ///< MAIL FROM accepted
    rcpt,          ///< at least one RCPT TO accepted
    data,          ///< message data being sent (DATA 354 or BDAT chunks)
    closed,        ///< QUIT sent, or the connection failed
};

enum class command { ehlo, helo, lhlo, starttls, auth, mail, rcpt, data, bdat, rset, noop, quit };

const char* to_string(state s) noexcept;
const char* to_string(command c) noexcept;

class session {
public:
    state current() const noexcept { return state_; }
    bool lmtp() const noexcept { return lmtp_; }
    bool tls() const noexcept { return tls_; }
    bool authenticated() const noexcept { return authenticated_; }
    const capabilities& caps() const noexcept { return caps_; }

    /// Is cmd legal now? EHLO/HELO in greeted or ready (LHLO instead in LMTP
    /// mode); STARTTLS once, when offered, before AUTH and outside a
    /// transaction; AUTH once, when offered, outside a transaction; MAIL in
    /// ready; RCPT after MAIL; DATA after an accepted RCPT (BDAT also needs
    /// CHUNKING); RSET and NOOP whenever connected and not in data; QUIT
    /// whenever connected.
    bool allowed(command cmd) const noexcept;

    void on_connected(bool lmtp, bool tls) noexcept;   ///< TCP (and implicit TLS) up
    void on_greeting() noexcept;                       ///< 220 read
    void on_hello(capabilities caps) noexcept;         ///< EHLO/HELO/LHLO accepted
    /// TLS is up after STARTTLS: capabilities are discarded, EHLO must be
    /// issued again.
    void on_tls() noexcept;
    void on_authenticated() noexcept;
    void on_mail() noexcept;                           ///< MAIL FROM accepted
    void on_rcpt() noexcept;                           ///< a RCPT TO accepted
    void on_data() noexcept;                           ///< 354, or first BDAT
    void on_transaction_end() noexcept;                ///< final reply, or RSET accepted
    void on_closed() noexcept;

private:
    state state_ = state::disconnected;
    bool lmtp_ = false;
    bool tls_ = false;
    bool authenticated_ = false;
    capabilities caps_;
};

} // namespace pigeon::smtp
