#include "pigeon/net/deflate_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "pigeon/net/error.hpp"

namespace pigeon::net {

struct deflate_stream::zstate {
    z_stream inf{};
    z_stream def{};
    bool inf_ok = false;
    bool def_ok = false;
    ~zstate() {
        if (inf_ok) inflateEnd(&inf);
        if (def_ok) deflateEnd(&def);
    }
};

namespace {
constexpr std::size_t chunk = 16 * 1024;
uInt clamp_uint(std::size_t n) { return static_cast<uInt>(std::min<std::size_t>(n, std::numeric_limits<uInt>::max())); }
} // namespace

deflate_stream::deflate_stream(std::unique_ptr<stream> inner, std::string_view preloaded, const deflate_options& opts,
                               std::error_code& ec)
    : inner_(std::move(inner)), z_(std::make_unique<zstate>()), in_(preloaded) {
    ec.clear();
    // Raw deflate (negative window bits): RFC 4978 / RFC 8054 have no zlib header.
    if (inflateInit2(&z_->inf, -15) != Z_OK) {
        ec = errc::io_error;
        return;
    }
    z_->inf_ok = true;
    if (deflateInit2(&z_->def, std::clamp(opts.level, 1, 9), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        ec = errc::io_error;
        return;
    }
    z_->def_ok = true;
    raw_in_ = preloaded.size();
}

deflate_stream::~deflate_stream() = default;

std::size_t deflate_stream::read_some(char* buf, std::size_t cap, std::error_code& ec) {
    ec.clear();
    if (!inner_) {
        ec = errc::connection_closed;
        return 0;
    }
    if (cap == 0) return 0;
    for (;;) {
        if (in_pos_ < in_.size()) {
            z_stream& s = z_->inf;
            s.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
            s.avail_in = clamp_uint(in_.size() - in_pos_);
            s.next_out = reinterpret_cast<Bytef*>(buf);
            s.avail_out = clamp_uint(cap);
            const int r = inflate(&s, Z_SYNC_FLUSH);
            const std::size_t used = (in_.size() - in_pos_) - s.avail_in;
            const std::size_t produced = clamp_uint(cap) - s.avail_out;
            in_pos_ += used;
            if (in_pos_ == in_.size()) {
                in_.clear();
                in_pos_ = 0;
            }
            if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END) {
                ec = errc::protocol_error;  // corrupt compressed data
                return 0;
            }
            if (r == Z_STREAM_END) {
                // The peer ended its deflate stream: nothing more can follow.
                if (produced > 0) {
                    plain_in_ += produced;
                    return produced;
                }
                ec = errc::connection_closed;
                return 0;
            }
            if (produced > 0) {
                plain_in_ += produced;
                return produced;
            }
            if (used == 0 && !in_.empty()) {
                ec = errc::protocol_error;  // no progress on pending input
                return 0;
            }
        }
        // Need more compressed input.
        char raw[chunk];
        inner_->set_deadline(deadline_);
        const std::size_t n = inner_->read_some(raw, sizeof raw, ec);
        if (ec || n == 0) {
            if (!ec) ec = errc::connection_closed;
            return 0;
        }
        raw_in_ += n;
        in_.append(raw, n);
    }
}

void deflate_stream::write_all(const char* data, std::size_t n, std::error_code& ec) {
    ec.clear();
    if (!inner_) {
        ec = errc::connection_closed;
        return;
    }
    if (n == 0) return;
    z_stream& s = z_->def;
    char out[chunk];
    std::size_t done = 0;
    while (done < n) {
        const std::size_t piece = std::min<std::size_t>(n - done, std::size_t{1} << 20);
        const bool last = done + piece == n;
        s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data + done));
        s.avail_in = static_cast<uInt>(piece);
        for (;;) {
            s.next_out = reinterpret_cast<Bytef*>(out);
            s.avail_out = static_cast<uInt>(sizeof out);
            // The last piece is flushed so the peer can act on the command now.
            if (deflate(&s, last ? Z_SYNC_FLUSH : Z_NO_FLUSH) == Z_STREAM_ERROR) {
                ec = errc::io_error;
                return;
            }
            const std::size_t produced = sizeof out - s.avail_out;
            if (produced > 0) {
                inner_->set_deadline(deadline_);
                inner_->write_all(out, produced, ec);
                if (ec) return;
                raw_out_ += produced;
            }
            if (s.avail_in == 0 && s.avail_out != 0) break;
        }
        done += piece;
    }
    plain_out_ += n;
}

void deflate_stream::start_tls(const tls_options&, std::error_code& ec) { ec = errc::tls_unsupported; }

bool deflate_stream::wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) {
    ec.clear();
    if (in_pos_ < in_.size()) return true;
    if (!inner_) {
        ec = errc::connection_closed;
        return false;
    }
    return inner_->wait_readable(timeout, ec);
}

void deflate_stream::close() noexcept {
    if (inner_) inner_->close();
}

void deflate_stream::cancel() noexcept {
    if (inner_) inner_->cancel();
}

} // namespace pigeon::net
