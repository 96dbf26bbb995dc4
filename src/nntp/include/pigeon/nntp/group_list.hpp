#pragma once
// One line of the group listings (RFC 3977 section 7.6, RFC 6048):
//   LIST ACTIVE and NEWGROUPS   "name high low status"   "lab.test 0000000002 0000000001 y"
//   LIST COUNTS                 "name high low count status"
//   LIST ACTIVE.TIMES           "name time creator"      "lab.test 1796529402 lab@lab.test"
//   LIST NEWSGROUPS             "name<blanks>description" "lab.test\tpigeon lab: tests."
//   LIST DISTRIB.PATS           "weight:wildmat:distribution"
// Fields are split on runs of SP and TAB. Each function takes one line
// (without CRLF, after dot-unstuffing) and fails for that line only.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/nntp/article_ref.hpp"

namespace pigeon::nntp {

/// The status field of LIST ACTIVE (RFC 3977 7.6.3, RFC 6048 3.1).
enum class group_posting {
    allowed,      ///< "y"
    not_allowed,  ///< "n"
    moderated,    ///< "m"
    no_local,     ///< "x": articles are not accepted at all here
    junk,         ///< "j": articles go to the junk group
    alias,        ///< "=other.group": an alias; see alias_of
    unknown,      ///< anything else (kept in `status`), or no status field
};

struct active_entry {
    std::string name;
    article_number high = 0;
    article_number low = 0;
    group_posting posting = group_posting::unknown;
    std::string status;    ///< the status field as sent
    std::string alias_of;  ///< for group_posting::alias
};

struct counts_entry {
    active_entry active;        ///< name, high, low, status
    article_number count = 0;   ///< the estimated number of articles
};

struct active_times_entry {
    std::string name;
    std::chrono::sys_seconds created{};  ///< from seconds since 1970 UTC
    std::string creator;                 ///< who made it (may hold blanks; may be empty)
};

struct newsgroups_entry {
    std::string name;
    std::string description;  ///< may be empty
};

struct distrib_pat {
    article_number weight = 0;
    std::string wildmat;
    std::string distribution;
};

/// LIST ACTIVE and NEWGROUPS. An unknown or missing status is not an error
/// (group_posting::unknown). Errors: codec_errc::malformed (no high or low),
/// invalid_name, invalid_number, number_too_large.
std::optional<active_entry> parse_active_line(std::string_view line, std::error_code& ec);
/// LIST COUNTS. Errors as parse_active_line.
std::optional<counts_entry> parse_counts_line(std::string_view line, std::error_code& ec);
/// LIST ACTIVE.TIMES. Errors: malformed (no time), invalid_name,
/// invalid_number, number_too_large (beyond what sys_seconds holds).
std::optional<active_times_entry> parse_active_times_line(std::string_view line, std::error_code& ec);
/// LIST NEWSGROUPS. Error: invalid_name (including an empty line).
std::optional<newsgroups_entry> parse_newsgroups_line(std::string_view line, std::error_code& ec);
/// LIST DISTRIB.PATS. Errors: malformed (fewer than two ":"), invalid_number.
std::optional<distrib_pat> parse_distrib_pats_line(std::string_view line, std::error_code& ec);

} // namespace pigeon::nntp
