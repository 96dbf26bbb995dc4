#pragma once
// The blocking POP3 client (RFC 1939, 2449, 2595, 5034), on the shared client
// core: connect() reads the greeting and CAPA, upgrades with STLS when the
// endpoint asks for STARTTLS (required: refused when not offered or not
// accepted, before anything else is sent) and re-reads CAPA under TLS;
// authenticate() runs SASL or USER/PASS. Then the maildrop: STAT, LIST,
// UIDL, RETR and TOP streamed into a sink, DELE, RSET, NOOP, and pipelined
// retrieval (RFC 2449 PIPELINING) with a window.
//
// Deletions: DELE only marks a message. The server removes marked messages
// when the session ends with a clean QUIT (quit()); a connection that breaks
// or is closed with close() deletes nothing (RFC 1939 section 6).
//
// Errors (pigeon/core/error.hpp): -ERR to a maildrop command is a
// command_error and the connection stays usable; a reply that breaks the
// grammar (a LIST or UIDL line that does not parse, a status line that is
// neither +OK nor -ERR, bytes the server sent unasked after a complete
// reply) is a protocol_error and the connection is closed; a call in the
// wrong state or with a bad argument is a request_error and nothing is sent.
// When a sink or callback of the caller throws in the middle of a response,
// the connection is closed too (the rest of the response cannot be skipped
// safely) and the exception propagates as it is. Sinks and callbacks run
// while a response is being read: they must not call the client.
//
// Message content: the sinks receive the message as served, un-stuffed, with
// CRLF line ends. NUL bytes and bare CRs are passed on as received; a bare LF
// line end from a sloppy server becomes CRLF (net::dot_unstuffer).
//
//   pop3::client c;
//   c.connect(*net::parse_endpoint("pop3s://mail.example.org", ec));
//   c.authenticate({.username = "alice", .password = pw});
//   std::vector<std::uint32_t> all;
//   c.list([&](const pop3::message_size& m) { all.push_back(m.number); });
//   c.retrieve_each(all, [&](std::uint32_t n) { return file_sink(n); }, on_done);
//   c.quit();
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/core/line_splitter.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/pop3/capabilities.hpp"
#include "pigeon/pop3/command.hpp"
#include "pigeon/pop3/error.hpp"
#include "pigeon/pop3/maildrop.hpp"
#include "pigeon/pop3/reply.hpp"
#include "pigeon/pop3/session.hpp"

namespace pigeon::pop3 {

using core::auth_result;
using core::session_info;

struct client_limits {
    std::size_t max_line = 8 * 1024;          ///< longest status or listing line (RFC 2449: 512)
    std::size_t max_capa_bytes = 64 * 1024;   ///< largest CAPA response
    /// Most LIST / UIDL entries collected into a vector; one more is a
    /// protocol_error (response_too_large) and the connection is closed at
    /// once, without reading the rest. The callback forms have no limit:
    /// they hold nothing.
    std::size_t max_listing_entries = 1'000'000;
    /// Largest TOP or RETR kept in memory by the std::string forms; more is
    /// a protocol_error (response_too_large), the connection closed. The
    /// sink forms have no limit (the sink may throw to stop).
    std::size_t max_message_in_memory = 64 * 1024 * 1024;
};

/// opts.net, opts.limits, opts.auth: core::client_options_base.
struct client_options : core::client_options_base<client_limits> {
    /// Most RETR / TOP / DELE commands in flight with PIPELINING.
    std::size_t pipeline_window = 32;
};

/// How one message of a batch went.
struct retrieve_status {
    std::uint32_t number = 0;
    bool ok = false;               ///< retrieved (and marked deleted, when asked)
    bool retrieved = false;        ///< RETR succeeded: the whole message went to the sink
    bool deleted = false;          ///< DELE succeeded (delete_each only)
    std::uint64_t bytes = 0;       ///< bytes given to the sink (CRLF line ends, un-stuffed)
    core::server_reply refusal;    ///< the -ERR of RETR, or of DELE when retrieved but not deleted
};

class client : public core::client_base<client, client_options, core::session_info, session> {
    friend class core::client_base<client, client_options, core::session_info, session>;

public:
    // Destroying a client closes the connection without QUIT: nothing marked
    // deleted is deleted. connect(), is_connected(), info(), channel(),
    // state(), capabilities(): core::client_base.

    /// SASL with the strongest usable mechanism, else USER/PASS (see
    /// core::connection::authenticate). CAPA is read again afterwards.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});
    /// USER/PASS (RFC 1939 section 7); refused without TLS unless allow_cleartext.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);
    /// APOP (RFC 1939 section 7): only when asked for — MD5 is weak, and the
    /// server must keep the password in the clear. Needs a greeting timestamp.
    void apop(std::string_view user, std::string_view password, bool allow_cleartext = false);

