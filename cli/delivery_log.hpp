#pragma once
// The delivery log: one line per message and attempt, with msmtp's fields
// (time, account, host, tls, auth, from, recipients, size, status, queue id)
// and the spool id, to a file (appended, one write per line) or to syslog
// (facility mail). --log FILE|syslog, else PIGEON_LOG; none by default.
//
//   2026-12-06T10:30:00Z account=lab host=127.0.0.1:587 tls=TLSv1.3 auth=SCRAM-SHA-256
//   from=alerts@lab.test recipients=ops@lab.test,audit@lab.test size=1234 status=sent
//   queue_id=4XyZ12 spool_id=- reply="250 2.0.0 Ok: queued as 4XyZ12"
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pigeon::cli {

struct log_record {
    std::string account, host, tls, auth, from;
    std::vector<std::string> recipients;
    std::uint64_t size = 0;
    std::string status;    ///< sent, partial, deferred, failed, expired, queued, dropped
    std::string queue_id;  ///< the server's ("queued as X")
    std::string spool_id;  ///< the outbox entry, "" when not spooled
    std::string reply;     ///< the final reply or the error, on one line
};

class delivery_log {
public:
    /// target: "" (no log), "syslog", or a file name.
    explicit delivery_log(std::string target = {}) : target_(std::move(target)) {}
    /// --log, else PIGEON_LOG.
    static delivery_log from_flag(const std::string& flag);
    bool enabled() const noexcept { return !target_.empty(); }
    /// Writes the line; a failure to write is reported on standard error
    /// once and does not change the exit code (the mail went anyway).
    void write(const log_record& r);

private:
    std::string target_;
    bool warned_ = false;
};

/// The line without the time stamp (tests and syslog use it as is).
std::string format_log_fields(const log_record& r);

} // namespace pigeon::cli
