#pragma once
// One directory entry as a listing reports it (MLSD facts or a LIST line).
#include <cstdint>
#include <optional>
#include <string>

namespace pigeon::ftp {

enum class entry_type { file, directory, link, other, unknown };

struct entry {
    std::string name;                      ///< as the server sent it (escape before printing)
    entry_type type = entry_type::unknown;
    std::optional<std::uint64_t> size;     ///< bytes
    std::optional<std::int64_t> modified;  ///< seconds since 1970, UTC (LIST: the server's clock, minute precision)
    std::string permissions;               ///< "rwxr-xr-x" (LIST, MLSD UNIX.mode) or MLSD perm= ("adfrw")
    std::string owner;                     ///< LIST owner or MLSD UNIX.owner/UNIX.uid; may be empty
    std::string group;
    std::string link_target;               ///< LIST "name -> target"
};

const char* to_string(entry_type t) noexcept;

} // namespace pigeon::ftp
