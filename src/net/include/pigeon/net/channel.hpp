#pragma once
// The shared line channel of all four protocols (curl's "pingpong"): buffered
// line reading with limits, exact reads for literals, dot-terminated blocks,
// a dot-stuffing data writer, checked command writing, STARTTLS hygiene and
// the trace hook. Every call has an error_code overload that never throws and
// a throwing overload (transport_error / tls_error).
//
// Deadlines bound operations, not system calls: read_line, write_command(s)
// and start_tls each finish within channel_timeouts::operation however the
// server drips its bytes; bulk transfers (read_exact, read_dot_block,
// write_raw, write_dot_block) fail only when no byte moved for
// channel_timeouts::idle, so a 2 GB message on a slow link completes.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/bytes.hpp"
#include "pigeon/net/deflate_stream.hpp"
#include "pigeon/net/dot_codec.hpp"
#include "pigeon/net/stream.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::net {

struct channel_limits {
    /// Default maximum line length for read_line() without an argument.
    std::size_t max_line = 64 * 1024;
    /// Size of the read buffer (and of each write to the stream for data).
    std::size_t buffer_size = 64 * 1024;
};

/// How long the channel's operations may take (0 or less: no limit).
struct channel_timeouts {
    std::chrono::milliseconds operation{std::chrono::seconds(60)}; ///< bounds one read_line / write_command / write_commands (and start_tls)
    std::chrono::milliseconds idle{std::chrono::seconds(60)};      ///< bulk transfers: longest time without progress
};

/// A part of a command that must not appear in traces (a password, a SASL
/// response). Offsets into the command line; the rest is traced as is.
struct secret_span {
    std::size_t offset = 0;
    std::size_t length = std::string_view::npos; ///< npos: to the end of the line
};

class channel {
public:
    explicit channel(std::unique_ptr<stream> s, channel_limits limits = {});
    ~channel();
    channel(channel&&) noexcept;
    channel& operator=(channel&&) noexcept;

    /// A channel starts with the channel_timeouts defaults; open_channel()
    /// sets both from connect_options::io_timeout.
    void set_timeouts(channel_timeouts t) noexcept { timeouts_ = t; }
    const channel_timeouts& timeouts() const noexcept { return timeouts_; }

    /// Thread-safe: makes a call blocked in this channel (or the next one)
    /// fail promptly with net::errc::cancelled; the channel is closed
    /// afterwards (by the call that fails). Safe against the owning thread
    /// closing the channel meanwhile; not against moving or destroying it.
    void cancel() noexcept;
    /// True once cancel() was called.
    bool cancelled() const noexcept;

    void set_trace(trace_options t) { trace_ = std::move(t); }
    const trace_options& trace() const noexcept { return trace_; }
    /// Reports a note to the trace hook (state changes, TLS established).
    void trace_info(std::string_view text) const;

    // ---- reading ---------------------------------------------------------
    /// Reads one line and returns it without its line end (CRLF, or a bare LF
    /// from a sloppy peer). The view is valid until the next call on the
    /// channel. Fails with line_too_long beyond max bytes, nul_in_line on NUL.
    std::string_view read_line(std::size_t max, std::error_code& ec);
    std::string_view read_line(std::size_t max);
    std::string_view read_line() { return read_line(limits_.max_line); }

    /// Reads exactly n bytes and passes them to sink in chunks (IMAP literals).
    void read_exact(std::size_t n, const sink_fn& sink, std::error_code& ec);
    void read_exact(std::size_t n, const sink_fn& sink);

    /// Reads a dot-terminated block (after its status line has been read) and
    /// passes the un-stuffed content, CRLF line ends, to sink. max_bytes bounds
    /// the whole block (0: unbounded, for streaming to a file).
    void read_dot_block(const sink_fn& sink, std::size_t max_bytes, std::error_code& ec);
    void read_dot_block(const sink_fn& sink, std::size_t max_bytes = 0);

    /// Waits up to timeout for input without consuming it (IMAP IDLE): true
    /// when bytes are buffered or the stream has some, false when the time ran
    /// out (the channel stays open). Then read_line() as usual.
    bool wait_readable(std::chrono::milliseconds timeout, std::error_code& ec);

    /// Bytes received but not yet consumed.
    std::size_t buffered() const noexcept { return end_ - begin_; }

    // ---- writing ---------------------------------------------------------
    /// Writes line + CRLF in one write. Refuses (invalid_argument) a line with
    /// CR, LF or NUL, writing nothing.
    void write_command(std::string_view line, std::error_code& ec, secret_span secret = {0, 0});
    void write_command(std::string_view line, secret_span secret = {0, 0});

