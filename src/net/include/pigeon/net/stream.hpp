#pragma once
// The byte stream under a channel: a TCP socket with optional TLS, or an
// in-memory stream in tests. Every operation honours the stream's deadline.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include "pigeon/net/tls_options.hpp"

namespace pigeon::net {

class stream {
public:
    virtual ~stream() = default;
    /// Reads at least one byte, up to cap. On end of stream returns 0 and sets
    /// ec to errc::connection_closed.
    virtual std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) = 0;
    /// Writes all n bytes or fails.
    virtual void write_all(const char* data, std::size_t n, std::error_code& ec) = 0;
    /// Upgrades to TLS in place (STARTTLS). Default: errc::tls_unsupported.
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
};

} // namespace pigeon::net
