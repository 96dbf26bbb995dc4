#pragma once
// The one way an IMAP client string argument reaches the wire (RFC 9051
// section 4.3): as an atom when every byte may stand in one, as a quoted
// string when it is 7-bit text, as a literal otherwise. CR, LF and 8-bit
// bytes force a literal, so no argument can end a command line early
// (INJ-05: `x\r\nA999 DELETE INBOX` stays one argument). NUL cannot be sent
// in a string at all.
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::imap {

enum class string_form {
    atom,     ///< sent as is
    quoted,   ///< "..." with \ and " escaped
    literal,  ///< {n} CRLF then the octets
    invalid,  ///< contains NUL: cannot be sent as a string
};

/// Longest string sent quoted; longer ones go as literals.
inline constexpr std::size_t max_quoted_length = 1024;

/// Form of an astring argument (mailbox names, user names, passwords).
/// atom: non-empty, every byte an ASTRING-CHAR.
string_form astring_form(std::string_view s) noexcept;
/// Form of a string argument (never an atom): quoted or literal.
string_form string_form_of(std::string_view s) noexcept;
/// s as a quoted string: DQUOTE, with "\" and DQUOTE escaped, DQUOTE. The
/// caller makes sure s has no CR, LF, NUL (string_form says quoted).
std::string quote(std::string_view s);

/// ATOM-CHAR: any CHAR except atom-specials.
bool is_atom_char(char c) noexcept;
/// ASTRING-CHAR: ATOM-CHAR or "]".
bool is_astring_char(char c) noexcept;

} // namespace pigeon::imap
