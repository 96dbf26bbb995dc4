#pragma once
// Sans-I/O parsers for directory listings: MLSD lines (RFC 3659 facts), the
// LIST formats servers actually send (Unix "ls -l" and DOS/IIS), and NLST
// names. They never throw on bad input: a line that is no entry is skipped
// and counted.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pigeon/ftp/entry.hpp"

namespace pigeon::ftp {

/// One MLSD line: "fact=value;fact=value; name" (fact names are
/// case-insensitive). nullopt for a malformed line and for the cdir and pdir
/// entries (the directory itself and its parent).
std::optional<entry> parse_mlsd_line(std::string_view line);

/// One LIST line, best effort: Unix long format ("drwxr-xr-x 2 u g 4096 Dec
/// 6 07:19 name", owner or group may be missing; "name -> target" for links)
/// or DOS/IIS ("12-06-23  07:19PM  <DIR>  name"). A date without a year
/// ("Dec 6 07:19") is taken in the year that puts it no later than a day
/// after now (seconds since 1970). nullopt for "total N" and anything else
/// that is no entry.
std::optional<entry> parse_list_line(std::string_view line, std::int64_t now);

/// "YYYYMMDDHHMMSS[.sss]" (MLSD modify=, MDTM) as seconds since 1970, UTC.
std::optional<std::int64_t> parse_ftp_time(std::string_view text);

/// Splits a listing's bytes into lines (any split, CRLF or LF) and parses
/// each: MLSD, LIST or plain names (NLST: the line is the name). Holds at
/// most one partial line of max_line bytes; a longer line is dropped whole.
class listing_parser {
public:
    enum class format { mlsd, list, names };
    using entry_fn = std::function<void(const entry&)>;

    listing_parser(format f, entry_fn each, std::int64_t now, std::size_t max_line = 8192);

    void feed(std::string_view chunk);
    /// Parses a last line without a line end.
    void finish();
    /// Entries reported so far.
    std::size_t entries() const noexcept { return entries_; }
    /// Lines that were no entry (including "total N", cdir/pdir, over-long lines).
    std::size_t skipped() const noexcept { return skipped_; }

private:
    void line(std::string_view l);
    format format_;
    entry_fn each_;
    std::int64_t now_;
    std::size_t max_;
    std::string partial_;
    bool dropping_ = false;
    std::size_t entries_ = 0;
    std::size_t skipped_ = 0;
};

} // namespace pigeon::ftp
