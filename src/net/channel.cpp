#include "pigeon/net/channel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>

#include "pigeon/net/error.hpp"

namespace pigeon::net {
namespace {

bool fatal(const std::error_code& ec) { return ec && ec != errc::invalid_argument; }

bool has_forbidden(std::string_view s) {
    for (char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return true;
    return false;
}

// "[N what]" for traces. Built by appending: GCC 12 at -O3 reports a false
// -Wrestrict on chained std::string operator+ with a temporary.
std::string count_note(std::size_t n, std::string_view what) {
    std::string s = "[";
    s += std::to_string(n);
    s += ' ';
    s += what;
    s += ']';
    return s;
}

// Small dot blocks (CAPA, LIST, OVER of one article) are traced as text;
// larger ones only by size unless the caller asked for data.
constexpr std::size_t trace_block_text_max = 4096;

} // namespace

// cancel() runs on another thread: the mutex keeps the stream alive while
// it is told to cancel (close() takes it before destroying the stream).
// operation_override belongs to the owning thread (scoped_operation_timeout).
struct channel::control {
    std::mutex mutex;
    std::atomic<bool> cancelled{false};
    std::optional<std::chrono::milliseconds> operation_override;
};

channel::channel(std::unique_ptr<stream> s, channel_limits limits)
    : stream_(std::move(s)), control_(std::make_shared<control>()), limits_(limits),
      buf_(std::max<std::size_t>(limits.buffer_size, 1024)) {}

channel::~channel() { close(); }
channel::channel(channel&&) noexcept = default;
channel& channel::operator=(channel&&) noexcept = default;

void channel::close() noexcept {
    if (stream_) {
        if (control_) {
            std::lock_guard<std::mutex> lock(control_->mutex);
            stream_->close();
            stream_.reset();
        } else {
            stream_->close();
            stream_.reset();
        }
    }
    begin_ = end_ = scanned_ = 0;
}

void channel::cancel() noexcept {
    control* c = control_.get();
    if (!c) return;
    c->cancelled.store(true, std::memory_order_release);
    std::lock_guard<std::mutex> lock(c->mutex);
    if (stream_) stream_->cancel();
}

bool channel::cancelled() const noexcept {
    return control_ && control_->cancelled.load(std::memory_order_acquire);
}

// Every operation starts here: a cancelled channel fails (and closes) before
// touching the stream or its buffer.
bool channel::begin_op(std::error_code& ec) noexcept {
    if (cancelled()) {
        ec = errc::cancelled;
        close();
        return false;
    }
    if (!stream_) {
        ec = errc::connection_closed;
        return false;
    }
    return true;
}

void channel::arm_operation() noexcept {
    if (!stream_) return;
    std::chrono::milliseconds op = timeouts_.operation;
    if (control_ && control_->operation_override) op = *control_->operation_override;
    stream_->set_deadline(io_deadline::after(op));
}

void channel::arm_progress() noexcept {
    if (stream_) stream_->set_deadline(io_deadline::progress(timeouts_.idle));
}

scoped_operation_timeout::scoped_operation_timeout(channel& ch, std::chrono::milliseconds operation) noexcept
    : control_(ch.control_) {
    if (!control_) return; // a moved-from channel
    previous_ = control_->operation_override;
    control_->operation_override = operation;
}

scoped_operation_timeout::~scoped_operation_timeout() {
    if (control_) control_->operation_override = previous_;
}

void channel::fail(std::error_code ec) noexcept {
    if (fatal(ec)) close();
}

void channel::trace_info(std::string_view text) const {
    if (trace_.hook) trace_.hook(trace_direction::info, text);
}

void channel::trace_in(std::string_view line) const {
    if (trace_.hook) trace_.hook(trace_direction::received, line);
}

void channel::trace_out(std::string_view line, secret_span secret) const {
    if (!trace_.hook) return;
    if (secret.length == 0 || trace_.show_secrets || secret.offset >= line.size()) {
        trace_.hook(trace_direction::sent, line);
        return;
    }
    std::string masked(line.substr(0, secret.offset));
    masked += redacted;
    if (secret.length != std::string_view::npos && secret.offset + secret.length < line.size())
        masked += line.substr(secret.offset + secret.length);
    trace_.hook(trace_direction::sent, masked);
}

// Makes room for at least want_room more bytes after end_ (compacting, and
// growing only when asked for more than the buffer holds), then reads.
bool channel::fill(std::size_t want_room, std::error_code& ec) {
    if (!stream_) {
        ec = errc::connection_closed;
        return false;
    }
    if (begin_ == end_) begin_ = end_ = 0;
    if (buf_.size() - end_ < want_room && begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (buf_.size() - end_ < want_room) buf_.resize(end_ + want_room);
    std::size_t n = stream_->read_some(buf_.data() + end_, buf_.size() - end_, ec);
    if (ec) return false;
    end_ += n;
    return true;
}

bool channel::wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) {
    ec.clear();
    if (begin_ != end_) return true;
    if (!stream_) {
        ec = errc::connection_closed;
        return false;
    }
    bool ready = stream_->wait_readable(timeout, ec);
    if (ec) fail(ec);
    return ready && !ec;
}

std::string_view channel::read_line(std::size_t max, std::error_code& ec) {
    ec.clear();
    if (!begin_op(ec)) return {};
    arm_operation(); // one deadline for the whole line, however it trickles in
    for (;;) {
        const char* base = buf_.data() + begin_;
        std::size_t have = end_ - begin_;
        const void* nl = have > scanned_ ? std::memchr(base + scanned_, '\n', have - scanned_) : nullptr;
        if (nl) {
            std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
            std::size_t consumed = len + 1;
            if (len > 0 && base[len - 1] == '\r') --len;
            if (len > max) {
                ec = errc::line_too_long;
                fail(ec);
                return {};
            }
            std::string_view line(base, len);
            if (line.find('\0') != std::string_view::npos) {
                ec = errc::nul_in_line;
                fail(ec);
                return {};
            }
            begin_ += consumed;
            scanned_ = 0;
            trace_in(line);
            return line;
        }
        scanned_ = have;
        if (have > max + 1) { // more than max bytes and a possible CR, still no LF
            ec = errc::line_too_long;
            fail(ec);
            return {};
        }
        std::size_t room = std::min<std::size_t>(limits_.buffer_size, max + 2 - have);
        if (!fill(std::max<std::size_t>(room, 1), ec)) {
            fail(ec);
            return {};
        }
    }
}

std::string_view channel::read_line(std::size_t max) {
    std::error_code ec;
    auto line = read_line(max, ec);
    if (ec) throw_error(ec, "reading a reply");
    return line;
}

void channel::read_exact(std::size_t n, const sink_fn& sink, std::error_code& ec) {
    ec.clear();
    if (!begin_op(ec)) return;
    arm_progress();
    scanned_ = 0;
    std::size_t total = n;
    while (n > 0) {
        if (begin_ == end_ && !fill(limits_.buffer_size, ec)) {
            fail(ec);
            return;
        }
        std::size_t take = std::min(n, end_ - begin_);
        sink(std::string_view(buf_.data() + begin_, take));
        if (trace_.hook && trace_.show_data) trace_.hook(trace_direction::received, {buf_.data() + begin_, take});
        begin_ += take;
        n -= take;
    }
    if (trace_.hook && !trace_.show_data) trace_info(count_note(total, "bytes of literal data"));
}

void channel::read_exact(std::size_t n, const sink_fn& sink) {
    std::error_code ec;
    read_exact(n, sink, ec);
    if (ec) throw_error(ec, "reading data");
}

void channel::read_dot_block(const sink_fn& sink, std::size_t max_bytes, std::error_code& ec) {
    ec.clear();
    if (!begin_op(ec)) return;
    arm_progress();
    scanned_ = 0;
    dot_unstuffer dec;
    std::string out;
    std::string trace_text;
    std::size_t total = 0;
    bool trace_as_text = trace_.hook != nullptr;
    auto flush = [&] {
        if (out.empty()) return;
        total += out.size();
        if (trace_.hook) {
            if (trace_.show_data) {
                trace_.hook(trace_direction::received, out);
            } else if (trace_as_text) {
                if (trace_text.size() + out.size() <= trace_block_text_max) trace_text += out;
                else trace_as_text = false;
            }
        }
        sink(out);
        out.clear();
    };
    for (;;) {
        if (begin_ == end_ && !fill(limits_.buffer_size, ec)) {
            fail(ec);
            return;
        }
        std::size_t consumed = 0;
        auto st = dec.feed(std::string_view(buf_.data() + begin_, end_ - begin_), out, consumed);
        begin_ += consumed;
        if (max_bytes && total + out.size() > max_bytes) {
            ec = errc::line_too_long;
            fail(ec);
            return;
        }
        if (st == dot_unstuffer::status::done || out.size() >= limits_.buffer_size) flush();
        if (st == dot_unstuffer::status::done) break;
    }
    if (trace_.hook && !trace_.show_data) {
        if (trace_as_text) {
            std::string_view rest(trace_text);
            while (!rest.empty()) {
                auto eol = rest.find("\r\n");
                trace_in(rest.substr(0, eol));
                rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
            }
            trace_in(".");
        } else {
            trace_info(count_note(total, "bytes of data"));
        }
    }
}

void channel::read_dot_block(const sink_fn& sink, std::size_t max_bytes) {
    std::error_code ec;
    read_dot_block(sink, max_bytes, ec);
    if (ec) throw_error(ec, "reading a multi-line response");
}

void channel::send(std::string_view bytes, std::error_code& ec) {
    if (!stream_) {
        ec = errc::connection_closed;
        return;
    }
    stream_->write_all(bytes.data(), bytes.size(), ec);
    fail(ec);
}

void channel::write_command(std::string_view line, std::error_code& ec, secret_span secret) {
    ec.clear();
    if (has_forbidden(line)) {
        ec = errc::invalid_argument;
        return;
    }
    if (!begin_op(ec)) return;
    arm_operation();
    std::string wire;
    wire.reserve(line.size() + 2);
    wire.append(line).append("\r\n");
    trace_out(line, secret);
    send(wire, ec);
}

void channel::write_command(std::string_view line, secret_span secret) {
    std::error_code ec;
    write_command(line, ec, secret);
    if (ec) throw_error(ec, "sending a command");
}

void channel::write_commands(const std::vector<std::string>& lines, std::error_code& ec) {
    ec.clear();
    std::string wire;
    for (const auto& l : lines) {
        if (has_forbidden(l)) {
            ec = errc::invalid_argument;
            return;
        }
        wire.append(l).append("\r\n");
    }
    if (!begin_op(ec)) return;
    arm_operation();
    for (const auto& l : lines) trace_out(l, {0, 0});
    send(wire, ec);
}

void channel::write_commands(const std::vector<std::string>& lines) {
    std::error_code ec;
    write_commands(lines, ec);
    if (ec) throw_error(ec, "sending commands");
}

void channel::write_raw(std::string_view bytes, std::error_code& ec) {
    ec.clear();
    if (!begin_op(ec)) return;
    arm_progress();
    if (trace_.hook) {
        if (trace_.show_data) trace_.hook(trace_direction::sent, bytes);
        else trace_info(count_note(bytes.size(), "bytes of data sent"));
    }
    send(bytes, ec);
}

void channel::write_raw(std::string_view bytes) {
    std::error_code ec;
    write_raw(bytes, ec);
    if (ec) throw_error(ec, "sending data");
}

std::size_t channel::write_dot_block(const source_fn& source, std::error_code& ec, nul_policy nul) {
    ec.clear();
    if (!begin_op(ec)) return 0;
    arm_progress(); // each write may wait idle for progress; reading the source is not counted
    dot_stuffer enc(nul);
    const std::size_t chunk = std::max<std::size_t>(limits_.buffer_size, 4096);
    std::unique_ptr<char[]> in(new char[chunk]); // not zero-filled per message
    std::string out;
    out.reserve(chunk + chunk / 8 + 16);
    auto refuse = [&](std::error_code why) {
        // Nothing of this piece, and no end-of-data: the peer must see the
        // transfer break off, not a message that ends early.
        trace_info("message data contains a NUL byte after " + std::to_string(enc.fed()) +
                   " bytes: not sent, closing the connection");
        ec = why;
        fail(ec);
        return enc.fed();
    };
    for (;;) {
        std::size_t n = source(in.get(), chunk);
        if (n == 0) break;
        if (auto bad = enc.feed(std::string_view(in.get(), n), out)) return refuse(bad);
        if (out.size() >= chunk) {
            if (trace_.hook && trace_.show_data) trace_.hook(trace_direction::sent, out);
            send(out, ec);
            if (ec) return enc.fed();
            out.clear();
        }
    }
    if (auto bad = enc.finish(out)) return refuse(bad);
    if (trace_.hook) {
        if (trace_.show_data) trace_.hook(trace_direction::sent, out);
        else trace_info(count_note(enc.fed(), "bytes of message data sent"));
    }
    if (enc.stripped() > 0) trace_info(count_note(enc.stripped(), "NUL bytes removed from the message"));
    send(out, ec);
    return enc.fed();
}

std::size_t channel::write_dot_block(const source_fn& source, nul_policy nul) {
    std::error_code ec;
    auto n = write_dot_block(source, ec, nul);
    if (ec) throw_error(ec, "sending message data");
    return n;
}

void channel::start_tls(const tls_options& opts, std::error_code& ec) {
    ec.clear();
    if (!begin_op(ec)) return;
    if (stream_->tls()) {
        ec = errc::tls_already_active;
        return;
    }
    if (buffered() > 0) {
        // Bytes after the go-ahead were sent in clear text before the
        // handshake: an attacker's injected responses (CVE-2021-22947 class).
        // Abort; nothing read before TLS may be trusted after it.
        trace_info("server sent " + std::to_string(buffered()) +
                   " bytes after its STARTTLS go-ahead: aborting (response injection)");
        ec = errc::data_after_starttls;
        close();
        return;
    }
    failure_detail_.clear();
    arm_operation(); // the whole handshake
    stream_->start_tls(opts, ec);
    if (ec) {
        failure_detail_ = stream_->failure_detail();
        trace_info("TLS handshake failed: " + (failure_detail_.empty() ? ec.message() : failure_detail_));
        fail(ec);
        return;
    }
    begin_ = end_ = scanned_ = 0;
    if (const tls_info* t = stream_->tls())
        trace_info("TLS established: " + t->version + ", " + t->cipher +
                   (t->verified ? ", certificate verified" : ", certificate NOT verified"));
}

void channel::start_tls(const tls_options& opts) {
    std::error_code ec;
    start_tls(opts, ec);
    if (ec) throw_error(ec, failure_detail_.empty() ? ec.message() : failure_detail_);
}

void channel::start_compression(std::error_code& ec, int level) {
    ec.clear();
    if (!begin_op(ec)) return;
    if (compressed_) {
        ec = errc::invalid_argument;
        return;
    }
    deflate_options o;
    o.level = level;
    {
        // cancel() may look at stream_ from another thread: swap under its lock.
        std::unique_lock<std::mutex> lock;
        if (control_) lock = std::unique_lock<std::mutex>(control_->mutex);
        stream_ = std::make_unique<deflate_stream>(std::move(stream_),
                                                   std::string_view(buf_.data() + begin_, end_ - begin_), o, ec);
    }
    begin_ = end_ = scanned_ = 0;
    if (ec) {
        fail(ec);
        return;
    }
    compressed_ = true;
    trace_info("COMPRESS=DEFLATE active");
}

void channel::start_compression(int level) {
    std::error_code ec;
    start_compression(ec, level);
    if (ec) throw_error(ec, "starting compression");
}

} // namespace pigeon::net
