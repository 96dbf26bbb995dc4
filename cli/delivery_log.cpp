#include "delivery_log.hpp"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common.hpp"

namespace pigeon::cli {
namespace {

/// A value without spaces as is; otherwise quoted with \" and \\ escaped.
/// Controls never reach the log (printable() escapes them).
std::string field(const std::string& v) {
    const std::string p = printable(v);
    if (p.empty()) return "-";
    if (p.find_first_of(" \"\\") == std::string::npos) return p;
    std::string q = "\"";
    for (char c : p) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    return q + "\"";
}

} // namespace

std::string format_log_fields(const log_record& r) {
    std::string rcpts;
    for (const auto& a : r.recipients) rcpts += (rcpts.empty() ? "" : ",") + a;
    return "account=" + field(r.account) + " host=" + field(r.host) + " tls=" + field(r.tls.empty() ? "off" : r.tls) +
           " auth=" + field(r.auth.empty() ? "off" : r.auth) + " from=" + field(r.from) + " recipients=" + field(rcpts) +
           " size=" + std::to_string(r.size) + " status=" + field(r.status) + " queue_id=" + field(r.queue_id) +
           " spool_id=" + field(r.spool_id) + " reply=" + field(r.reply);
}

delivery_log delivery_log::from_flag(const std::string& flag) { return delivery_log(first_of(flag, env_value("PIGEON_LOG"))); }

void delivery_log::write(const log_record& r) {
    if (target_.empty()) return;
    const std::string fields = format_log_fields(r);
    if (target_ == "syslog") {
        ::openlog("pigeon", LOG_PID, LOG_MAIL);
        ::syslog(r.status == "sent" || r.status == "queued" ? LOG_INFO : LOG_WARNING, "%s", fields.c_str());
        ::closelog();
        return;
    }
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const std::string line = std::string(stamp) + " " + fields + "\n";
    const int fd = ::open(target_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    bool ok = fd >= 0;
    if (ok) {
        // O_APPEND and one write: lines of concurrent processes never mix.
        ssize_t n;
        do n = ::write(fd, line.data(), line.size());
        while (n < 0 && errno == EINTR);
        ok = n == static_cast<ssize_t>(line.size());
        ::close(fd);
    }
    if (!ok && !warned_) {
        warned_ = true;
        error_line("warning: cannot write the delivery log " + printable(target_) + ": " + std::strerror(errno));
    }
}

} // namespace pigeon::cli
