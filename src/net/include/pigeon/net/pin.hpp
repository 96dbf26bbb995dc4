#pragma once
// Certificate pins as tls_options::pins spells them, for code that checks a
// certificate outside net's own handshake (FTP on libcurl).
#include <string>
#include <vector>

namespace pigeon::net {

/// Parses a pin: a SHA-256 fingerprint of the whole certificate, "sha256:"
/// prefix optional, 64 hex digits with or without colons, or 44 base64
/// characters. Returns the 32 bytes, or false if malformed.
bool parse_certificate_pin(const std::string& pin, std::vector<unsigned char>& out);

} // namespace pigeon::net
