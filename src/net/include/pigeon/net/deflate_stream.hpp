#pragma once
// COMPRESS=DEFLATE (IMAP RFC 4978, NNTP RFC 8054) as a layer under the
// channel: a stream that compresses what is written (raw deflate, RFC 1951,
// flushed with Z_SYNC_FLUSH at every write so each command leaves at once)
// and inflates what is read. It sits between the channel and the socket/TLS
// stream, so every protocol can switch it on after its COMPRESS command; the
// channel's traces still show the uncompressed lines.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/net/stream.hpp"

namespace pigeon::net {

struct deflate_options {
    int level = 1;  ///< zlib level: 1 (fast, little CPU) by default
};

class deflate_stream final : public stream {
public:
    /// Takes over inner. preloaded: compressed bytes already read from inner
    /// (the channel had them buffered after the COMPRESS go-ahead).
    deflate_stream(std::unique_ptr<stream> inner, std::string_view preloaded, const deflate_options& opts,
                   std::error_code& ec);
    ~deflate_stream() override;

    std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) override;
    void write_all(const char* data, std::size_t n, std::error_code& ec) override;
    /// TLS after compression is not allowed (RFC 4978 section 4).
    void start_tls(const tls_options& opts, std::error_code& ec) override;
    /// Pending compressed input counts as readable; else the inner stream's.
    bool wait_readable(std::chrono::milliseconds timeout, std::error_code& ec) override;
    const tls_info* tls() const noexcept override { return inner_ ? inner_->tls() : nullptr; }
    void close() noexcept override;
    std::string failure_detail() const override { return inner_ ? inner_->failure_detail() : std::string(); }
    void cancel() noexcept override;

    /// Bytes in and out, for diagnostics and the trace.
    std::uint64_t raw_in() const noexcept { return raw_in_; }
    std::uint64_t plain_in() const noexcept { return plain_in_; }
    std::uint64_t plain_out() const noexcept { return plain_out_; }
    std::uint64_t raw_out() const noexcept { return raw_out_; }

private:
    struct zstate;
    std::unique_ptr<stream> inner_;
    std::unique_ptr<zstate> z_;
    std::string in_;         // compressed bytes not yet inflated
    std::size_t in_pos_ = 0;
    std::uint64_t raw_in_ = 0, plain_in_ = 0, plain_out_ = 0, raw_out_ = 0;
};

} // namespace pigeon::net
