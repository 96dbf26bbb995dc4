#pragma once
// One call from a composed message to a per-recipient result: connect
// (TLS verified; STARTTLS required for smtp:// URLs), authenticate when
// credentials are given, send with the envelope the message implies, QUIT.
//
//   auto msg = mime::message_builder{}.from("alerts@example.org").to("ops@example.org")
//                  .bcc("audit@example.org").subject("disk full").text("/var at 97%\n").build();
//   auto r = outbox::send("smtp://mail.example.org:587", {.username = "alerts", .password = pw}, msg);
//   for (auto& rcpt : r.recipients) if (!rcpt.accepted()) ...;
//   auto r2 = outbox::send(outbox::account_ref("alerts"), msg);  // from config.toml
//
// The envelope: MAIL FROM is the message's envelope sender (From, or the
// builder's envelope_from); RCPT TO every To, Cc and Bcc address once. Bcc
// is in the envelope only: message_builder never writes it into the message.
#include <string>
#include <string_view>
#include <utility>

#include "pigeon/mime/compose_message.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/oauth2/token_source.hpp"
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
    /// Bearer tokens for XOAUTH2 / OAUTHBEARER when who.oauth_token is
    /// empty; a token the server rejects is renewed once and retried
    /// (oauth2::authenticate_with_token). Not owned; may be null.
    oauth2::token_source* tokens = nullptr;
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

/// An account of pigeon's configuration file (pigeon/account/config.hpp).
struct account_ref {
    explicit account_ref(std::string name_ = {}, std::string config_file_ = {}, std::string state_dir_ = {})
        : name(std::move(name_)), config_file(std::move(config_file_)), state_dir(std::move(state_dir_)) {}
    std::string name;         ///< "" : the file's default account
    std::string config_file;  ///< "" : $XDG_CONFIG_HOME/pigeon/config.toml, else ~/.config/pigeon/config.toml
    std::string state_dir;    ///< "" : account::default_state_root() (where OAuth2 tokens are kept)
};

/// Sends msg through a configured account, as `pigeon send --account NAME`
/// does without flags or PIGEON_* variables: the account's server, tls,
/// tls_ca, pin, insecure, timeout, proxy ("env" reads ALL_PROXY), auth_mech,
/// and its login — password, password_command (run now) or oauth2 (the
/// access token cached in the state directory, refreshed when needed and
/// once more if the server rejects it). opts supplies everything the
/// account does not set (the trace hook, EHLO name, DSN). Throws
/// account::error for an unusable file, account or secret command, and
/// what the endpoint form throws.
smtp::send_result send(const account_ref& account, const mime::composed_message& msg, const send_options& opts = {});

} // namespace pigeon::outbox
