#pragma once
// The lmtp: and smtp: destinations of `pigeon fetch` and `pigeon watch`:
// each fetched message is forwarded through pigeon's own SMTP/LMTP client
// (a store::open_handoff destination whose function is the client), to a
// local MTA or straight into a mail store's LMTP socket.
//
//   lmtp:/run/dovecot/lmtp?to=carol@example.org     LMTP over a unix socket
//   lmtp://127.0.0.1:24?to=carol@example.org        LMTP over TCP (STARTTLS if offered... see tls=)
//   smtp://localhost:25?to=carol@example.org&tls=none
//   smtps://mx.example.org?to=a@example.org,b@example.org&from=fetch@example.org
//
// Parameters (percent-encoded): to= the recipients (required; a comma list,
// or repeated), from= the envelope sender (default: the message's
// Return-Path, else its From address, else the null path <>), tls=none|
// starttls|implicit for TCP targets (the scheme's default otherwise:
// smtp:// and lmtp:// require STARTTLS, as everywhere in pigeon).
//
// A message counts as delivered once the receiver accepted it for at least
// one recipient (the receiver's 250 is its own durability). A 4xx keeps it
// on the server for the next run (exit 75), a 5xx keeps it and is reported
// (exit 69); a receiver that cannot be reached stops the job (exit 75).
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/store/destination.hpp"

namespace pigeon::cli {

/// A parsed forwarding destination.
struct forward_target {
    net::endpoint ep;
    std::vector<std::string> to;
    bool has_from = false;
    std::string from;           ///< with has_from: "" is the null path
    std::string description;    ///< the spec without its parameters, "?to=..." appended
};

/// Does spec name a forwarding destination ("lmtp:", "smtp://", "smtps://")?
bool is_forward_spec(std::string_view spec);

/// Parses a forwarding spec; on failure returns false with why set.
bool parse_forward_spec(std::string_view spec, forward_target& out, std::string& why);

/// Opens any destination of `pigeon fetch`: forwarding specs here (net:
/// timeouts and TLS trust for the receiver), the rest through
/// store::open_destination. No connection is made before the first message.
std::unique_ptr<store::destination> open_fetch_destination(const std::string& spec,
                                                           const store::destination_options& opts,
                                                           const net::session_options& net, std::error_code& ec);

} // namespace pigeon::cli
