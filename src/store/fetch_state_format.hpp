#pragma once
// The text of the fetch-state journal (private to src/store).
//
//   pigeon-fetch-state 1
//   D<TAB>folder<TAB>uidvalidity<TAB>uid<TAB>uidl<TAB>size<TAB>sha256<TAB>message_id<TAB>location<TAB>destination
//   I<TAB>...same ten fields...
//   F<TAB>folder<TAB>uidvalidity<TAB>uid<TAB>uidl
//
// One record per line, LF-terminated. Every text field is percent-escaped:
// '%', DEL and every byte below 0x20 (TAB, CR, LF, NUL...) become %XX
// (upper-case hex), so any folder name, UIDL or Message-ID fits on one line;
// other bytes (UTF-8 included) are written as they are. Numbers are plain
// decimal without leading zeros. A line that breaks any of these rules
// (wrong field count, unknown kind, raw control byte, bad escape, bad
// number) is not a record.
#include <cstddef>
#include <string>
#include <string_view>

#include "pigeon/store/fetch_state.hpp"

namespace pigeon::store::detail {

inline constexpr std::string_view journal_header = "pigeon-fetch-state 1";
inline constexpr std::string_view journal_header_prefix = "pigeon-fetch-state ";

/// Longest line accepted on reading (LF excluded); longer ones are not
/// records, so nothing longer is ever written either.
inline constexpr std::size_t max_journal_line = std::size_t{1} << 20;

enum class entry_kind : char { intent = 'I', delivered = 'D', forget = 'F' };

struct journal_entry {
    entry_kind kind = entry_kind::delivered;
    delivered_record record;  ///< only record.key for forget
};

/// Appends `s` percent-escaped.
void append_escaped(std::string& out, std::string_view s);
/// Reverses append_escaped; false on a raw control byte or a bad escape.
bool unescape(std::string_view in, std::string& out);

/// Appends one I or D line (with its LF).
void append_record_line(std::string& out, entry_kind kind, const delivered_record& r);
/// Appends one F line (with its LF).
void append_forget_line(std::string& out, const message_key& k);

/// Parses one line (without its LF) into `out`; false when it is not a
/// well-formed record line.
bool parse_journal_line(std::string_view line, journal_entry& out);

}  // namespace pigeon::store::detail
