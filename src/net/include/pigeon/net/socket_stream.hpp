#pragma once
// TCP (IPv6 and IPv4, each resolved address in turn) with OpenSSL TLS.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "pigeon/net/stream.hpp"
#include "pigeon/net/tls_options.hpp"

namespace pigeon::net {

struct connect_options {
    /// Per-address connect timeout.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
    /// Per operation: open_channel() sets both channel_timeouts from it, so it
    /// bounds one reply line, one command and the TLS handshake as a whole,
    /// and is the longest a bulk transfer (message data, literals) may go
    /// without moving a byte. A socket_stream used without a channel applies
    /// it as the progress limit of each call.
    std::chrono::milliseconds io_timeout{std::chrono::seconds(60)};
    /// Local address to bind before connecting; empty: any.
    std::string source_address;
};

class socket_stream final : public stream {
public:
    ~socket_stream() override;
    socket_stream(const socket_stream&) = delete;
    socket_stream& operator=(const socket_stream&) = delete;

    /// Resolves host and connects to the first address that answers.
    static std::unique_ptr<socket_stream> connect(const std::string& host, unsigned short port,
                                                  const connect_options& opts, std::error_code& ec);
    /// Connects to a unix-domain socket (LMTP and local test servers).
    static std::unique_ptr<socket_stream> connect_unix(const std::string& path,
                                                       const connect_options& opts, std::error_code& ec);

    std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) override;
    void write_all(const char* data, std::size_t n, std::error_code& ec) override;
    void start_tls(const tls_options& opts, std::error_code& ec) override;
    bool wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) override;
    const tls_info* tls() const noexcept override;
    void close() noexcept override;
    /// Sets a flag and shuts the socket down (shutdown(2)), which wakes a
    /// poll() in another thread; the blocked call fails with errc::cancelled.
    void cancel() noexcept override;

    /// The host name used for SNI and verification by default.
    const std::string& host() const noexcept { return host_; }
    /// Sets it: after a proxy tunnel, the final server's name, not the proxy's.
    void set_host(std::string name) { host_ = std::move(name); }
    /// The numeric address actually connected to ("127.0.0.1", "::1").
    const std::string& peer_address() const noexcept { return peer_; }
    /// Why the last TLS handshake failed, in words (empty if none did).
    std::string failure_detail() const override { return tls_detail_; }
    /// Bulk reads on TCP: SO_RCVLOWAT raised to bulk_low_water, so the
    /// kernel wakes a waiting read only once that much has arrived, and each
    /// wait lasts at most bulk_slice, after which whatever has arrived is
    /// read. When a slice ends and a read still finds nothing, the peer is
    /// idle: the low-water mark goes back to one byte (plain waits) until
    /// bytes flow again.
    void set_bulk_read(bool on) noexcept override;
    static constexpr int bulk_low_water = 64 * 1024;
    static constexpr std::chrono::milliseconds bulk_slice{1};

private:
    socket_stream(int fd, std::string host, std::string peer, const connect_options& opts, bool tcp);
    enum class waited { input, slice, failed };
    /// Waits for input before a read (per the bulk state); slice: a bulk
    /// slice ended with less than the low-water mark waiting (no progress).
    waited wait_input(std::chrono::steady_clock::time_point deadline, std::error_code& ec);
    void set_low_water(bool raised) noexcept;
    /// Before any plain wait for input: the mark back to one byte; false
    /// (ec set) if the kernel would not lower it.
    bool lower_low_water(std::error_code& ec) noexcept;
    /// The read after a wait got bytes (slice_ended) or nothing.
    void after_read(bool got) noexcept;
    std::size_t read_once(char* buf, std::size_t cap, std::error_code& ec);
    void write_once(const char* data, std::size_t n, std::error_code& ec);
    struct tls_state;
    int fd_ = -1;
    bool tcp_ = false;  // TCP (quick ACKs), not a unix-domain socket
    std::atomic<bool> cancelled_{false};
    std::string host_;
    std::string peer_;
    connect_options opts_;
    std::unique_ptr<tls_state> tls_;
    std::string tls_detail_;
    bool bulk_ = false;         // set_bulk_read(true)
    bool low_water_ = false;    // SO_RCVLOWAT raised on the socket
    bool slice_ended_ = false;  // the last wait was a bulk slice that ran out
    bool idle_ = false;         // bulk, but the peer went quiet: plain waits
};

} // namespace pigeon::net
