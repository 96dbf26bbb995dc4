// Backoff, lifetime and the per-recipient bookkeeping of spool entries.
#include "pigeon/store/retry_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace pigeon::store {

std::chrono::seconds backoff_delay(std::uint32_t attempts, const retry_policy& p, double u) {
    const double first = static_cast<double>(std::max<std::int64_t>(p.first_delay.count(), 1));
    const double cap = static_cast<double>(std::max(p.max_delay.count(), p.first_delay.count()));
    const std::uint32_t doublings = attempts == 0 ? 0 : std::min<std::uint32_t>(attempts - 1, 62);
    const double full = std::min(cap, first * std::ldexp(1.0, static_cast<int>(doublings)));
    const double jitter = std::clamp(p.jitter, 0.0, 1.0);
    const double uu = std::clamp(u, 0.0, 1.0);
    const double d = full * (1.0 - jitter) + full * jitter * uu;
    return std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(d)));
}

bool is_due(const spool_entry& e, std::int64_t now) noexcept { return e.next_attempt <= now; }

entry_step record_attempt(spool_entry& e, const std::vector<recipient_outcome>& outcomes, const std::string& error,
                          std::int64_t now, const retry_policy& p, double u) {
    ++e.attempts;
    e.last_attempt = now;
    e.last_error = error;
    for (const auto& o : outcomes) {
        for (auto& r : e.recipients) {
            if (r.state != recipient_state::pending || r.address != o.address) continue;
            r.last_reply = o.reply;
            if (o.result == outcome::accepted) r.state = recipient_state::delivered;
            else if (o.result == outcome::permanent) r.state = recipient_state::failed;
            break;
        }
    }
    if (e.count(recipient_state::pending) == 0) return entry_step::done;
    if (now - e.created >= p.lifetime.count()) {
        for (auto& r : e.recipients)
            if (r.state == recipient_state::pending) r.state = recipient_state::failed;
        return entry_step::expired;
    }
    e.next_attempt = now + backoff_delay(e.attempts, p, u).count();
    return entry_step::retry;
}

} // namespace pigeon::store
