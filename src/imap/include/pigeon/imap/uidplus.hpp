#pragma once
// UIDPLUS response codes (RFC 4315, RFC 9051 section 7.1): where APPEND,
// COPY and MOVE put the messages. "[APPENDUID 38505 3955]",
// "[COPYUID 38505 304,319:320 3956:3958]" (tagged OK, or untagged OK
// before the EXPUNGEs of a MOVE).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "pigeon/imap/response.hpp"
#include "pigeon/imap/sequence_set.hpp"

namespace pigeon::imap {

struct append_uid {
    std::uint32_t uidvalidity = 0;  ///< of the destination mailbox
    uid_set uids;                   ///< the new messages' UIDs (several with MULTIAPPEND)
};

struct copy_uid {
    std::uint32_t uidvalidity = 0;  ///< of the destination mailbox
    uid_set source;                 ///< in the order the messages were copied
    uid_set destination;            ///< in the same order
    /// (source UID, destination UID) pairs, at most max of them: nullopt
    /// with errc::too_many_tokens if there are more.
    std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> pairs(std::size_t max,
                                                                             std::error_code& ec) const;
};

/// nullopt without an error if the code is not APPENDUID; nullopt with
/// errc::malformed_reply if malformed (0, "*", a missing or extra field).
std::optional<append_uid> parse_append_uid(const response_code& code, std::error_code& ec);
/// nullopt without an error if the code is not COPYUID; nullopt with
/// errc::malformed_reply if malformed, or if the two sets differ in size.
std::optional<copy_uid> parse_copy_uid(const response_code& code, std::error_code& ec);

} // namespace pigeon::imap
