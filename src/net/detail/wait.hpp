#pragma once
// Waiting on a non-blocking socket with a deadline.
#include <chrono>
#include <system_error>

namespace pigeon::net::detail {

using clock = std::chrono::steady_clock;

/// Milliseconds left until deadline, 0 when passed.
int remaining_ms(clock::time_point deadline) noexcept;

/// Waits until fd is ready for events (POLLIN/POLLOUT) or the deadline
/// passes (errc::timeout).
bool wait_fd(int fd, short events, clock::time_point deadline, std::error_code& ec);

} // namespace pigeon::net::detail
