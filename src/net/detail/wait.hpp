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

/// Acknowledge what arrives at once instead of after the delayed-ACK timer
/// (40 ms on Linux). A server that writes one reply in several small pieces
/// with Nagle on (INN; Postfix after a TLS handshake, whose second session
/// ticket waits for the ACK of the first) sends the next piece only when
/// the previous one is acknowledged, so without this every such reply
/// stalls 40 ms. The kernel leaves quick-ACK mode by itself, hence set again
/// after every read that got bytes (the TLS socket BIO's reads included);
/// setting it also sends an ACK that is due right away. A no-op for
/// anything but TCP.
void quick_ack(int fd) noexcept;

} // namespace pigeon::net::detail
