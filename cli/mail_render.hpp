#pragma once
// How the mail commands print messages: one summary per message (from IMAP
// ENVELOPE data or, for POP3, the header from TOP), as a table sized to the
// terminal (id, flags, date, from, subject, size; unseen rows bold on a
// terminal unless NO_COLOR) or as JSON objects with the contract's fields:
//
//   {"account", "folder", "uidvalidity", "uid", "id", "flags", "date",
//    "internal_date", "from": [{"name", "address"}], "to": [...],
//    "subject", "size", "message_id"}
//
// POP3: "uid" is the UIDL, "uidvalidity" null, "number" the message number.
// Everything from the server is decoded (RFC 2047) and, in the table,
// passed through printable() (controls escaped as in `pigeon show`).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pigeon/imap/message_data.hpp"

namespace pigeon::cli::mail {

struct summary {
    std::string account;
    std::string folder;
    std::optional<std::uint32_t> uidvalidity;
    std::uint32_t uid = 0;          ///< IMAP
    std::string uidl;               ///< POP3
    std::uint32_t number = 0;       ///< POP3 message number
    std::vector<std::string> flags;
    std::optional<std::int64_t> date;           ///< the Date field, Unix seconds
    std::string date_iso;                       ///< the Date field, ISO 8601 ("" when absent or bad)
    std::optional<std::int64_t> internal_date;  ///< IMAP INTERNALDATE, Unix seconds
    std::vector<std::pair<std::string, std::string>> from, to;  ///< (decoded name, address)
    std::string subject;            ///< decoded
    std::uint64_t size = 0;
    std::string message_id;

    /// The id as `list` prints it and the other commands take it.
    std::string id() const;
    bool seen() const;
};

/// From FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE).
summary summary_of(const imap::message_data& m);
/// The same into s, reusing its storage (a listing fills one summary per
/// message); account, folder, uidvalidity, uidl and number are left as
/// they are.
void fill_summary(summary& s, const imap::message_data& m);
/// From a message header (POP3 TOP n 0); flags empty.
summary summary_of_header(std::string header_bytes);

/// {"account", "folder", "uidvalidity", "uid", ...} as above, as one line
/// of JSON (written directly: cli/json_writer.hpp).
std::string summary_json_line(const summary& s);
/// The members `read --json` adds to `show --json` (those show lacks).
nlohmann::ordered_json location_json(const summary& s);

/// "2026-12-06T10:01:34Z" for Unix seconds.
std::string iso_utc(std::int64_t unix_seconds);


/// Prints summaries as a table or a JSON array, one at a time.
class summary_printer {
public:
    /// json: a JSON array; otherwise a table for `columns` columns (0: the
    /// terminal's, else $COLUMNS, else 100) with bold unseen rows when
    /// standard output is a terminal and NO_COLOR is unset.
    /// id_width: the ID column (wider ids widen their row).
    explicit summary_printer(bool json, std::size_t id_width = 8, std::size_t columns = 0);
    void add(const summary& s) { add_line(line(s)); }
    /// The row of s (a JSON object, or a table row with its line end),
    /// to hand to add_line later: rows can be made as messages arrive
    /// and written in another order.
    std::string line(const summary& s) const;
    void add_line(const std::string& row);
    /// Ends the array or the table; note is printed under a table.
    void finish(const std::string& note = {});
    std::size_t count() const noexcept { return count_; }

private:
    void header();
    bool json_;
    bool color_ = false;
    std::size_t columns_ = 100;
    std::size_t count_ = 0;
    std::size_t id_w = 8;
};


} // namespace pigeon::cli::mail
