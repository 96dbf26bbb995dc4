#pragma once
// One call from a composed message to a per-recipient result: connect
// (TLS verified; STARTTLS required for smtp:// URLs), authenticate when
// credentials are given, send with the envelope the message implies, QUIT.
//
//   auto msg = mime::message_builder{}.from("alerts@example.org").to("ops@example.org")
//                  .bcc("audit@example.org").subject("disk full").text("/var at 97%\n").build();
//   auto r = outbox::send("smtp://mail.example.org:587", {.username = "alerts", .password = pw}, msg);
//   for (auto& rcpt : r.recipients) if (!rcpt.accepted()) ...;
//
// The envelope: MAIL FROM is the message's envelope sender (From, or the
// builder's envelope_from); RCPT TO every To, Cc and Bcc address once. Bcc
// is in the envelope only: message_builder never writes it into the message.
#include <string>
#include <string_view>

#include "pigeon/mime/compose_message.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "pigeon/smtp/client.hpp"
#include "pigeon/smtp/envelope.hpp"
#include "pigeon/smtp/result.hpp"

namespace pigeon::outbox {

struct send_options {
    /// TLS (CA file, pins), timeouts, trace hook, EHLO name, pipelining...
    smtp::client_options client;
    /// Which SASL mechanisms may be used (default: the strongest offered).
    sasl::selection_options auth;
    /// DSN (RFC 3461) for every recipient, RET and ENVID; the server must
    /// offer DSN when any is set (request_error otherwise, nothing sent).
    smtp::notify notify = smtp::notify::none;
    smtp::dsn_ret ret = smtp::dsn_ret::unspecified;
    std::string envid;
};

/// The envelope of a composed message with the DSN options applied.
smtp::envelope envelope_of(const mime::composed_message& msg, const send_options& opts = {});

/// Sends msg through server, logging in with who unless who.username and
/// who.oauth_token are both empty. Returns the result per recipient (some may
/// be refused: see recipient_result::refusal()). Throws what smtp::client
/// throws: net::transport_error / net::tls_error (connection, certificate),
/// smtp::auth_error, smtp::send_error (the message went to nobody, with
/// every recipient's reply), smtp::request_error (refused locally).
smtp::send_result send(const net::endpoint& server, const sasl::credentials& who, const mime::composed_message& msg,
                       const send_options& opts = {});

/// The same with a server URL (smtp://host[:port], smtps://host[:port],
/// lmtp://...); a bad URL throws smtp::request_error.
smtp::send_result send(std::string_view url, const sasl::credentials& who, const mime::composed_message& msg,
                       const send_options& opts = {});

} // namespace pigeon::outbox
