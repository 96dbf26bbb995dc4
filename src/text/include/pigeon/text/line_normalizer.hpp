#pragma once
// The one line-end normaliser of the library: every CRLF, bare CR and bare
// LF becomes CRLF, optionally with dot-stuffing (a "." at the start of a line
// is doubled, RFC 5321 4.5.2 / RFC 3977 3.1.1). The dot-stuffer of SMTP DATA
// and NNTP POST (net::dot_stuffer), SMTP BDAT's normaliser
// (smtp::crlf_normalizer) and the composer's text parts (mime) all run it.
// Sans-I/O and streaming: any split of the input gives the same output.
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::text {

/// Index of the first CR or LF at or after i in p[0, n), or n. Two memchr
/// scans beat a byte loop several times over (bench/RESULTS.md).
std::size_t find_line_end(const char* p, std::size_t i, std::size_t n) noexcept;

class line_normalizer {
public:
    enum class nul_handling {
        refuse,  ///< a NUL stops it: nothing from the NUL on is appended, ever
        strip,   ///< NULs are dropped
        keep,    ///< NULs pass (for text that never goes on the wire as is)
    };
    explicit line_normalizer(nul_handling nul = nul_handling::refuse, bool stuff_dots = false) noexcept
        : nul_(nul), stuff_(stuff_dots) {}

    /// Appends the normalised form of data to out; false once a NUL was
    /// refused (then and for every later call).
    bool feed(std::string_view data, std::string& out);
    /// Ends the text: a pending CR becomes CRLF, an unterminated last line
    /// gets CRLF (an empty text stays empty). False after a refused NUL.
    bool finish(std::string& out);
    void reset() noexcept { *this = line_normalizer(nul_, stuff_); }

    /// Bytes of the input taken so far (up to a refused NUL; stripped NULs count).
    std::size_t fed() const noexcept { return fed_; }
    /// NUL bytes dropped (strip).
    std::size_t stripped() const noexcept { return stripped_; }
    bool failed() const noexcept { return failed_; }

private:
    void encode(const char* p, std::size_t n, std::string& out);
    nul_handling nul_;
    bool stuff_;
    bool at_line_start_ = true;
    bool pending_cr_ = false;
    bool failed_ = false;
    std::size_t fed_ = 0;
    std::size_t stripped_ = 0;
};

/// The whole of text normalised in one call (NULs kept).
std::string normalize_line_ends(std::string_view text);

} // namespace pigeon::text
