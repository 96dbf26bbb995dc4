#pragma once
// `pigeon queue run --bounce`: when a queued message fails for good in the
// background (5xx, or its lifetime is over), a report goes back to its
// sender, like an MTA's bounce: which recipients, the server's last word on
// each, and the original header block (text/rfc822-headers). It is sent
// with the entry's own settings, through the outbox; a report about a
// report, or about a message with the null sender, is never sent.
#include <string>
#include <vector>

#include "outbox_queue.hpp"

namespace pigeon::cli {

/// The header block of a spooled message (at most 64 KiB), "" if unreadable.
std::string spooled_headers(const std::string& message_path);

/// Sends the report about `failed` (addresses of e that failed in this
/// attempt). Problems are reported on standard error, never thrown.
void send_bounce(const store::spool_entry& e, const std::vector<std::string>& failed, const std::string& headers,
                 const outbox_flags& of, const trace_flags& trace);

} // namespace pigeon::cli
