#pragma once
// RFC 5322 section 3.3 date-time for the Date header:
// "Tue, 1 Jul 2003 10:52:37 +0200".
#include <chrono>
#include <string>

namespace pigeon::mime {

/// In the local time zone (its offset at that instant).
std::string compose_date(std::chrono::system_clock::time_point t);

/// With an explicit offset from UTC (between -23:59 and +23:59).
std::string compose_date(std::chrono::system_clock::time_point t, std::chrono::minutes utc_offset);

} // namespace pigeon::mime
