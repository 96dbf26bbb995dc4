#pragma once
// The client core under SMTP, POP3, IMAP and NNTP (curl's "pingpong" layer):
// one connection owns the net::channel and runs what every protocol does the
// same way — set-up (greeting, capabilities, required STARTTLS with the
// response-injection check, capabilities again under TLS), the SASL loop with
// one fallback rule, password-command fallback, error mapping (every failure
// that kills the connection closes it first) and tracing. A protocol supplies
// only what differs through a core::dialect: its greeting rules, its
// capability command, its STARTTLS command, its SASL syntax.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigeon/core/command_line.hpp"
#include "pigeon/core/error.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"

namespace pigeon::core {

/// SASL limits, the same for every protocol.
struct auth_limits {
    sasl::mechanism_limits mechanisms;  ///< SCRAM iteration count bounds
    sasl::exchange_limits exchange;     ///< challenge limit
};

/// The options every client's client_options starts with (the same names on
/// every protocol): opts.net, opts.limits (the protocol's own limits on what
/// the server sends) and opts.auth.
template <class Limits>
struct client_options_base {
    /// Connect and I/O timeouts, TLS settings (CA file, pins, verification),
    /// the trace hook and the channel's buffer sizes.
    net::session_options net;
    /// Limits on what the server sends.
    Limits limits;
    /// SASL limits (SCRAM iteration count bounds, challenge limit).
    auth_limits auth;
};

/// What authenticate() used.
struct auth_result {
    std::string mechanism;          ///< the SASL mechanism, or the password command ("USER", "LOGIN", "AUTHINFO USER")
    bool password_command = false;  ///< true when a password command was used instead of SASL
};

/// What a connection learned while it was set up (for `pigeon probe` and
/// diagnostics). Server text: escape control characters before printing.
struct session_info {
    /// The greeting as received (SMTP: the text lines joined by '\n'). On a
    /// STARTTLS connection it was received before TLS: informational only.
    std::string greeting;
    /// The capability lines received on the clear connection (empty with
    /// implicit TLS or when the server would not say).
    std::vector<std::string> capabilities_before_tls;
    /// The capability lines received under TLS.
    std::vector<std::string> capabilities_after_tls;
    bool tls_active = false;     ///< TLS protects the connection
    bool starttls_used = false;  ///< TLS came from STARTTLS rather than implicit TLS
    std::string auth_mechanism;  ///< what authenticate() used, empty before
};

/// One step of a SASL exchange as the protocol read it.
struct sasl_step {
    sasl::reply reply;    ///< challenge / success / failure
    server_reply server;  ///< the same reply for error reports
};

/// What a protocol supplies to the core. The client implements it; the core
/// calls it during connect and authenticate.
class dialect {
public:
    virtual ~dialect() = default;
    /// "SMTP", "POP3", "IMAP", "NNTP": for messages.
    virtual const char* protocol_name() const noexcept = 0;

    // ---- set-up --------------------------------------------------------------
    /// Reads the greeting. Refusals throw (protocol_error / command_error).
    virtual void read_greeting(net::tls_mode mode) = 0;
    /// Reads (or takes from the greeting) the capabilities into the protocol's
    /// session and returns them as raw lines. When the server will not say:
    /// nullopt, or fail(capability_failed) when required.
    virtual std::optional<std::vector<std::string>> read_capabilities(bool required) = 0;
    virtual bool starttls_offered() const = 0;
    /// Sends the STARTTLS command alone in its write and reads the go-ahead;
    /// anything else: fail(starttls_refused).
    virtual void request_starttls() = 0;
    /// TLS is up: everything learned before is forgotten (RFC 2595 section 4).
    virtual void on_tls_established() = 0;
    /// A polite goodbye before the core abandons the connection during
    /// set-up (SMTP sends QUIT); must not throw.
    virtual void say_goodbye() noexcept {}

