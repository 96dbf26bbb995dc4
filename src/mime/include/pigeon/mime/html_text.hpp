#pragma once
// HTML reduced to plain text for reading: the text of an HTML body as a
// plain-text mail reader would show it when a message has no text/plain
// part.
//
// A streaming converter: feed UTF-8 HTML in pieces of any size (a split
// anywhere gives the same output) and get text back as it is produced.
// Memory is bounded whatever the input: at most one tag
// (html_text_options::max_tag_bytes), one character reference, one link's
// URL and text, and a fixed-depth stack of lists and quotes are held.
//
// What it does:
// - character references: the common named ones (HTML 4's set plus &apos;),
//   decimal and hexadecimal ones; the legacy forms without ';' where HTML
//   accepts them; unknown ones are left as written. A reference to NUL, a
//   surrogate, a code point past U+10FFFF or a control character becomes
//   U+FFFD; &#128;..&#159; map through Windows-1252 as browsers do.
// - whitespace collapses to single spaces, except inside <pre>.
// - block elements (p, div, h1-h6, table rows, ...) start new lines;
//   paragraphs, headings, lists, pre and blockquote are set off by a blank
//   line; <br> breaks a line; at most one blank line in a row (outside pre).
// - lists: "* " bullets for <ul>, "1. " numbers for <ol> (honouring start=),
//   indented two spaces per level.
// - blockquote lines are prefixed with "> ".
// - links come out as "text <url>" (only "text" when the text is the URL,
//   nothing extra for "#..." and "javascript:" links); images as "[alt]"
//   when they have alt text.
// - script, style, title, template and the whole <head> are dropped, and so
//   are comments (including Outlook's conditional comments) and doctypes.
// - broken HTML never fails: an unterminated tag or comment at the end is
//   dropped, a stray '<' or '&' is text.
// - control characters other than tab and line ends in the input become
//   U+FFFD. The output ends with one line end when it is not empty.
//
// The input is expected to be UTF-8 (what mime::decode_text produces);
// invalid sequences pass through unchanged.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pigeon::mime {

struct html_text_options {
    /// Longest tag (from '<' to '>') whose attributes are read; a longer tag
    /// still ends at its '>', but attributes past this many bytes are lost.
    std::size_t max_tag_bytes = 16 * 1024;
    /// Longest link URL shown; longer ones are cut and end in "...".
    std::size_t max_url_bytes = 2048;
    /// Deepest nesting of lists and blockquotes that is indented; deeper
    /// levels are laid out like the deepest one.
    std::size_t max_nesting = 16;
    /// Show links as "text <url>".
    bool show_links = true;
    /// Show images that have alt text as "[alt]".
    bool show_image_alt = true;
};

/// Incremental HTML-to-text converter (see the file comment).
class html_text_converter {
public:
    explicit html_text_converter(const html_text_options& opts = {});
    ~html_text_converter();
    html_text_converter(html_text_converter&&) noexcept;
    html_text_converter& operator=(html_text_converter&&) noexcept;
    html_text_converter(const html_text_converter&) = delete;
    html_text_converter& operator=(const html_text_converter&) = delete;

    /// Converts more HTML, appending the text produced so far to out.
    void feed(std::string_view html, std::string& out);
    /// Ends the input: flushes what is pending (an unfinished character
    /// reference as written, a pending link) and the final line end.
    /// Later feeds are ignored until reset().
    void finish(std::string& out);
    /// Starts over for a new document (same options).
    void reset();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// One-shot conversion.
std::string html_to_text(std::string_view html, const html_text_options& opts = {});

/// Decodes the character references in text (an attribute value or a run
/// of text), with the same rules as the converter: no legacy prefix match
/// when attribute is true (so "?a=1&copy=2" in a URL stays as is).
std::string decode_html_entities(std::string_view text, bool attribute = false);

} // namespace pigeon::mime
