#pragma once
// The blocking IMAP client: connects, reads the greeting (* OK, * PREAUTH or
// * BYE) and the capabilities, upgrades with STARTTLS when the endpoint asks
// for it (required: refused when not offered, not answered OK, or when a
// PREAUTH greeting arrives on the clear connection, before anything else is
// sent), re-reads CAPABILITY under TLS, and authenticates through
// AUTHENTICATE (with SASL-IR when offered) or LOGIN.
//
// One command is in flight at a time. A tagged response for any other tag, or
// a tagged OK before the command was sent completely, is a protocol error
// that closes the connection.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/imap/capabilities.hpp"
#include "pigeon/imap/command.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/imap/response_parser.hpp"
#include "pigeon/imap/session.hpp"
#include "pigeon/imap/session_info.hpp"
#include "pigeon/imap/string_encoding.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::imap {

struct client_options {
    net::session_options net;           ///< connect, TLS, trace and channel limits
    parser_limits parser;               ///< response size bounds
    sasl::mechanism_limits mechanisms;
    sasl::exchange_limits exchange;
    /// Tag prefix; empty (the default): 4 random letters.
    std::string tag_prefix;
};

struct auth_result {
    std::string mechanism;          ///< the SASL mechanism, or "LOGIN" for the LOGIN command
    bool password_command = false;  ///< true for the LOGIN command
};

/// A finished command: its tagged completion (OK) and the untagged responses
/// that arrived while it ran.
struct command_result {
    response completion;
    std::vector<response> untagged;
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

    /// AUTHENTICATE with the strongest usable mechanism (initial response on
    /// the command line when SASL-IR is offered), or LOGIN (see
    /// session::plan_auth). Capabilities are learned again afterwards.
    /// Throws auth_error when refused or when nothing may be used.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& opts = {});

    /// LOGIN user password, each argument an atom, quoted string or literal.
    /// Refused without sending when LOGINDISABLED is announced, and without TLS
    /// unless allow_cleartext. Throws auth_error when the server says NO.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// CAPABILITY; the session's capabilities are replaced.
    const capabilities& refresh_capabilities();

    /// A new unique tag for a command built by the caller.
    std::string next_tag() { return tags_.next(); }
    /// How literals may be sent now (for command_builder).
    literal_options literals() const noexcept { return session_.literals(); }
    /// Sends cmd (waiting for "+" before each synchronizing literal) and reads
    /// until its tagged completion. Throws command_error on NO or BAD.
    command_result run(const command& cmd);

    /// LOGOUT (expects BYE and a tagged OK) and close.
    void logout();

private:
    client(net::channel ch, const client_options& opts);
    void set_up(net::tls_mode mode);
    void read_greeting(net::tls_mode mode);
    std::vector<std::string> learn_capabilities(bool required);
    void upgrade_to_tls();
    void run_sasl(const std::string& mechanism, const sasl::credentials& creds);
    void after_auth(const response& completion);

    class auth_binding;
    response read_response();
    void handle_untagged(const response& r);
    void send_line(const std::string& line, net::secret_span secret);
    void send_literal(const command_segment& seg);
    [[noreturn]] void fail(errc e, const std::string& what);
    [[noreturn]] void fail(std::error_code ec, const std::string& what);
    [[noreturn]] void transport_failed(std::error_code ec, const char* context);

    net::channel channel_;
    client_options opts_;
    session session_;
    session_info info_;
    response_parser parser_;
    tag_generator tags_;
    std::string first_line_;     // the first line of the last response read
    std::string bye_text_;       // set once the server said BYE
};

} // namespace pigeon::imap
