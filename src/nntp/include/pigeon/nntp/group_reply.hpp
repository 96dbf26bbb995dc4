#pragma once
// The 211 reply of GROUP and LISTGROUP (RFC 3977 sections 6.1.1, 6.1.2):
// "211 count low high group". INN: "211 2 1 2 lab.test".
#include <optional>
#include <string>
#include <system_error>

#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

struct group_info {
    article_number count = 0;  ///< an estimate; may exceed high - low + 1
    article_number low = 0;    ///< the reported low water mark
    article_number high = 0;   ///< the reported high water mark
    std::string name;

    /// RFC 3977: an empty group is reported with count 0, or high < low.
    bool empty() const noexcept { return count == 0 || high < low; }
};

/// Parses a 211 reply. Text after the group name is ignored. Errors:
/// codec_errc::unexpected_code (not 211), malformed (a field missing),
/// invalid_number (e.g. "-1"), number_too_large, invalid_name.
std::optional<group_info> parse_group_reply(const reply& r, std::error_code& ec);

} // namespace pigeon::nntp
