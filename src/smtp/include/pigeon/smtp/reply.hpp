#pragma once
// An SMTP/LMTP reply (RFC 5321 4.2) and its enhanced status code (RFC 3463,
// RFC 2034). A value type: produced by reply_parser, carried by exceptions
// and per-recipient results.
#include <optional>
#include <string>
#include <vector>

namespace pigeon::smtp {

/// "class.subject.detail", e.g. 5.1.1 (bad destination mailbox address).
struct enhanced_status {
    unsigned klass = 0;    ///< 2, 4 or 5
    unsigned subject = 0;  ///< 0..999
    unsigned detail = 0;   ///< 0..999
    /// "5.1.1"
    std::string to_string() const;
    friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};

struct reply {
    /// The three-digit reply code; 0 means "no reply" (an error that did not
    /// come from the server).
    int code = 0;
    /// Parsed from the first line when the server announced
    /// ENHANCEDSTATUSCODES (and the line carries one of the reply's class).
    std::optional<enhanced_status> status;
    /// The text of each line as received, after "ddd-" / "ddd " (the
    /// enhanced status code, if any, is still in it). Server text: may hold
    /// any printable or control byte except CR, LF and NUL; escape before
    /// showing it on a terminal.
    std::vector<std::string> lines;

    bool empty() const noexcept { return code == 0; }
    bool positive() const noexcept { return code >= 200 && code < 300; }      ///< 2yz
    bool intermediate() const noexcept { return code >= 300 && code < 400; }  ///< 3yz
    bool transient() const noexcept { return code >= 400 && code < 500; }     ///< 4yz
    bool permanent() const noexcept { return code >= 500 && code < 600; }     ///< 5yz

    /// The lines joined by '\n', without the enhanced status prefix of each
    /// line that carries it: "Ok: queued as 4Xyz".
    std::string text() const;
    /// The reply as the server wrote it, one "ddd-text" / "ddd text" line per
    /// line, joined by '\n' (no CR).
    std::string to_string() const;
};

} // namespace pigeon::smtp