    /// Writes several commands in one write (pipelining). All are checked
    /// before anything is sent.
    void write_commands(const std::vector<std::string>& lines, std::error_code& ec);
    void write_commands(const std::vector<std::string>& lines);

    /// Writes raw bytes as they are (IMAP literal data, BDAT chunks). The
    /// trace shows the byte count unless trace().show_data.
    void write_raw(std::string_view bytes, std::error_code& ec);
    void write_raw(std::string_view bytes);

    /// Streams message bytes from source through the dot-stuffer and ends the
    /// block with ".CRLF": no bare CR or LF and no early end-of-data can reach
    /// the wire. Returns the number of source bytes read. A NUL byte in the
    /// message is dropped with nul_policy::strip; with refuse (the default)
    /// the call fails with errc::nul_in_data, sends nothing from the NUL on
    /// (the end-of-data above all) and closes the channel, so the server sees
    /// an aborted transfer, never a truncated message.
    std::size_t write_dot_block(const source_fn& source, std::error_code& ec, nul_policy nul = nul_policy::refuse);
    std::size_t write_dot_block(const source_fn& source, nul_policy nul = nul_policy::refuse);

    // ---- TLS ---------------------------------------------------------------
    /// Upgrades the connection to TLS after a STARTTLS/STLS go-ahead. Fails
    /// with data_after_starttls, before any handshake, if the server already
    /// sent bytes beyond its go-ahead line (response injection). On success the
    /// read buffer is empty: nothing read before TLS survives it.
    void start_tls(const tls_options& opts, std::error_code& ec);

    /// Switches on COMPRESS=DEFLATE after the server's go-ahead (IMAP RFC
    /// 4978, NNTP RFC 8054): from here every byte in both directions is raw
    /// deflate (net::deflate_stream). Bytes already received after the
    /// go-ahead are compressed data and go to the inflater first.
    void start_compression(std::error_code& ec, int level = 1);
    void start_compression(int level = 1);
    bool is_compressed() const noexcept { return compressed_; }
    void start_tls(const tls_options& opts);

    /// Words on why the last start_tls() failed (which certificate check).
    const std::string& failure_detail() const noexcept { return failure_detail_; }

    bool is_tls() const noexcept { return stream_ && stream_->tls() != nullptr; }
    const tls_info* tls() const noexcept { return stream_ ? stream_->tls() : nullptr; }

    bool is_open() const noexcept { return stream_ != nullptr; }
    void close() noexcept;
    stream* underlying() noexcept { return stream_.get(); }

private:
    friend class scoped_operation_timeout;
    struct control;
    bool begin_op(std::error_code& ec) noexcept;
    void arm_operation() noexcept;
    void arm_progress() noexcept;
    bool fill(std::size_t want_room, std::error_code& ec);
    void send(std::string_view bytes, std::error_code& ec);
    void trace_out(std::string_view line, secret_span secret) const;
    void trace_in(std::string_view line) const;
    void fail(std::error_code ec) noexcept;

    std::unique_ptr<stream> stream_;
    // cancel()'s lock and flag, and scoped_operation_timeout's override:
    // shared so that a scope outliving the channel (closed and destroyed by
    // an error path) restores into live memory.
    std::shared_ptr<control> control_;
    channel_limits limits_;
    channel_timeouts timeouts_;
    trace_options trace_;
    std::vector<char> buf_;   // grows past buffer_size only for a long line, up to its max
    std::size_t begin_ = 0;   // first unconsumed byte
    std::size_t end_ = 0;     // end of received bytes
    std::size_t scanned_ = 0; // bytes after begin_ known to hold no LF
    std::string failure_detail_;
    bool compressed_ = false;
};

/// Overrides the operation timeout for the next read_line calls while alive
/// (e.g. SMTP's 10-minute wait after end-of-data, RFC 5321 4.5.3.2.6); it
/// applies to write_command(s) and start_tls too. Restores the previous value
/// (scopes nest) on destruction. The channel may be closed, moved or
/// destroyed meanwhile (a client's error path): the scope stays safe.
class scoped_operation_timeout {
public:
    scoped_operation_timeout(channel& ch, std::chrono::milliseconds operation) noexcept;
    ~scoped_operation_timeout();
    scoped_operation_timeout(const scoped_operation_timeout&) = delete;
    scoped_operation_timeout& operator=(const scoped_operation_timeout&) = delete;

private:
    std::shared_ptr<channel::control> control_;
    std::optional<std::chrono::milliseconds> previous_;
};

} // namespace pigeon::net
