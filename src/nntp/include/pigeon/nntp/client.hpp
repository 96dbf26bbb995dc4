#pragma once
// The blocking NNTP client: connects, reads the greeting (200/201) and
// CAPABILITIES, upgrades with STARTTLS (RFC 4642) when the endpoint asks for
// it (required: refused when not offered or not answered 382, before anything
// else is sent), re-reads CAPABILITIES under TLS, and authenticates with
// AUTHINFO SASL or AUTHINFO USER/PASS (RFC 4643).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"
#include "pigeon/nntp/reply.hpp"
#include "pigeon/nntp/session.hpp"
#include "pigeon/nntp/session_info.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::nntp {

struct client_options {
    net::session_options net;                 ///< connect, TLS, trace and channel limits
    std::size_t max_line = 16 * 1024;         ///< longest status line accepted (RFC 3977: 512)
    std::size_t max_capabilities_bytes = 64 * 1024;
    sasl::mechanism_limits mechanisms;
    sasl::exchange_limits exchange;
};

struct auth_result {
    std::string mechanism;          ///< the SASL mechanism, or "AUTHINFO USER"
    bool password_command = false;  ///< true for AUTHINFO USER/PASS
};

class client {
public:
    static client connect(const net::endpoint& ep, const client_options& opts = {});
    /// The same set-up over a channel that is already open (tests, proxies).
    static client start(net::channel ch, net::tls_mode mode, const client_options& opts = {});

    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    ~client();

    const session_info& info() const noexcept { return info_; }
    const capabilities& caps() const noexcept { return session_.caps(); }
    const session& session_state() const noexcept { return session_; }
    net::channel& channel() noexcept { return channel_; }
    const net::channel& channel() const noexcept { return channel_; }

    /// AUTHINFO SASL with the strongest usable mechanism, or AUTHINFO
    /// USER/PASS (see session::plan_auth). Re-reads CAPABILITIES afterwards.
    /// Throws auth_error when refused or when nothing may be used.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& opts = {});

    /// AUTHINFO USER/PASS. Refused (cleartext_refused) without TLS unless
    /// allow_cleartext. Throws auth_error on 481/482/483/502.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// Reads CAPABILITIES again (also done after TLS and authentication).
    const capabilities& refresh_capabilities();

    /// QUIT (205) and close.
    void quit();

private:
    client(net::channel ch, const client_options& opts);
    void set_up(net::tls_mode mode);
    void read_greeting();
    bool read_capabilities(std::vector<std::string>& raw);
    void upgrade_to_tls();
    void run_sasl(const std::string& mechanism, const sasl::credentials& creds);
    void after_auth();

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

} // namespace pigeon::nntp
