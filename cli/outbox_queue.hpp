#pragma once
// The outbox as the commands use it (pigeon send --queue, sendmail's spool
// on a temporary failure, pigeon queue list|run|drop): the spool under the
// state directory, what an entry records of the connection settings, and
// one delivery attempt of an entry with its bookkeeping and log line.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "delivery_log.hpp"
#include "pigeon/smtp/envelope.hpp"
#include "pigeon/store/retry_schedule.hpp"
#include "pigeon/store/spool.hpp"
#include "send_common.hpp"

namespace pigeon::cli {

/// Options of every command that touches the outbox.
struct outbox_flags {
    std::string state_dir;  ///< --state-dir ("" = $XDG_STATE_HOME/pigeon)
    std::string log;        ///< --log FILE|syslog
    double lifetime_days = 5;
    double retry_seconds = 300;  ///< first retry delay
    /// --state-dir and --log; --retry-delay and --lifetime when asked for.
    void add_to(CLI::App& app, bool retry_options, bool lifetime_option);
    store::retry_policy policy() const;
};

/// Opens STATE/outbox (creating it). Throws exit_error(exit_cantcreat).
store::spool open_outbox(const std::string& state_dir_flag);

/// The settings an entry records so that a later run sends it the same way:
/// the flags as given (or their PIGEON_* variables) and the server URL and
/// account they resolved to. Never a password (a password command is kept).
std::vector<std::pair<std::string, std::string>> entry_settings(const connection_flags& f, const send_settings& s);

/// The connection flags an entry recorded; trace as the caller's.
connection_flags flags_of_entry(const store::spool_entry& e, const trace_flags& trace);

/// Copies a message from a source into a draft. Throws exit_error(exit_ioerr).
void write_draft(store::spool_draft& d, const net::source_fn& source);

/// What attempt() did.
struct attempt_summary {
    store::entry_step step = store::entry_step::retry;
    int exit_code = exit_ok;   ///< as pigeon send would exit for this attempt
    std::string status;        ///< sent, partial, deferred, failed, expired
};

/// One delivery attempt of the message at message_path to e's pending
/// recipients: resolves the recorded settings, sends, records the outcome
/// in e (retry with backoff, done, or given up), reports a permanent
/// failure or expiry on standard error and writes the log line. The spool
/// is not touched.
/// persist(step) is called as soon as the outcome is known: when the
/// server has answered for the message (before QUIT), or after a failure.
attempt_summary attempt_message(store::spool_entry& e, const std::string& message_path, const trace_flags& trace,
                                const store::retry_policy& policy, delivery_log& log,
                                const std::function<void(store::entry_step)>& persist = {});

/// attempt_message on a held entry, then saves it (retry) or removes it.
attempt_summary attempt_entry(store::held_entry& h, const trace_flags& trace, const store::retry_policy& policy,
                              delivery_log& log);

/// The log line of a delivery that did not go through the outbox.
void log_delivery(delivery_log& log, const send_settings& s, const delivery_report& report,
                  const smtp::envelope& env, std::uint64_t size, const std::exception* error);

/// What one pass of `pigeon queue run` does.
struct pass_options {
    bool all = false;      ///< ignore the backoff
    bool dry_run = false;  ///< say what would be sent; change nothing
    trace_flags trace;
    store::retry_policy policy;
    std::function<bool()> stopped;  ///< checked between entries (SIGTERM)
    /// --bounce: report what fails for good to the sender (outbox_bounce.hpp),
    /// sent through the outbox `outbox` names.
    const outbox_flags* bounce = nullptr;
};

/// One pass over the outbox: damaged entries moved aside (with a message),
/// every due entry (all with `all`) that no other process holds tried once.
/// Returns 0, or the exit code of a message that failed for good or
/// expired (the pass goes on after it).
int run_queue_pass(const store::spool& sp, const pass_options& o, delivery_log& log);

/// A message for the outbox, from pigeon send --queue or sendmail mode.
struct spool_request {
    smtp::envelope env;           ///< from, recipients, DSN parameters
    bool dsn_if_offered = false;  ///< sendmail mode: DSN only when the server offers it
    bool raw = false;             ///< sendmail mode: BODY=8BITMIME whenever offered
    bool utf8_header = false;     ///< sendmail mode: SMTPUTF8 when offered
    /// --queue: durable before the first attempt. Sendmail mode: the
    /// message is written (not fsynced) and made durable only when it has
    /// to wait for a retry.
    bool commit_first = true;
    bool bounce = false;          ///< a report about another message: never reported on
};

/// Writes the message from source to the outbox and tries it at once.
/// Returns 0 when it went, or waits in the outbox for a retry ("queued as
/// ID" on standard error); else the exit code of the failure (67 refused,
/// 69...), the entry then removed.
/// With `outcome`: the entry's id and the status of the attempt (sent,
/// partial, failed, deferred).
int spool_and_send(const connection_flags& f, const send_settings& s, const spool_request& req,
                   const net::source_fn& source, const outbox_flags& of, attempt_summary* outcome = nullptr,
                   std::string* spool_id = nullptr);

/// An envelope for an entry's pending recipients with its DSN parameters.
smtp::envelope envelope_of_entry(const store::spool_entry& e);

} // namespace pigeon::cli
