#pragma once
// What happens to a spool entry after a delivery attempt: which recipients
// are done, when to try again (exponential backoff with jitter) and when to
// give up (the entry's lifetime). Sans-I/O: the caller passes the time and
// a random number, so every decision is reproducible in a test.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pigeon/store/spool_entry.hpp"

namespace pigeon::store {

struct retry_policy {
    /// Delay before the second attempt; each later one doubles it.
    std::chrono::seconds first_delay{std::chrono::minutes(5)};
    /// The longest delay between two attempts.
    std::chrono::seconds max_delay{std::chrono::hours(1)};
    /// After this long in the spool an entry is given up (MTAs: 5 days).
    std::chrono::seconds lifetime{std::chrono::hours(24 * 5)};
    /// Fraction of each delay drawn at random (0: none, 1: anywhere from 0
    /// to the full delay), so entries that failed together spread out.
    double jitter = 0.5;
};

/// The delay after `attempts` failed attempts (1 = after the first):
/// min(max_delay, first_delay * 2^(attempts-1)), of which a `jitter`
/// fraction is scaled by u (in [0, 1)). At least one second.
std::chrono::seconds backoff_delay(std::uint32_t attempts, const retry_policy& p, double u);

/// What the server said about one recipient in an attempt.
enum class outcome { accepted, temporary, permanent };

struct recipient_outcome {
    std::string address;
    outcome result = outcome::temporary;
    std::string reply;  ///< the server's text, for the entry and the report
};

/// What to do with the entry after record_attempt().
enum class entry_step {
    done,     ///< no recipient is pending: remove it (report failed ones)
    retry,    ///< some recipients are pending: keep it until next_attempt
    expired,  ///< pending ones were given up (lifetime over): remove and report
};

/// Records an attempt at time `now` (seconds since the epoch). `outcomes`
/// names pending recipients (others are ignored); a pending recipient not
/// named keeps its state (a connection failure names none). `error` is the
/// attempt's failure ("" when it got as far as the replies). With u in
/// [0, 1) for the jitter.
entry_step record_attempt(spool_entry& e, const std::vector<recipient_outcome>& outcomes, const std::string& error,
                          std::int64_t now, const retry_policy& p, double u);

/// The entry may be tried at `now` (its backoff is over).
bool is_due(const spool_entry& e, std::int64_t now) noexcept;

} // namespace pigeon::store
