#include "pigeon/mime/compose_date.hpp"

#include <cstdio>
#include <ctime>

namespace pigeon::mime {

std::string compose_date(std::chrono::system_clock::time_point t, std::chrono::minutes utc_offset)
{
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    long off = static_cast<long>(utc_offset.count());
    if (off > 23 * 60 + 59) off = 23 * 60 + 59;
    if (off < -(23 * 60 + 59)) off = -(23 * 60 + 59);
    const std::time_t local = std::chrono::system_clock::to_time_t(t) + static_cast<std::time_t>(off) * 60;
    std::tm tm{};
    gmtime_r(&local, &tm);
    const long a = off < 0 ? -off : off;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday % 7], tm.tm_mday,
                  months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
                  a / 60, a % 60);
    return buf;
}

std::string compose_date(std::chrono::system_clock::time_point t)
{
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return compose_date(t, std::chrono::minutes(tm.tm_gmtoff / 60));
}

} // namespace pigeon::mime
