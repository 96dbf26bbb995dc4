#pragma once
// The state behind pigeon::smtp::client, shared by client.cpp (opening,
// AUTH, small commands) and client_send.cpp (transactions). It is SMTP's
// core::dialect: greeting, EHLO, STARTTLS and AUTH syntax; the set-up
// sequence and the SASL loop are the core's. Not public API.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "pigeon/smtp/client.hpp"
#include "pigeon/smtp/reply_parser.hpp"
#include "pigeon/smtp/session.hpp"

namespace pigeon::smtp {

struct client::impl final : core::dialect {
    core::connection conn;
    /// `ch->` reaches the open channel (request_error when closed).
    struct channel_ref {
        core::connection* c;
        net::channel* operator->() const { return &c->channel(); }
        net::channel& operator*() const { return c->channel(); }
        explicit operator bool() const noexcept { return c->is_open(); }
    } ch{&conn};
    net::endpoint ep;
    client_options opts;
    bool can_reconnect = false;  // opened from an endpoint (not a caller's channel)
    session sess;
    session_info info;
    reply_parser parser;
    /// A transaction was left open (MAIL accepted, then a failure): the next
    /// one starts with RSET.
    bool dirty = false;
    /// Kept for authenticating again after a reconnection.
    std::optional<sasl::credentials> creds;
    sasl::selection_options selection;
    /// BDAT chunk buffer, kept across messages (allocated once).
    std::string bdat_buffer;

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    // ---- I/O helpers (throw net::transport_error / protocol_error) --------
    bool open() const noexcept { return conn.is_open(); }
    net::channel& chan();
    /// Connected and not closed, else request_error(invalid_state).
    void require_open() const;
    void write(std::string_view line, net::secret_span secret = {0, 0});
    /// Reads one complete reply; a malformed one closes and throws.
    reply read_reply();
    /// 421 means the server is closing: close and throw protocol_error.
    void check_closing(const reply& r, std::string_view during);
    [[noreturn]] void fail(errc e, const std::string& what, reply r = {});
    /// QUIT (reply ignored) and close, swallowing transport failures.
    void quit_quietly() noexcept;
    void close() noexcept;

    // ---- phases ----------------------------------------------------------
    /// Set-up through the core (greeting, EHLO, STARTTLS per ep.tls).
    void opening();
    void hello(std::vector<std::string>& record);
    core::auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel);
    /// Closes, opens a new connection and runs the opening (and AUTH if the
    /// old one was authenticated).
    void reconnect();

    send_result send(const envelope& env, const net::source_fn& source);

    // ---- core::dialect -----------------------------------------------------
    PIGEON_CORE_DIALECT_OVERRIDES("SMTP");
    void say_goodbye() noexcept override { quit_quietly(); }
};

/// Printable form of untrusted text for exception messages (core::excerpt
/// without a length limit).
std::string printable(std::string_view s);

} // namespace pigeon::smtp
