#pragma once
// `pigeon news list`: the overview of a group as a terminal table (number,
// date, from, subject decoded, lines, threads shown by indentation) or as
// the JSON contract of the issue (number, message_id, date, from, subject,
// references, bytes, lines).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pigeon/nntp/overview.hpp"

namespace pigeon::cli {

/// One row of the table in display order.
struct thread_row {
    std::size_t index = 0;   ///< into the entries
    std::size_t depth = 0;   ///< 0: starts a thread
};

/// The Message-IDs ("<...>") of a References value, in order.
std::vector<std::string_view> reference_ids(std::string_view refs);

/// Threads the entries by References: an article's parent is the last
/// Message-ID of its References listed before it (by number); others start
/// a thread. Threads in the order of their first article, replies under
/// their parent in number order. Never loops (a parent always comes first).
std::vector<thread_row> thread_entries(const std::vector<nntp::overview_entry>& entries);

/// The table, one line per row, width columns wide at most. threaded:
/// subjects indented two blanks per level (at most half the subject
/// column).
std::vector<std::string> overview_table(const std::vector<nntp::overview_entry>& entries,
                                        const std::vector<thread_row>& rows, std::size_t width);

/// The JSON object of one entry (subject and from decoded to UTF-8).
/// One overview entry as a JSON object (one line; the `news list --json` contract).
std::string overview_json(const nntp::overview_entry& e);

/// "2026-12-06" from a Date header value; the raw text cut to 10 when it is
/// not a date.
std::string short_date(std::string_view date);

/// The display name of a From value (decoded), else the address.
std::string short_from(std::string_view from);

} // namespace pigeon::cli
