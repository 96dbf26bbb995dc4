#pragma once
// RFC 2047 encoded words for header text, charset UTF-8.
//  - Q or B, whichever makes the shorter result for the run being encoded.
//  - Every word is at most 75 characters; a UTF-8 character is never split
//    between two words.
//  - The characters Q may leave unencoded depend on where the word stands
//    (RFC 2047 section 5): unstructured text, a comment, or a phrase.
// These functions never fail: the input is expected to have passed
// check_header_text() (encode_header.hpp); stray bytes are encoded one by one.
#include <string>
#include <string_view>

namespace pigeon::mime {

enum class word_context {
    text,    ///< unstructured text (Subject, Comments, extension fields)
    comment, ///< inside a comment "( ... )"
    phrase,  ///< a display name (the most restricted set)
};

enum class word_encoding {
    shortest, ///< Q or B, whichever gives the shorter result (Q on a tie)
    q,
    b,
};

/// `utf8` as one or more encoded words separated by single spaces. The
/// spaces between words are fold points; decoders drop them, so the words
/// decode back to `utf8` exactly. `first_max` limits the first word (e.g.
/// to fit after "Subject: "); values under 24 are ignored.
std::string encode_words(std::string_view utf8, word_context ctx = word_context::text,
                         word_encoding enc = word_encoding::shortest, std::size_t first_max = 75);

/// An unstructured field value: words (runs between spaces/tabs) that hold
/// non-ASCII or control characters, that look like an encoded word ("=?"),
/// or that are too long to fit any line (> 900 octets) are encoded, adjacent
/// ones together; all other text is kept as it is. `first_column`: where the
/// value starts on its first line (the length of "Name: "), so a leading
/// encoded word is made short enough to fit there.
std::string encode_unstructured(std::string_view utf8, std::size_t first_column = 0);

/// A display name for an address: atoms as they are, otherwise a quoted
/// string for printable ASCII, otherwise encoded words (phrase context).
std::string encode_phrase(std::string_view utf8, std::size_t first_column = 0);

/// True when `word` (no whitespace) must be encoded in unstructured text.
bool word_needs_encoding(std::string_view word) noexcept;

} // namespace pigeon::mime