    // ---- the maildrop (TRANSACTION state; request_error before) -------------
    maildrop_stat stat();
    /// Every message's size, in the server's order (at most limits.max_listing_entries).
    std::vector<message_size> list();
    /// The same, one entry at a time, holding nothing (any number of entries).
    void list(const std::function<void(const message_size&)>& each);
    /// One message's size; command_error when there is no such message.
    message_size list(std::uint32_t number);
    /// Every message's unique id (UIDL, RFC 1939 section 7), as the server
    /// sends them: a server that repeats a uid is not corrected (the caller
    /// decides; a uid is meant to be unique). A uid that is empty, longer
    /// than 70 characters or holds anything but 0x21-0x7E (a space: two
    /// tokens) is a protocol_error.
    std::vector<message_uid> uidl();
    void uidl(const std::function<void(const message_uid&)>& each);
    message_uid uidl(std::uint32_t number);

    /// RETR: the message, un-stuffed with CRLF line ends, to sink as it
    /// arrives (never held whole; an empty sink discards); returns the bytes
    /// written. command_error on -ERR. A message without end is bounded only
    /// by the channel's idle deadline (opts.net.connect.io_timeout) and by
    /// the sink, which may throw to stop it.
    std::uint64_t retrieve(std::uint32_t number, const net::sink_fn& sink);
    /// The message in memory (at most limits.max_message_in_memory).
    std::string retrieve(std::uint32_t number);
    /// TOP: the header and the first `lines` body lines.
    std::uint64_t top(std::uint32_t number, std::uint32_t lines, const net::sink_fn& sink);
    std::string top(std::uint32_t number, std::uint32_t lines);

    /// Retrieves many messages: with PIPELINING up to opts.pipeline_window
    /// commands in flight (one write for each refill, once half the window
    /// has been answered), otherwise one command at a time. Replies are
    /// matched to commands by their order only (RFC 2449 section 6.6).
    /// open(number) gives the sink for a message just before its first byte
    /// (an empty open or sink discards the bytes); done(status) is called once
    /// per number, in the order of numbers. With delete_each, a DELE for each
    /// successfully retrieved message goes into the pipeline after it (only
    /// effective on QUIT); done() then follows the DELE's reply. A refused
    /// RETR or DELE is reported in its status and does not stop the others.
    /// Message numbers are sent as given (a repeated number is retrieved
    /// again, or refused by the server once deleted); 0 is a request_error.
    void retrieve_each(const std::vector<std::uint32_t>& numbers,
                       const std::function<net::sink_fn(std::uint32_t)>& open,
                       const std::function<void(const retrieve_status&)>& done, bool delete_each = false);

    /// DELE: marks the message; deleted on a clean quit().
    void mark_deleted(std::uint32_t number);
    /// RSET: unmarks every message.
    void reset();
    /// NOOP (TRANSACTION state only, RFC 1939 section 5).
    void noop();
    /// QUIT: the server deletes the marked messages (UPDATE state) and says
    /// whether that worked: command_error on -ERR (some deletions failed).
    /// The connection is closed either way.
    void quit();
    /// Closes without QUIT: nothing is deleted.
    void close() noexcept;


private:
    // core::dialect
    PIGEON_CORE_DIALECT_OVERRIDES("POP3");
    std::string password_command() const override;
    void password_login(const sasl::credentials& creds) override;
    void prepare(const client_options& opts);

    void require(pop3::state s, const char* what) const;
    reply read_reply(std::string_view context);
    void send(const std::optional<command_line>& cmd, std::error_code ec, const char* what);
    /// Reads a status line; -ERR throws command_error (connection usable).
    /// Unless a block follows, nothing may be left unread (expect_quiet).
    reply expect_ok(const std::string& what, bool block_follows = false);
    /// Reads a dot block to sink; any exception (a sink's too) closes the connection.
    std::uint64_t read_block(const net::sink_fn& sink, std::size_t max, std::string_view context);
    std::uint64_t fetch(const std::string& command, const net::sink_fn& sink);
    /// The lines of a LIST / UIDL block to each (parse failure: protocol_error).
    void read_listing(const char* what, const std::function<void(std::string_view)>& each);
    /// After a complete exchange nothing may be left unread: bytes the
    /// server sent unasked would be taken as the next command's reply.
    void expect_quiet(std::string_view what);

    std::string apop_timestamp_;
};

} // namespace pigeon::pop3
