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

private:
    socket_stream(int fd, std::string host, std::string peer, const connect_options& opts, bool tcp);
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
};

} // namespace pigeon::net
