#pragma once
// The blocking POP3 client: connects, reads the greeting and CAPA, upgrades
// with STLS when the endpoint asks for STARTTLS (required: refused when not
// offered or not accepted, before anything else is sent), re-reads CAPA under
// TLS, and authenticates through SASL or USER/PASS. Throws the exceptions of
// pop3/error.hpp and net/error.hpp.
#include <cstddef>
#include <string>
#include <string_view>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/pop3/capabilities.hpp"
#include "pigeon/pop3/command.hpp"
#include "pigeon/pop3/error.hpp"
#include "pigeon/pop3/reply.hpp"
#include "pigeon/pop3/session.hpp"
#include "pigeon/pop3/session_info.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::pop3 {

struct client_options {
    net::session_options net;                 ///< connect, TLS, trace and channel limits
    std::size_t max_line = 8 * 1024;          ///< longest status line accepted (RFC 2449: 512)
    std::size_t max_capa_bytes = 64 * 1024;   ///< largest CAPA response accepted
    sasl::mechanism_limits mechanisms;        ///< SCRAM iteration bounds
    sasl::exchange_limits exchange;           ///< challenge limit
};

/// What authenticate() used.
struct auth_result {
    std::string mechanism;          ///< the SASL mechanism, or "USER" for USER/PASS
    bool password_command = false;  ///< true for USER/PASS
};

class client {
public:
    /// Opens the connection to ep (TCP, then TLS at once for implicit TLS)
    /// and runs the set-up described above.
    static client connect(const net::endpoint& ep, const client_options& opts = {});
    /// The same set-up over a channel that is already open (tests, proxies).
    /// With tls_mode::implicit the channel must already be TLS.
    static client start(net::channel ch, net::tls_mode mode, const client_options& opts = {});

    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    ~client();

    const session_info& info() const noexcept { return info_; }
    const capabilities& caps() const noexcept { return session_.caps(); }
    const session& session_state() const noexcept { return session_; }
    net::channel& channel() noexcept { return channel_; }
    const net::channel& channel() const noexcept { return channel_; }

    /// Authenticates with the strongest SASL mechanism that may be used
    /// (sasl::rank), or else USER/PASS (see session::plan_auth). Throws
    /// auth_error when refused or when nothing may be used; nothing secret is
    /// sent on a connection without TLS unless opts.allow_cleartext_secrets.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& opts = {});

    /// USER/PASS (RFC 1939 section 7). Refused (cleartext_refused) without TLS
    /// unless allow_cleartext. Throws auth_error when the server says -ERR.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// QUIT and close. Throws command_error if the server answers -ERR
    /// (RFC 1939: some deletions failed); the connection is closed anyway.
    void quit();

private:
    client(net::channel ch, const client_options& opts);
    void set_up(net::tls_mode mode);
    void read_greeting();
    bool read_capabilities(std::vector<std::string>& raw);
    void upgrade_to_tls();
    void run_sasl(const std::string& mechanism, const sasl::credentials& creds);

    class auth_binding;
    reply read_reply();
    std::string read_line_copy();
    void send(const command_line& cmd);
    [[noreturn]] void fail(errc e, const std::string& what);

    net::channel channel_;
    client_options opts_;
    session session_;
    session_info info_;
};

} // namespace pigeon::pop3
