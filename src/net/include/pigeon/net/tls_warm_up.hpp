#pragma once
// Getting OpenSSL ready before the first connection needs it.

namespace pigeon::net {

/// Starts OpenSSL's one-time set-up on a thread of its own: the library
/// with the system configuration (openssl.cnf), the default provider's
/// algorithm tables that the first TLS context fetches, and the key
/// decoders that reading a certificate needs. A cold process spends 1-2 ms
/// of CPU there before its first ClientHello; a program that calls this
/// first thing overlaps that with its own start (arguments, configuration,
/// name lookup, TCP connect). Optional: without it the first connection
/// does the same work itself. The first TLS context made afterwards waits
/// for the thread to finish; calls after the first, or after a first TLS
/// context, do nothing. If no thread can be started, nothing happens.
void warm_up_tls() noexcept;

} // namespace pigeon::net
