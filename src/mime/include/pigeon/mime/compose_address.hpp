#pragma once
// Addresses as a program or a person hands them to the composer, and their
// header form. This is not the parser's RFC 5322 address reader: it takes
// what one types on a command line ("Name <a@b>", "a@b", a comma list) and
// refuses anything it cannot write back safely.
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pigeon::mime {

struct compose_address {
    std::string display_name; ///< UTF-8, may be empty
    std::string address;      ///< addr-spec: local-part@domain
};

/// Checks an addr-spec: a dot-atom or quoted-string local part (at most 64
/// octets), '@', a domain of dot-separated labels (letters, digits, hyphens)
/// or a domain literal "[...]"; at most 254 octets in all.
/// Errors: forbidden_character (CR, LF, NUL, U+2028...), invalid_utf8,
/// invalid_address, needs_smtputf8 (valid, but UTF-8 and allow_utf8 is false).
std::error_code check_addr_spec(std::string_view addr, bool allow_utf8) noexcept;

/// Checks both parts of an address (the display name as header text).
std::error_code check_compose_address(const compose_address& a, bool allow_utf8) noexcept;

/// Parses `Name <local@domain>`, `"Doe, Jane" <jd@example.org>`,
/// `<local@domain>` or `local@domain` (surrounding space ignored; a quoted
/// display name is unquoted). The result is checked as above.
std::error_code parse_compose_address(std::string_view in, compose_address& out, bool allow_utf8 = false);

/// Parses a comma-separated list (commas inside quotes or <> do not split;
/// empty items are skipped). Appends to `out`; nothing on error.
std::error_code parse_compose_address_list(std::string_view in, std::vector<compose_address>& out,
                                           bool allow_utf8 = false);

/// Header form: the address alone, or `phrase <address>` with the display
/// name as atoms, a quoted string or RFC 2047 words (encode_phrase).
/// `first_column`: where it starts on its line (see encode_phrase).
std::string format_compose_address(const compose_address& a, std::size_t first_column = 0);

/// Key for removing duplicate envelope recipients: the domain lower-cased
/// (ASCII letters only), the local part as it is (it may be case-sensitive).
std::string envelope_key(std::string_view addr);

} // namespace pigeon::mime
