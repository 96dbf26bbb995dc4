#pragma once
// The blocking IMAP client (RFC 9051 / 3501), on the shared client core:
// connect() reads the greeting (* OK, * PREAUTH or * BYE) and the
// capabilities, upgrades with STARTTLS when the endpoint asks for it
// (required: refused when not offered, not answered OK, or when a PREAUTH
// greeting arrives on the clear connection, before anything else is sent),
// re-reads CAPABILITY under TLS; authenticate() runs AUTHENTICATE (with
// SASL-IR when offered) or LOGIN.
//
// Untagged data never accumulates without bound: run() hands each untagged
// response to the caller's handler as it arrives (typed commands fold them
// into their result); without a handler, at most limits.max_untagged_kept are
// kept and a command that draws more fails with response_too_large.
//
// One command is in flight at a time. A tagged response for any other tag, or
// a tagged OK before the command was sent completely, is a protocol error
// that closes the connection.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/imap/capabilities.hpp"
#include "pigeon/imap/command.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/imap/response_parser.hpp"
#include "pigeon/imap/session.hpp"
#include "pigeon/imap/string_encoding.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"

namespace pigeon::imap {

using core::auth_result;

/// What connect() learned; capabilities are one atom per entry.
struct session_info : core::session_info {
    bool preauth = false;  ///< the greeting was * PREAUTH
};

struct client_limits {
    parser_limits parser;                  ///< response size bounds
    /// Untagged responses run() keeps for a caller without a handler.
    std::size_t max_untagged_kept = 10'000;
};

struct client_options {
    net::session_options net;   ///< connect, TLS, trace and channel limits
    client_limits limits;
    core::auth_limits auth;     ///< SASL limits
    /// Tag prefix; empty (the default): 4 random letters.
    std::string tag_prefix;
};

/// A finished command: its tagged completion (OK) and, when run() had no
/// handler, the untagged responses that arrived while it ran.
struct command_result {
    response completion;
    std::vector<response> untagged;
};

/// Receives each untagged response while a command runs.
using untagged_handler = std::function<void(response&)>;

class client : private core::dialect {
public:
    client();
    ~client() override;
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;

    /// Connects (TCP, TLS at once for imaps) and runs the set-up above.
    void connect(const net::endpoint& ep, const client_options& opts = {});
    /// The same set-up over a channel that is already open (tests, proxies):
    /// ep.tls says how TLS is used (implicit: the channel must already be TLS).
    void connect(net::channel ch, const net::endpoint& ep, const client_options& opts = {});

    /// AUTHENTICATE with the strongest usable mechanism, else LOGIN (see
    /// core::connection::authenticate). Capabilities are learned again.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});
    /// LOGIN user password. Refused without sending when LOGINDISABLED is
    /// announced, and without TLS unless allow_cleartext.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// CAPABILITY; the session's capabilities are replaced.
    const imap::capabilities& refresh_capabilities();

    /// A new unique tag for a command built by the caller.
    std::string next_tag() { return tags_.next(); }
    /// How literals may be sent now (for command_builder).
    literal_options literals() const noexcept { return session_.literals(); }
    /// Sends cmd (waiting for "+" before each synchronizing literal) and reads
    /// until its tagged completion; each untagged response goes to on_untagged
    /// (or is kept in the result, up to limits.max_untagged_kept). Throws
    /// command_error on NO or BAD.
    command_result run(const command& cmd, const untagged_handler& on_untagged = {});

    /// NOOP: keeps the connection alive and collects pending updates.
    void noop(const untagged_handler& on_untagged = {});
    /// LOGOUT (expects BYE and a tagged OK) and close.
    void logout();
    /// Closes without LOGOUT.
    void close() noexcept;

    bool is_connected() const noexcept;
    imap::state state() const noexcept;
    const imap::capabilities& capabilities() const noexcept { return session_.caps(); }
    const session_info& info() const noexcept { return info_; }
    net::channel& channel() { return conn_.channel(); }

private:
    // core::dialect
    const char* protocol_name() const noexcept override { return "IMAP"; }
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

    response read_response();
    void handle_untagged(const response& r);
    void deliver_untagged(response& r, const untagged_handler& on_untagged, command_result& out);
    void send_literal(const command_segment& seg);
    [[noreturn]] void fail(errc e, const std::string& what);
    [[noreturn]] void transport_failed(std::error_code ec, std::string_view context);

    core::connection conn_;
    client_options opts_;
    session session_;
    session_info info_;
    response_parser parser_;
    tag_generator tags_;
    std::string first_line_;     // the first line of the last response read
    std::string bye_text_;       // set once the server said BYE
    std::string auth_tag_;       // the AUTHENTICATE in progress
    response completion_;        // the tagged completion of the last authentication
};

} // namespace pigeon::imap
