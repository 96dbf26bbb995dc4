#pragma once
// The syntax of domains and of atext (RFC 5321 section 4.1.2, RFC 5322
// section 3.2.3, RFC 6531 for UTF-8): the one domain validator used for
// envelope addresses, EHLO names and header addresses alike.
#include <cstddef>
#include <string_view>

namespace pigeon::text {

/// RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets.
inline constexpr std::size_t max_domain_length = 255;
/// RFC 1035: a label is at most 63 octets.
inline constexpr std::size_t max_label_length = 63;

struct domain_rules {
    /// U-labels (RFC 6531: SMTPUTF8 / RFC 6532 headers): any byte >= 0x80 in
    /// a label (the caller checks UTF-8 well-formedness).
    bool utf8 = false;
    /// QUIRK(various): host names with "_" (Windows hosts, SRV-style names)
    /// in EHLO and envelopes; RFC 5321 has no "_", but servers accept it.
    bool underscore = false;
};

/// A domain: labels of letters, digits and "-" (not first or last), dots
/// between them, or an address literal "[...]" of dcontent (RFC 5321).
bool valid_domain(std::string_view d, const domain_rules& rules = {}) noexcept;

/// atext of RFC 5322 (plus any byte >= 0x80 when utf8).
bool is_atext(unsigned char c, bool utf8) noexcept;

} // namespace pigeon::text
