#pragma once
// Checks of envelope addresses before they are put in a command (RFC 5321
// 4.1.2, RFC 6531 3.3). The check is on the exact bytes that will go
// between the angle brackets; nothing is transcoded afterwards.
#include <string_view>

#include "pigeon/text/utf8.hpp"
#include <system_error>

namespace pigeon::smtp {

enum class address_kind {
    reverse_path,  ///< MAIL FROM: may be empty (the null path "<>")
    forward_path,  ///< RCPT TO: may be "postmaster" without a domain
};

/// Is addr a mailbox pigeon may send as a path?
///   - local-part "@" domain; the local part a dot-string (atext and ".") or
///     a quoted string (printable ASCII, space, quoted pairs, UTF-8);
///   - the domain host names (letters, digits, "-", "_", "." and UTF-8) or an
///     address literal "[...]";
///   - no control byte, CR, LF, NUL, DEL anywhere (not even quoted); no space,
///     "<", ">", "," or other specials outside a quoted local part; no
///     source route; well-formed UTF-8 only;
///   - local part <= 64 octets, domain <= 255, the whole path <= 254.
/// Returns errc::invalid_address (smtp category) or an empty code. utf8 is
/// set when the address has non-ASCII bytes (it then needs SMTPUTF8).
std::error_code check_address(std::string_view addr, address_kind kind, bool& utf8) noexcept;

using text::is_ascii;

using text::is_valid_utf8;

} // namespace pigeon::smtp
