#pragma once
// The blocking SMTP/LMTP client: owns a net::channel, drives the reply
// parser, the encoders and the session state, runs SASL through
// sasl::exchange, and turns failures into exceptions (error.hpp).
//
//   pigeon::smtp::client c;
//   c.connect(*net::parse_endpoint("smtp://mail.example.org:587", ec), opts);
//   c.authenticate({.username = "alice", .password = pw});
//   smtp::envelope env{.from = "alice@example.org",
//                      .recipients = {{.address = "bob@example.org"}}};
//   auto r = c.send(env, net::string_source(message));
//   for (auto& rr : r.recipients) if (!rr.accepted()) ...;
//   c.quit();
//
// Security: with tls_mode::starttls TLS is required: if STARTTLS is not
// offered or not accepted, connect() throws protocol_error having sent
// nothing but QUIT; bytes the server sent after its go-ahead abort before
// the handshake; everything learned before TLS is discarded and EHLO is
// issued again. AUTH payloads are masked in traces (unless
// trace.show_secrets) and never appear in exception messages.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/exchange.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "pigeon/smtp/capabilities.hpp"
#include "pigeon/smtp/envelope.hpp"
#include "pigeon/smtp/error.hpp"
#include "pigeon/smtp/reply.hpp"
#include "pigeon/smtp/reply_parser.hpp"
#include "pigeon/smtp/result.hpp"
#include "pigeon/smtp/session.hpp"

namespace pigeon::smtp {

/// Limits on server replies.
using client_limits = reply_limits;

/// opts.net, opts.limits, opts.auth: core::client_options_base.
struct client_options : core::client_options_base<client_limits> {
    /// The client's name in EHLO/HELO/LHLO: a host name or an address
    /// literal. "localhost" by default, so as not to disclose the host name.
    std::string hello_name = "localhost";
    /// Send MAIL FROM and every RCPT TO in one write when the server offers
    /// PIPELINING.
    bool use_pipelining = true;
    /// Send messages with DATA even when the server offers CHUNKING.
    bool prefer_data = false;
    /// Size of each BDAT chunk (and of the buffer it is built in), in bytes.
    std::size_t chunk_size = 1024 * 1024;
    /// How long to wait for the reply after the end of the data and after the
    /// last BDAT chunk (RFC 5321 4.5.3.2.6: 10 minutes; servers scan the
    /// message meanwhile). Other replies wait session.connect.io_timeout.
    std::chrono::milliseconds data_reply_timeout{std::chrono::minutes(10)};
    /// NUL bytes in a message (except BODY=BINARYMIME): refuse (send() throws net::transport_error with net::errc::nul_in_data, the connection is closed so no truncated message is delivered) or strip.
    net::nul_policy nul = net::nul_policy::refuse;
    /// Reconnect (and authenticate again) once when the server has dropped
    /// an idle connection: EOF or 421 before MAIL FROM was answered.
    bool reconnect = true;
};

/// What connect() learned, for `pigeon probe` and diagnostics. The
/// capability lines are the EHLO (or LHLO/HELO) reply lines, text after
/// "250-" / "250 "; the first is the server's name line. The greeting is its
/// text lines joined by '\n' (without "220 ").
struct session_info : core::session_info {
    /// False when the server refused EHLO and HELO was used.
    bool esmtp = true;
    bool lmtp = false;
};

using core::auth_result;

class client {
public:
    client();
    /// Closes the connection without QUIT (never blocks on the network).
    ~client();
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Connects to ep (protocol smtp or lmtp; host/port or unix_path) and
    /// runs the opening: greeting (220, anything else throws protocol_error),
    /// EHLO (HELO when EHLO is answered 500/502; LHLO for LMTP), STARTTLS per
    /// ep.tls (starttls: required; implicit: TLS from the first byte; none:
    /// clear text even if STARTTLS is offered). Throws net::transport_error
    /// (connection, timeouts), net::tls_error (handshake, certificate),
    /// protocol_error (greeting or EHLO refused, STARTTLS missing or refused,
    /// malformed replies) and request_error (hello_name invalid, endpoint not
    /// smtp/lmtp); the client is closed after any of them.
    void connect(const net::endpoint& ep, const client_options& opts = {});

    /// Runs the same opening on a channel the caller opened (a custom stream,
    /// a test's in-memory stream). ep gives the protocol and TLS mode (for
    /// tls_mode::implicit the channel must already be TLS). No reconnection is
    /// possible on such a client.
    void connect(net::channel ch, const net::endpoint& ep, const client_options& opts = {});

    /// Authenticates with the strongest offered mechanism that the
    /// credentials and sel allow (sasl::rank); PLAIN/LOGIN only over TLS
    /// unless sel.allow_cleartext_secrets. Falls back to the next mechanism
    /// only when the server answers 504 (unknown mechanism) or 534 (too weak). Returns the mechanism used.
    /// Throws auth_error (no_mechanism: no AUTH or nothing usable;
    /// auth_failed: refused, with the reply: 535 permanent, 454 transient).
    /// The credentials are kept in memory for a reconnection.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});

    /// Sends one message. All local checks come first (addresses, parameter
    /// values, SIZE against the server's limit, 8BITMIME/SMTPUTF8/DSN/
    /// BINARYMIME availability): request_error, nothing sent. Then MAIL FROM
    /// and every RCPT TO (one write with PIPELINING), then the message from
    /// source: by BDAT chunks with CHUNKING (unless prefer_data), otherwise
    /// by DATA through the dot-stuffer; either way every line end becomes
    /// CRLF and a missing final line end is added. The source is read once,
    /// in chunks, never loaded whole.
    ///
    /// Returns a result per recipient; the message went to those accepted.
    /// Throws send_error when it went to nobody (MAIL FROM refused, every
    /// RCPT refused, the data refused — per-recipient replies attached),
    /// protocol_error / net::transport_error when the connection died, and
    /// rethrows what the source throws (the connection is closed then, so no
    /// truncated message is ever delivered).
    send_result send(const envelope& env, const net::source_fn& source);
    /// Sends a message held in memory.
    send_result send(const envelope& env, std::string_view message);

    /// RSET: abandons a transaction (send() does this itself when needed).
    void reset();
    /// NOOP: keeps the connection alive / checks it.
    void noop();
    /// QUIT, then close. Never throws for a connection that is already dead.
    void quit();
    /// Closes without QUIT.
    void close() noexcept;

    bool is_connected() const noexcept;
    /// After connect(): greeting, EHLO lines before/after TLS, TLS state.
    const session_info& info() const noexcept;
    /// The capabilities in force (after TLS when TLS is used).
    const smtp::capabilities& capabilities() const noexcept;
    /// Where the session is (disconnected, ready, in a transaction...).
    smtp::state state() const noexcept;
    /// The connection; channel().tls() describes the TLS session. Throws
    /// request_error (invalid_state) when not connected.
    net::channel& channel();

    /// The implementation (opaque; named here so its helpers can refer to it).
    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace pigeon::smtp
