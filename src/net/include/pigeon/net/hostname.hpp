#pragma once
// Host name checks after RFC 6125 and RFC 7817: ASCII case-insensitive, a
// wildcard only as the whole left-most label of a name with at least two
// more labels, never matching an IP address.
#include <string_view>

namespace pigeon::net {

/// Does a certificate's DNS name (possibly "*.example.com") match host?
bool match_dns_name(std::string_view pattern, std::string_view host) noexcept;

/// Is text an IPv4 or IPv6 literal (no brackets)?
bool is_ip_literal(std::string_view text) noexcept;

} // namespace pigeon::net
