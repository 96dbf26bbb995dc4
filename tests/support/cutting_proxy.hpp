#pragma once
// A TCP forwarder on 127.0.0.1 for fault tests: every connection it accepts
// is joined to a target port, bytes go both ways unchanged (TLS passes
// through), and it can
//   - cut: after N bytes from the server to the client, send no more and
//     close both sides (the client sees its last bytes, then EOF);
//   - slow down: wait before forwarding each chunk from the server.
// One thread accepts, one thread per connection forwards (poll with short
// timeouts, so the destructor stops everything promptly).
//
//   pigeon::test::cutting_proxy p(10993);
//   p.set_cut(4096);                       // for the connections to come
//   ... connect a client to 127.0.0.1:p.port() ...
//   p.wait_idle();                         // every connection finished
//   p.last_bytes();                        // server->client bytes forwarded
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace pigeon::test {

class cutting_proxy {
public:
    /// Listens on 127.0.0.1 (ephemeral port) and forwards to
    /// 127.0.0.1:target_port. Throws std::runtime_error on setup failure.
    explicit cutting_proxy(std::uint16_t target_port);
    ~cutting_proxy();
    cutting_proxy(const cutting_proxy&) = delete;
    cutting_proxy& operator=(const cutting_proxy&) = delete;

    std::uint16_t port() const noexcept;

    /// Connections accepted from now on are cut after n bytes from the
    /// server (nullopt: never).
    void set_cut(std::optional<std::uint64_t> n);
    /// Connections accepted from now on wait this long before forwarding
    /// each chunk (at most 16 KiB) from the server.
    void set_delay(std::chrono::milliseconds d);

    /// Waits (at most `limit`) until no connection is open; false on timeout.
    bool wait_idle(std::chrono::milliseconds limit = std::chrono::seconds(30));
    /// Server->client bytes forwarded on the last connection that ended.
    std::uint64_t last_bytes() const;
    /// Whether the last connection that ended was cut by the proxy.
    bool last_cut() const;
    /// Connections accepted so far.
    std::uint64_t connections() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pigeon::test
