#pragma once
// SEARCH results: "* SEARCH 2 84 882 [(MODSEQ n)]" (RFC 9051 section
// 7.3.4 in IMAP4rev1, RFC 7162) and "* ESEARCH (TAG "A1") UID MIN 1 MAX 9
// COUNT 3 ALL 1,5:9" (RFC 4731, RFC 9051 section 7.3.4).
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/sequence_set.hpp"

namespace pigeon::imap {

struct search_result {
    bool extended = false;                  ///< from ESEARCH
    std::string tag;                        ///< ESEARCH (TAG "x"): the command it answers
    bool uid = false;                       ///< ESEARCH UID: the numbers are UIDs
    std::optional<std::uint32_t> min;       ///< MIN
    std::optional<std::uint32_t> max;       ///< MAX
    std::optional<std::uint32_t> count;     ///< COUNT
    /// ALL, or the numbers of a SEARCH response (sorted, merged).
    sequence_set all;
    std::optional<std::uint64_t> modseq;    ///< MODSEQ (CONDSTORE)
};

/// nullopt without an error if r is neither SEARCH nor ESEARCH; nullopt
/// with errc::malformed_reply if malformed. ESEARCH return data it does not know
/// (PARTIAL, RELEVANCY, ...) is skipped.
std::optional<search_result> parse_search(const response& r, std::error_code& ec);

} // namespace pigeon::imap
