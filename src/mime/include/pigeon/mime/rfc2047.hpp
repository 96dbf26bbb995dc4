#pragma once
// RFC 2047 encoded words ("=?charset?B|Q?text?=") in header values.
//
// - B and Q encodings; charset names may carry an RFC 2231 language
//   ("=?utf-8*en?q?...?=").
// - Whitespace between adjacent encoded words is dropped (RFC 2047 section 6.2).
// - Adjacent words in the same charset are joined as bytes before charset
//   conversion, so a multi-byte character split between two words survives.
//   Each word is decoded on its own first (unlike GMime 3.2's bug of joining
//   base64 text across words, which corrupts padded words).
// - Malformed words (bad syntax, bad base64, unknown encoding) stay as written.
// - The result is UTF-8; raw 8-bit text outside encoded words is taken as
//   UTF-8 when valid, else as Windows-1252. Control characters (NUL, CR, LF
//   and the rest of C0 except TAB) are replaced by U+FFFD in decoded text, so
//   no decoded header can inject a line break (Mailsploit).
#include <string>
#include <string_view>

namespace pigeon::mime {

/// Decodes an unstructured header value (Subject, Comments, X-*): unfolds,
/// decodes encoded words, trims leading/trailing blanks.
std::string decode_unstructured(std::string_view raw);

/// True when decode_unstructured(raw) would give raw back unchanged: no
/// line break, no blank at either end, no encoded word ("=?"), no control
/// character but TAB, valid UTF-8. A caller that owns raw can then use it
/// as it is (the common case: a plain subject or display name).
bool is_plain_unstructured(std::string_view raw) noexcept;

/// Decodes a phrase (display name): like decode_unstructured for text already
/// split into words; used by the address parser for each run of atoms.
std::string decode_phrase_words(std::string_view text);

/// Decodes a single encoded word ("=?cs?e?text?="); false if it is malformed.
/// charset receives the word's charset (normalised), bytes its decoded bytes.
bool decode_encoded_word(std::string_view word, std::string& charset, std::string& bytes);

} // namespace pigeon::mime
