#pragma once
// What a server announced in its EHLO/LHLO reply (RFC 5321 4.1.1.1):
// the service extensions pigeon uses, parsed, and every keyword as sent.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/smtp/reply.hpp"

namespace pigeon::smtp {

/// One EHLO line: keyword (upper case) and its parameters (as sent).
struct extension {
    std::string keyword;
    std::vector<std::string> params;
};

struct capabilities {
    /// False after a HELO fallback: no extension may be used.
    bool esmtp = false;
    /// The first word of the first reply line (the server's name).
    std::string domain;
    /// Every extension line that has a valid keyword, in order (the old
    /// "AUTH=MECH ..." form is listed as keyword "AUTH").
    std::vector<extension> extensions;

    bool starttls = false;               ///< STARTTLS (RFC 3207)
    bool pipelining = false;             ///< PIPELINING (RFC 2920)
    bool eightbitmime = false;           ///< 8BITMIME (RFC 6152)
    bool smtputf8 = false;               ///< SMTPUTF8 (RFC 6531)
    bool chunking = false;               ///< CHUNKING: BDAT (RFC 3030)
    bool binarymime = false;             ///< BINARYMIME (RFC 3030)
    bool dsn = false;                    ///< DSN (RFC 3461)
    bool enhanced_status_codes = false;  ///< ENHANCEDSTATUSCODES (RFC 2034)
    bool size = false;                   ///< SIZE (RFC 1870)
    /// The SIZE parameter: the largest message accepted, in octets; 0 when
    /// the server declared no fixed limit ("SIZE", "SIZE 0", unparseable).
    /// Values beyond 2^64-1 saturate.
    std::uint64_t size_limit = 0;
    /// AUTH mechanisms (RFC 4954), upper case, without duplicates, from both
    /// "AUTH ..." and the old "AUTH=..." form; empty: no AUTH.
    std::vector<std::string> auth_mechanisms;

    /// Was this keyword announced? (case-insensitive)
    bool has(std::string_view keyword) const noexcept;
    /// The extension line for keyword, or nullptr (case-insensitive).
    const extension* find(std::string_view keyword) const noexcept;
};

/// Reads the capabilities from a positive EHLO or LHLO reply. Lines that are
/// not a valid ehlo-line are skipped, never an error.
capabilities parse_ehlo(const reply& r);

/// Capabilities after a HELO: the server's name only, no extensions.
capabilities parse_helo(const reply& r);

} // namespace pigeon::smtp
