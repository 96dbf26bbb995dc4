#pragma once
// What a writer of message data does with NUL bytes. RFC 5321 (4.5.2, and
// 2.3.8 via RFC 5322 2.3) leaves no room for NUL in DATA, servers truncate
// lines or messages at it or reject them, and `\r\n\0.\r\n` is one of the
// SMTP smuggling probes: a NUL never reaches the wire raw.

namespace pigeon::net {

enum class nul_policy {
    refuse,  ///< fail with errc::nul_in_data; nothing from the NUL on is sent
    strip,   ///< drop every NUL byte and send the rest
};

} // namespace pigeon::net
