#pragma once
// Wildmats (RFC 3977 section 4): the group patterns of LIST ACTIVE, LIST
// NEWSGROUPS, NEWNEWS, ... A wildmat is a comma-separated list of patterns,
// each optionally preceded by "!"; the rightmost pattern that matches
// decides (a "!" one means no match), none matching means no match.
// Inside a pattern "*" matches any run of characters, "?" exactly one UTF-8
// character, anything else itself (case-sensitively).
//
// RFC 3977's grammar keeps "[", "]" and "\" out of patterns; INN gives them
// their shell meaning, and so does the matcher here: "[a-z]" and "[^0-9]"
// classes (by code point; "]" first is literal, "-" first or last is
// literal), "\x" for a literal x. A comma inside a class or after "\" does not
// separate patterns.
#include <string_view>

namespace pigeon::nntp {

/// May s be sent as a wildmat argument? Not empty; valid UTF-8; no SP, TAB,
/// control character, DEL or NUL; no empty pattern (",,", a trailing ",", a
/// lone "!"); every "[" closed, no "\" at the end.
bool is_valid_wildmat(std::string_view s) noexcept;

/// Does text match the wildmat? For client-side filtering of listings.
/// Linear in the pattern count, O(len(pattern) * len(text)) per pattern.
/// Never fails: text that is not valid UTF-8 is matched byte by byte where
/// it is broken, and a malformed pattern is taken literally where it is
/// malformed (an unclosed "[" matches "[").
bool wildmat_match(std::string_view wildmat, std::string_view text) noexcept;

} // namespace pigeon::nntp
