#pragma once
// The one way an IMAP client string argument reaches the wire (RFC 9051
// section 4.3): as an atom when every byte may stand in one, as a quoted
// string when it is 7-bit text, as a literal otherwise. CR, LF and 8-bit
// bytes force a literal, so no argument can end a command line early
// (INJ-05: `x\r\nA999 DELETE INBOX` stays one argument). NUL cannot be sent
// in a string at all.
#include <cstddef>
#include <optional>
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

/// Mailbox names in modified UTF-7 (RFC 3501 section 5.1.3; RFC 9051
/// section 5.1.3 for servers without UTF8=ACCEPT): printable ASCII stands
/// for itself ("&" as "&-"), everything else is UTF-16 in base64 with ","
/// for "/", between "&" and "-".
///
/// The encoding of a UTF-8 name; nullopt if it is not valid UTF-8 or holds
/// NUL.
std::optional<std::string> to_modified_utf7(std::string_view utf8);
/// The UTF-8 name from its modified UTF-7 encoding; nullopt unless the input
/// is the canonical encoding of some name: only printable ASCII, every "&"
/// run closed by "-", whole UTF-16 units with zero padding bits, surrogates
/// paired, no NUL, no printable ASCII or adjacent runs encoded in base64
/// (so two different wire names never decode to the same name).
std::optional<std::string> from_modified_utf7(std::string_view mutf7);

/// How mailbox names travel: modified UTF-7, or UTF-8 once the client has
/// enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2 is in use.
enum class name_encoding { modified_utf7, utf8 };
/// A UTF-8 mailbox name in its wire form; nullopt if it is not valid UTF-8
/// or holds NUL.
std::optional<std::string> encode_mailbox_name(std::string_view utf8, name_encoding enc);
/// A wire mailbox name as UTF-8; nullopt if it is not valid in enc.
std::optional<std::string> decode_mailbox_name(std::string_view wire, name_encoding enc);

/// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// above U+10FFFF.
bool is_valid_utf8(std::string_view s) noexcept;

/// ATOM-CHAR: any CHAR except atom-specials.
bool is_atom_char(char c) noexcept;
/// ASTRING-CHAR: ATOM-CHAR or "]".
bool is_astring_char(char c) noexcept;

} // namespace pigeon::imap
