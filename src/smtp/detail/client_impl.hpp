#pragma once
// The state behind pigeon::smtp::client, shared by client.cpp (opening,
// AUTH, small commands) and client_send.cpp (transactions). Not public API.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "pigeon/smtp/client.hpp"
#include "pigeon/smtp/reply_parser.hpp"
#include "pigeon/smtp/session.hpp"

namespace pigeon::smtp {

struct client::impl {
    std::optional<net::channel> ch;
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

    // ---- I/O helpers (throw net::transport_error / protocol_error) --------
    bool open() const noexcept { return ch.has_value() && ch->is_open(); }
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
    /// Greeting, EHLO/HELO/LHLO, STARTTLS per ep.tls; on any failure the
    /// connection is closed.
    void opening();
    void hello(std::vector<std::string>& record);
    void starttls();
    void authenticate(const sasl::credentials& creds, const sasl::selection_options& sel);
    /// Closes, opens a new connection and runs the opening (and AUTH if the
    /// old one was authenticated).
    void reconnect();

    send_result send(const envelope& env, const net::source_fn& source);
};

/// Printable form of untrusted text for exception messages: printable ASCII
/// and UTF-8 bytes as is, other bytes as \xNN.
std::string printable(std::string_view s);

} // namespace pigeon::smtp
