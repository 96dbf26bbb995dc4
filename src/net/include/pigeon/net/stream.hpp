#pragma once
// The byte stream under a channel: a TCP socket with optional TLS, or an
// in-memory stream in tests. Every operation honours the stream's deadline
// (set_deadline) and gives up at once after cancel().
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include "pigeon/net/tls_options.hpp"

namespace pigeon::net {

/// When the calls of a stream give up with errc::timeout. The channel sets
/// one before each of its operations: a fixed instant for a reply line or a
/// command (the whole operation is bounded), the progress rule for bulk
/// transfers (only a stall is bounded).
struct io_deadline {
    using clock = std::chrono::steady_clock;
    /// No call goes on past this instant; time_point::max(): no bound.
    clock::time_point at = clock::time_point::max();
    /// Progress rule: when > 0, a call also fails once this long passes
    /// without a byte moving, counted from the call's start and again from
    /// every byte moved (write_all of 2 GB completes on a slow link, a stalled
    /// one fails). 0: only `at` applies.
    std::chrono::milliseconds idle{0};

    /// Bounds the whole of what follows: now + d (saturating; d <= 0: no bound).
    static io_deadline after(std::chrono::milliseconds d) noexcept;
    /// Progress rule only: fail after `idle` without progress (<= 0: no bound).
    static io_deadline progress(std::chrono::milliseconds idle) noexcept;
    /// The instant a wait that started (or last saw progress) at `from` must
    /// give up: the earlier of `at` and from + idle.
    clock::time_point limit(clock::time_point from) const noexcept;
};

/// t + d, clamped to time_point::max() instead of overflowing; d <= 0 gives
/// time_point::max() (no bound).
io_deadline::clock::time_point saturating_after(io_deadline::clock::time_point t,
                                                std::chrono::milliseconds d) noexcept;

class stream {
public:
    virtual ~stream() = default;
    /// Reads at least one byte, up to cap. On end of stream returns 0 and sets
    /// ec to errc::connection_closed; errc::timeout when the deadline passes
    /// first; errc::cancelled after cancel().
    virtual std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) = 0;
    /// Writes all n bytes or fails (errc::timeout per the deadline, with its
    /// progress rule; errc::cancelled after cancel()).
    virtual void write_all(const char* data, std::size_t n, std::error_code& ec) = 0;
    /// Upgrades to TLS in place (STARTTLS), the handshake bounded by the
    /// deadline. Default: errc::tls_unsupported.
    virtual void start_tls(const tls_options& opts, std::error_code& ec);
    /// The TLS session, or nullptr while the stream is clear text.
    virtual const tls_info* tls() const noexcept { return nullptr; }
    virtual void close() noexcept = 0;
    /// Waits up to timeout for something to read (IMAP IDLE): true when a
    /// read_some would not wait for its deadline (data, or the end of the
    /// stream), false when the time ran out; nothing is consumed and the
    /// stream stays usable. Default: true at once.
    virtual bool wait_readable(std::chrono::milliseconds timeout, std::error_code& ec);
    /// Words on the last failure where the code alone says too little (which
    /// certificate check failed, and on what). Empty by default.
    virtual std::string failure_detail() const { return {}; }

    /// The deadline of the following calls (read_some, write_all, start_tls)
    /// until it is set again.
    void set_deadline(const io_deadline& d) noexcept { deadline_ = d; }
    const io_deadline& deadline() const noexcept { return deadline_; }

    /// Thread-safe, and callable while another thread is blocked in a call of
    /// this stream: that call and every later one fail promptly with
    /// errc::cancelled; the connection is unusable afterwards. Never blocks.
    /// Must not race with close() or the destructor (channel::cancel()
    /// guarantees that).
    virtual void cancel() noexcept = 0;

protected:
    io_deadline deadline_;
};

} // namespace pigeon::net