    // ---- authentication ------------------------------------------------------
    /// The SASL mechanisms the server offers now.
    virtual std::vector<std::string> sasl_mechanisms() const = 0;
    /// The start line of an exchange ("AUTH PLAIN <ir>", "a1 AUTHENTICATE
    /// PLAIN <ir>", "AUTHINFO SASL PLAIN <ir>"); initial_b64 is nullopt when
    /// it does not go on the line. Throws request_error for a bad name.
    virtual std::string sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64) = 0;
    /// The line answering a challenge (base64; empty for an empty
    /// response). Default: as is. NNTP sends an empty one as "=".
    virtual std::string sasl_response_line(std::string_view b64) const { return std::string(b64); }
    /// May an initial response of this length go on the start line?
    virtual bool sasl_initial_response_fits(std::string_view mechanism, std::size_t b64_length) const = 0;
    /// Reads and classifies the next reply of an exchange.
    virtual sasl_step read_sasl_reply() = 0;
    /// The final reply of a failed exchange says the server refuses the
    /// mechanism itself (not the credentials): the next one may be tried.
    virtual bool mechanism_unavailable(const server_reply& final_reply) const = 0;
    /// The password command ("USER", "LOGIN", "AUTHINFO USER"), if the
    /// protocol has one and the server allows it now; empty otherwise.
    virtual std::string password_command() const { return {}; }
    /// Runs the password command; throws auth_error when refused.
    virtual void password_login(const sasl::credentials&) {}
    /// Authenticated: move the session on and learn the capabilities again.
    virtual void after_auth() = 0;
};

/// The core::dialect overrides a protocol client declares: one list for all
/// four; each protocol defines them (name: "POP3", "IMAP"...).
#define PIGEON_CORE_DIALECT_OVERRIDES(name)                                                                     \
    const char* protocol_name() const noexcept override { return name; }                                      \
    void read_greeting(net::tls_mode mode) override;                                                           \
    std::optional<std::vector<std::string>> read_capabilities(bool required) override;                         \
    bool starttls_offered() const override;                                                                    \
    void request_starttls() override;                                                                          \
    void on_tls_established() override;                                                                       \
    std::vector<std::string> sasl_mechanisms() const override;                                                 \
    std::string sasl_start_line(std::string_view mechanism, const std::optional<std::string>& initial_b64)     \
        override;                                                                                              \
    bool sasl_initial_response_fits(std::string_view mechanism, std::size_t b64_length) const override;       \
    core::sasl_step read_sasl_reply() override;                                                                \
    bool mechanism_unavailable(const core::server_reply& final_reply) const override;                          \
    void after_auth() override

/// The channel and what every protocol does with it the same way.
class connection {
public:
    connection() = default;
    connection(connection&&) noexcept = default;
    connection& operator=(connection&&) noexcept = default;

    /// Takes over an open channel to ep and applies the trace hook of opts.
    void attach(net::channel ch, const net::endpoint& ep, const net::session_options& opts);
    /// Connects to ep (TCP, then TLS at once for implicit TLS).
    void open(const net::endpoint& ep, const net::session_options& opts);

    bool is_open() const noexcept { return ch_.has_value() && ch_->is_open(); }
    bool is_tls() const noexcept { return is_open() && ch_->is_tls(); }
    /// The channel; request_error(invalid_state) when closed.
    net::channel& channel();
    const net::channel& channel() const;
    void close() noexcept;

    // ---- I/O: every failure closes the connection and throws -----------------
    /// One line, without its line end, valid until the next call.
    std::string_view read_line(std::size_t max, std::string_view context);
    void write_line(std::string_view line, net::secret_span secret = {0, 0});
    void write_lines(const std::vector<std::string>& lines);
    void write_raw(std::string_view bytes);
    /// A dot-terminated block after its status line (POP3, NNTP), to sink (an
    /// empty sink discards); returns its size. When a limit, a bad line or
    /// the sink itself (by throwing) stops the block half way, the rest of it
    /// cannot be told from the next reply: the connection is closed.
    std::uint64_t read_dot_block(const net::sink_fn& sink, std::size_t max_bytes, std::string_view context);
    /// A small dot block (CAPA, CAPABILITIES) as its lines, without line ends.
    std::vector<std::string> read_dot_lines(std::size_t max_bytes, std::string_view context);
    /// Writes an encoded command; an encoder's refusal (nullopt) is a
    /// request_error with its code, nothing sent.
    void send(const std::optional<command_line>& cmd, const std::error_code& ec, std::string_view what);
    /// Sends a command alone in its write (nothing pipelined after it, as
    /// POP3 STLS and NNTP STARTTLS need) and returns its one-line reply,
    /// valid until the next read.
    std::string_view exchange_line(const std::optional<command_line>& cmd, const std::error_code& ec,
                                   std::string_view what, std::size_t max_line);
    /// POP3 CAPA and NNTP CAPABILITIES after their positive status line:
    /// reads the list, hands the parsed set to the protocol's session and
    /// returns the lines as received.
    template <class Capabilities, class Session>
    std::vector<std::string> read_capability_list(Session& session, std::size_t max_bytes, std::string_view context) {
        auto raw = read_dot_lines(max_bytes, context);
        session.on_capabilities(Capabilities::parse(raw));
        return raw;
    }
    /// Closes and throws protocol_error.
    [[noreturn]] void fail(errc e, const std::string& what, server_reply r = {});
    [[noreturn]] void fail(std::error_code ec, const std::string& what, server_reply r = {});
    /// Closes and throws the net error (transport_error / tls_error).
    [[noreturn]] void transport_failed(std::error_code ec, std::string_view context);

