#pragma once
// Alert mail from a program's log, without ever blocking the program: records
// at or above a level go into a bounded queue (a full queue counts a drop and
// returns at once); a background thread mails them as digests, at most one
// message per interval per subject key, records beyond the listed ones
// summarised ("37 more like this"); a digest that cannot be sent goes into
// the durable outbox spool (store/spool.hpp) for `pigeon queue run`.
//
//   outbox::alert_options o;
//   o.server = "smtp://mail.example.org:587";
//   o.who = {.username = "alerts", .password = pw};
//   o.from = "alerts@example.org";
//   o.to = {"ops@example.org"};
//   o.spool_dir = "/var/lib/myapp/outbox";
//   outbox::alert_mailer mail(o);
//   mail.post(outbox::alert_level::error, "disk", "/var at 97%");  // never waits on the network
//   ...
//   auto s = mail.close(std::chrono::seconds(5));  // flush, bounded
//
// The spdlog sink (outbox/alert_spdlog_sink.hpp) forwards to this class.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigeon/outbox/send.hpp"

namespace pigeon::outbox {

enum class alert_level { trace, debug, info, warning, error, critical };

/// "trace", "debug", "info", "warning", "error", "critical".
const char* to_string(alert_level l) noexcept;

struct alert_options {
    /// smtp://, smtps:// or lmtp:// URL (std::invalid_argument when bad).
    std::string server;
    /// Clear text to the server (tests, a local relay): no STARTTLS.
    bool clear_text = false;
    sasl::credentials who;
    send_options send;
    /// Sender and recipients of every digest.
    std::string from;
    std::vector<std::string> to;
    std::string subject_prefix = "[alert] ";
    /// Records below this level are ignored (not counted).
    alert_level threshold = alert_level::warning;
    /// Records waiting for the background thread; more are dropped.
    std::size_t queue_capacity = 10000;
    /// At most one message per subject key per interval.
    std::chrono::milliseconds interval{std::chrono::minutes(5)};
    /// Records listed in full in one digest; the rest are counted.
    std::size_t max_listed = 20;
    /// Longest text kept of one record (bytes).
    std::size_t max_text = 2000;
    /// Distinct subject keys tracked; records with further keys share the
    /// key "other".
    std::size_t max_keys = 256;
    /// Where digests that could not be sent go; "" for nowhere (counted as
    /// lost).
    std::string spool_dir;
    /// The spool entry's settings (how `pigeon queue run` sends it: account,
    /// user, tls, tls_ca...; never a password). "server" is added from
    /// `server` when missing, "tls" = "none" with clear_text.
    std::vector<std::pair<std::string, std::string>> spool_settings;
};

struct alert_stats {
    std::uint64_t queued = 0;      ///< records accepted into the queue
    std::uint64_t dropped = 0;     ///< records refused: the queue was full, or closed
    std::uint64_t listed = 0;      ///< records listed in full in a digest (sent or spooled)
    std::uint64_t summarised = 0;  ///< records only counted in a digest ("N more like this")
    std::uint64_t sent = 0;        ///< digests the server accepted
    std::uint64_t spooled = 0;     ///< digests put into the spool instead
    std::uint64_t lost = 0;        ///< records in digests neither sent nor spooled
    std::uint64_t pending = 0;     ///< records not yet in a digest (or in one being sent)
    std::string last_error;        ///< why the last send or spool failed
};

class alert_mailer {
public:
    /// Starts the background thread. std::invalid_argument for a bad server
    /// URL, no recipient or a zero queue capacity.
    explicit alert_mailer(alert_options opts);
    alert_mailer(const alert_mailer&) = delete;
    alert_mailer& operator=(const alert_mailer&) = delete;
    /// close() with a timeout of 5 seconds. A send abandoned by close() goes
    /// on in the detached thread (bounded by send.client's timeouts).
    ~alert_mailer();

    /// Queues a record (time: now) when level >= threshold. Never blocks on
    /// the network nor on a full queue: returns false when it was dropped
    /// (or below the threshold).
    bool post(alert_level level, std::string_view key, std::string_view text) noexcept;
    bool post(alert_level level, std::string_view key, std::string_view text,
              std::chrono::system_clock::time_point time) noexcept;

    /// Asks the thread to mail what it holds now, ignoring the interval.
    void flush_now() noexcept;

    /// Stops taking records, mails (or spools) everything queued, and waits
    /// at most `timeout`. A send still running then is abandoned to the
    /// thread, which spools its digest when the send fails; what was not yet
    /// in a digest is spooled at once (`pending` counts the records of that
    /// send until it ends). Returns the counters. Idempotent: a second call
    /// waits again only if the first one did not give up.
    alert_stats close(std::chrono::milliseconds timeout);

    alert_stats stats() const;
    alert_level threshold() const noexcept;

private:
    struct state;
    std::shared_ptr<state> st_;
};

} // namespace pigeon::outbox
