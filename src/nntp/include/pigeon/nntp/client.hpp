#pragma once
// The blocking NNTP client (RFC 3977, 4642, 4643), on the shared client core:
// connect() reads the greeting (200/201) and CAPABILITIES, upgrades with
// STARTTLS when the endpoint asks for it (required: refused when not offered
// or not answered 382, before anything else is sent) and re-reads
// CAPABILITIES under TLS; authenticate() runs AUTHINFO SASL or AUTHINFO
// USER/PASS and re-reads CAPABILITIES.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"
#include "pigeon/nntp/reply.hpp"
#include "pigeon/nntp/session.hpp"

namespace pigeon::nntp {

using core::auth_result;

/// What connect() learned; greeting_code is 200 (posting allowed) or 201.
struct session_info : core::session_info {
    int greeting_code = 0;
};

struct client_limits {
    std::size_t max_line = 16 * 1024;                 ///< longest status line (RFC 3977: 512)
    std::size_t max_capabilities_bytes = 64 * 1024;   ///< largest CAPABILITIES response
};

struct client_options {
    net::session_options net;   ///< connect, TLS, trace and channel limits
    client_limits limits;
    core::auth_limits auth;     ///< SASL limits
};

class client : private core::dialect {
public:
    client();
    ~client() override;
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;

    /// Connects (TCP, TLS at once for nntps) and runs the set-up above.
    void connect(const net::endpoint& ep, const client_options& opts = {});
    /// The same set-up over a channel that is already open (tests, proxies):
    /// ep.tls says how TLS is used (implicit: the channel must already be TLS).
    void connect(net::channel ch, const net::endpoint& ep, const client_options& opts = {});

    /// AUTHINFO SASL with the strongest usable mechanism, else AUTHINFO
    /// USER/PASS (see core::connection::authenticate).
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});
    /// AUTHINFO USER/PASS; refused without TLS unless allow_cleartext.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// Reads CAPABILITIES again (also done after TLS and authentication).
    const nntp::capabilities& refresh_capabilities();

    /// DATE is the cheapest command that every server answers: a keep-alive.
    void noop();
    /// QUIT (205) and close.
    void quit();
    /// Closes without QUIT.
    void close() noexcept;

    bool is_connected() const noexcept;
    nntp::state state() const noexcept;
    const nntp::capabilities& capabilities() const noexcept { return session_.caps(); }
    const session_info& info() const noexcept { return info_; }
    net::channel& channel() { return conn_.channel(); }

private:
    // core::dialect
    const char* protocol_name() const noexcept override { return "NNTP"; }
    void read_greeting(net::tls_mode mode) override;
    std::optional<std::vector<std::string>> read_capabilities(bool required) override;
    bool starttls_offered() const override;
    void request_starttls() override;
    void on_tls_established() override;
    std::vector<std::string> sasl_mechanisms() const override;
    std::string sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64) override;
    bool sasl_initial_response_fits(std::string_view mechanism, std::size_t b64_length) const override;
    core::sasl_step read_sasl_reply() override;
    bool mechanism_unavailable(const core::server_reply& final_reply) const override;
    std::string password_command() const override;
    void password_login(const sasl::credentials& creds) override;
    void after_auth() override;

    reply read_reply(std::string_view context);
    void send(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what);
    /// Sends cmd and reads its status line.
    reply run(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what);
    /// Reads the dot block after a status line into sink; returns its size.
    std::uint64_t read_block(const net::sink_fn& sink, std::size_t max, std::string_view context);
    [[noreturn]] void refused(const char* what, const reply& r);

    core::connection conn_;
    client_options opts_;
    session session_;
    session_info info_;
};

} // namespace pigeon::nntp