    // ---- the shared steps ------------------------------------------------------
    /// Opens ep (or takes over ch) and runs set_up with ep.tls.
    void connect(dialect& d, const net::endpoint& ep, const net::session_options& opts, session_info& info);
    void connect(dialect& d, net::channel ch, const net::endpoint& ep, const net::session_options& opts,
                 session_info& info);
    /// Greeting, capabilities, required STARTTLS (mode == starttls), the TLS
    /// handshake refusing injected bytes, capabilities again. On any failure
    /// the connection is closed.
    void set_up(dialect& d, net::tls_mode mode, const net::tls_options& tls, session_info& info);
    /// Upgrades after the go-ahead was read (fails with data_after_starttls
    /// when the server sent more).
    void start_tls(const net::tls_options& tls, std::string_view context);

    /// The strongest usable SASL mechanism (sasl::rank over what the server
    /// offers; PLAIN/LOGIN/token mechanisms never without TLS unless
    /// sel.allow_cleartext_secrets). When the server refuses a mechanism
    /// itself (dialect::mechanism_unavailable), the next one is tried; a
    /// refusal of the credentials ends it. With no usable SASL mechanism, the
    /// protocol's password command when it has one (again only over TLS unless
    /// allowed), and only when sel.allowed is empty or names it. Empty
    /// creds.host / creds.port are taken from the endpoint.
    auth_result authenticate(dialect& d, const sasl::credentials& creds, const sasl::selection_options& sel,
                             const auth_limits& limits, session_info& info);

private:
    std::optional<net::channel> ch_;
    std::string host_;          // for SASL mechanisms that name the server (OAUTHBEARER)
    unsigned short port_ = 0;
};

/// The public face the POP3, IMAP and NNTP clients share: connect() to an
/// endpoint or over a caller's channel, is_connected(), info(), channel(),
/// state(), capabilities().
/// Derived is the protocol's dialect and supplies prepare(opts) (forget the
/// last connection's state, keep opts); SMTP has the same face through its
/// own implementation (it reconnects).
template <class Derived, class Options, class Info, class Session>
class client_base : protected dialect {
public:
    /// The session's state (what may be sent now); disconnected once the
    /// connection is closed.
    auto state() const noexcept -> decltype(std::declval<const Session&>().current()) {
        using state_type = decltype(session_.current());
        return conn_.is_open() ? session_.current() : state_type::disconnected;
    }
    /// What the server announced; learned again after TLS and after
    /// authentication.
    const auto& capabilities() const noexcept { return session_.caps(); }

    /// Connects (TCP, then TLS at once for implicit-TLS endpoints) and runs
    /// the set-up. Throws net::transport_error, net::tls_error, protocol_error.
    void connect(const net::endpoint& ep, const Options& opts = {}) {
        static_cast<Derived&>(*this).prepare(opts);
        conn_.connect(*this, ep, opts.net, info_);
    }
    /// The same set-up over a channel that is already open (tests, proxies):
    /// ep.tls says how TLS is used (implicit: the channel must already be TLS).
    void connect(net::channel ch, const net::endpoint& ep, const Options& opts = {}) {
        static_cast<Derived&>(*this).prepare(opts);
        conn_.connect(*this, std::move(ch), ep, opts.net, info_);
    }
    bool is_connected() const noexcept { return conn_.is_open(); }
    /// Greeting, capabilities before/after TLS, TLS, mechanism used.
    const Info& info() const noexcept { return info_; }
    /// The channel (TLS details; cancel() from another thread); request_error
    /// when not connected.
    net::channel& channel() { return conn_.channel(); }

protected:
    connection conn_;
    Options opts_;
    Info info_;
    Session session_;
};

} // namespace pigeon::core
