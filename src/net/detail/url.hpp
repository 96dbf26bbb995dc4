#pragma once
// What the URL parsers of net share (server URLs, proxy URLs): the authority's
// pieces, percent-decoding and the host check.
#include <string>
#include <string_view>

namespace pigeon::net::detail {

/// ASCII lower case of one character.
char ascii_lower(char c) noexcept;

/// A host name or an IP address as a URL may carry it (without brackets):
/// letters, digits, '-', '.', '_' and ':' (IPv6), 1 to 253 bytes.
bool valid_host(std::string_view h) noexcept;

/// user[:password]@host[:port] split up; has_user/has_password say whether
/// the parts were present. false when the host part is malformed ("[::1" or
/// two colons outside brackets) or the port is not 1 to 65535 (an empty
/// port after the colon counts as none).
struct authority_parts {
    std::string_view user;
    std::string_view password;
    bool has_user = false;
    bool has_password = false;
    std::string_view host;
    unsigned short port = 0;  ///< 0: none given
};
bool split_authority(std::string_view authority, authority_parts& out);

} // namespace pigeon::net::detail
