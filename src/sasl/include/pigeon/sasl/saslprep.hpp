#pragma once
// SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM and CRAM-MD5
// apply to passwords before hashing them.
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::sasl {

/// Prepares a UTF-8 string with SASLprep: maps non-ASCII spaces to U+0020,
/// removes what RFC 3454 table B.1 maps to nothing (soft hyphen, zero-width
/// joiners, variation selectors, ...), applies NFKC (Unicode 3.2, as RFC 3454
/// requires), and refuses prohibited output (controls, private use,
/// surrogates, non-characters, ...) and strings that break the bidi rule.
///
/// Unassigned code points (in Unicode 3.2) are let through: the "query"
/// semantics of RFC 3454 section 7. A client only ever prepares a string to
/// send it, never to store it, and refusing, say, an emoji in a password would
/// lock its owner out although the server may accept it.
///
/// Returns the prepared string; on failure (invalid UTF-8, a NUL, prohibited
/// output, bidi violation) sets ec to errc::saslprep_failed and returns an
/// empty string. The error never carries the input. Printable ASCII is its own
/// SASLprep and takes a fast path.
std::string saslprep(std::string_view utf8, std::error_code& ec);

} // namespace pigeon::sasl
