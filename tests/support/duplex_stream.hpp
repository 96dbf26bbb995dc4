#pragma once
// An in-memory pigeon::net::stream for codec and channel tests. The test
// pre-loads what the "server" sends as a list of chunks (each read_some
// returns at most one chunk, so packet splits are under the test's control)
// and inspects everything the code under test wrote, through a duplex_peer
// handle that stays valid after the stream has been handed to a channel.
//
//   auto s = std::make_unique<pigeon::test::duplex_stream>(
//       std::vector<std::string>{"220 hi\r\n", "250 ok\r\n"});
//   auto peer = s->peer();
//   pigeon::net::channel ch(std::move(s));
//   ...
//   CHECK(peer.written() == "EHLO x\r\n");
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/stream.hpp"
#include "pigeon/net/tls_options.hpp"

namespace pigeon::test {

/// What read_some does once every chunk has been read.
enum class end_of_input {
    close,    ///< the peer closed: returns 0 with net::errc::connection_closed
    timeout,  ///< the peer stays silent: returns 0 with net::errc::timeout at once
    wait,     ///< the peer stays silent: read_some really waits, until the
              ///< stream's deadline passes (net::errc::timeout) or cancel()
              ///< (net::errc::cancelled); with no deadline, only cancel() ends it
};

struct duplex_options {
    static constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
    /// Beast-style fail count: the 0-based index of the first operation
    /// (read_some, write_all, start_tls) that fails with net::errc::io_error.
    /// Operations before it succeed; it and every later one fail, as on a
    /// broken connection. A failed write writes nothing.
    std::size_t fail_count = never;
    end_of_input at_end = end_of_input::close;
    /// start_tls succeeds (without encrypting anything) and tls() then reports
    /// pretend_tls_info(), so STARTTLS logic can be unit-tested. Otherwise
    /// start_tls fails with net::errc::tls_unsupported.
    bool pretend_tls = false;
    /// With pretend_tls: make start_tls fail with this code instead (e.g.
    /// net::tls_errc::untrusted_issuer) to exercise handshake failures.
    std::error_code tls_failure{};
    /// Each chunk "arrives" this long after the previous read_some returned:
    /// read_some sleeps that long first, honouring the deadline the way a
    /// socket does (if the chunk would come after the deadline's limit it
    /// sleeps until the limit and fails with net::errc::timeout; cancel()
    /// interrupts the sleep). Zero: chunks are there at once.
    std::chrono::milliseconds chunk_delay{0};
};

/// The tls_info reported by a stream that pretends to be TLS.
const net::tls_info& pretend_tls_info();

/// The state shared by a duplex_stream and its duplex_peer handles.
struct duplex_state;

/// The test's side of a duplex_stream: feeds input and inspects output. Not
/// thread-safe: use it while no call is running in the stream (only the
/// stream's cancel() may come from another thread).
class duplex_peer {
public:
    /// Appends a chunk to the input (an empty chunk is ignored).
    void push(std::string chunk);
    /// Appends several chunks (e.g. from split_feed's to_chunks).
    void push(const std::vector<std::string>& chunks);

    /// Everything written so far, concatenated.
    std::string written() const;
    /// Each write_all call's bytes, in order (a command written in one write
    /// shows up as one entry).
    const std::vector<std::string>& writes() const;
    /// Bytes written before the (pretend) TLS upgrade; all of written() while
    /// no upgrade happened.
    std::string written_before_tls() const;
    /// Bytes written after the (pretend) TLS upgrade; empty without one.
    std::string written_after_tls() const;

    /// Chunks (or chunk remainders) not read yet.
    std::size_t unread_chunks() const;
    /// Number of operations attempted (read_some, write_all, start_tls).
    std::size_t operations() const;
    /// How often start_tls was called, and with what options the last time.
    std::size_t tls_attempts() const;
    const net::tls_options& last_tls_options() const;
    bool tls_active() const;
    bool closed() const;
    /// The deadline in force at each operation (read_some, write_all,
    /// start_tls), in order: what the channel armed for it.
    const std::vector<net::io_deadline>& deadlines() const;
    /// Whether cancel() was called on the stream.
    bool cancelled() const;

private:
    friend class duplex_stream;
    explicit duplex_peer(std::shared_ptr<duplex_state> s) : state_(std::move(s)) {}
    std::shared_ptr<duplex_state> state_;
};

class duplex_stream final : public net::stream {
public:
    explicit duplex_stream(std::vector<std::string> chunks = {}, duplex_options opts = {});
    ~duplex_stream() override;

    /// A handle sharing this stream's state; it outlives the stream.
    duplex_peer peer() const { return duplex_peer(state_); }

    std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) override;
    void write_all(const char* data, std::size_t n, std::error_code& ec) override;
    void start_tls(const net::tls_options& opts, std::error_code& ec) override;
    /// True while chunks are left (or the end is a close); false at once
    /// otherwise (a silent peer: the wait runs out).
    bool wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) override;
    const net::tls_info* tls() const noexcept override;
    void close() noexcept override;
    /// Thread-safe: wakes a read_some waiting (chunk_delay, end_of_input::wait).
    void cancel() noexcept override;

private:
    /// Counts an operation; true if it must fail.
    bool next_op_fails(std::error_code& ec);
    std::shared_ptr<duplex_state> state_;
};

} // namespace pigeon::test
