#include "pigeon/net/stream.hpp"

#include "pigeon/net/error.hpp"

namespace pigeon::net {

io_deadline::clock::time_point saturating_after(io_deadline::clock::time_point t,
                                                std::chrono::milliseconds d) noexcept {
    using clock = io_deadline::clock;
    if (d <= std::chrono::milliseconds::zero()) return clock::time_point::max();
    // Compare in milliseconds: converting a huge d to the clock's nanoseconds
    // would overflow.
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::max() - t);
    if (d >= room) return clock::time_point::max();
    return t + std::chrono::duration_cast<clock::duration>(d);
}

io_deadline io_deadline::after(std::chrono::milliseconds d) noexcept {
    io_deadline r;
    r.at = saturating_after(clock::now(), d);
    return r;
}

io_deadline io_deadline::progress(std::chrono::milliseconds idle) noexcept {
    io_deadline r;
    r.idle = idle > std::chrono::milliseconds::zero() ? idle : std::chrono::milliseconds::zero();
    return r;
}

io_deadline::clock::time_point io_deadline::limit(clock::time_point from) const noexcept {
    if (idle <= std::chrono::milliseconds::zero()) return at;
    const auto by_idle = saturating_after(from, idle);
    return by_idle < at ? by_idle : at;
}

void stream::start_tls(const tls_options&, std::error_code& ec) { ec = errc::tls_unsupported; }

} // namespace pigeon::net
