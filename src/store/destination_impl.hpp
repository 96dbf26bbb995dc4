#pragma once
// Private to src/store: what the three destinations (maildir.cpp, mbox.cpp,
// mda.cpp) share — errno mapping, a streaming SHA-256, the CRLF -> LF
// converter, the "LF form" digests that contains() checks, and
// stream_delivery, the base of every delivery (state, counting, hashing,
// the bounded write buffer).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/store/destination.hpp"

struct evp_md_ctx_st;

namespace pigeon::store::detail {

/// Bytes of input converted per step and the write buffer's flush mark:
/// a delivery holds at most about two of these in memory.
inline constexpr std::size_t write_slice = 16 * 1024;
inline constexpr std::size_t write_buffer = 64 * 1024;

/// ENOSPC / EDQUOT -> errc::no_space, anything else -> `other`.
std::error_code errno_code(int err, errc other = errc::io_error) noexcept;

/// Writes all of data to fd (EINTR and short writes handled).
std::error_code write_all(int fd, std::string_view data) noexcept;

/// fsync of a directory by path.
std::error_code fsync_dir(const std::string& path) noexcept;

/// Streaming SHA-256 over libcrypto's EVP. Copyable (the copy continues from
/// the same state). A failed allocation makes hex() return "".
class sha256 {
public:
    sha256() noexcept;
    sha256(const sha256& other) noexcept;
    sha256& operator=(const sha256& other) noexcept;
    ~sha256();
    void update(std::string_view bytes) noexcept;
    /// Lower-case hex digest of everything so far; the state is unchanged.
    std::string hex() const;

private:
    evp_md_ctx_st* ctx_ = nullptr;
};

/// CRLF -> LF, streaming: a CR is held back until the next byte shows
/// whether it starts a CRLF. Bare LF, lone CR and NUL pass unchanged.
class crlf_to_lf {
public:
    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);

private:
    bool pending_cr_ = false;
};

/// Digests of a stored message in LF form, kept for the two originals that
/// can be rebuilt from it exactly: the stored bytes as they are (the
/// original had bare LF ends) and with every LF made CRLF (the original had
/// CRLF ends).
class lf_form {
public:
    void update(std::string_view lf_bytes);
    std::uint64_t length() const noexcept { return length_; }
    std::uint64_t line_feeds() const noexcept { return lfs_; }

    enum class verdict {
        match,         ///< an exact rebuild has `size` bytes and hashes to sha
        mismatch,      ///< an exact rebuild has `size` bytes and hashes otherwise
        unverifiable,  ///< mixed line ends: size is possible, no rebuild is exact
        impossible,    ///< no original of `size` bytes can have this LF form
    };
    /// What the stored form says about an original of `size` bytes with
    /// this SHA-256 ("" = size only).
    verdict check(std::uint64_t size, std::string_view sha256_hex) const;

private:
    sha256 lf_;
    sha256 crlf_;
    std::uint64_t length_ = 0;
    std::uint64_t lfs_ = 0;
};

/// The base of every delivery: state checks, bytes_written(), sha256_hex()
/// over the original bytes, and the write buffer. A derived class supplies
/// transform() (raw bytes -> stored bytes), drain() (stored bytes -> file or
/// pipe) and its own commit/abort, calling end_stream() and close_state().
class stream_delivery : public delivery {
public:
    void write(std::string_view bytes, std::error_code& ec) final;
    std::uint64_t bytes_written() const noexcept final { return received_; }
    std::string sha256_hex() const final;

protected:
    enum class state { open, committed, aborted };

    /// Appends the stored form of raw bytes to out.
    virtual void transform(std::string_view raw, std::string& out) = 0;
    /// Appends what is held back at the end of the message.
    virtual void transform_end(std::string& out) = 0;
    /// Writes stored bytes out.
    virtual std::error_code drain(std::string_view data) = 0;

    /// For commit(): flushes everything (transform_end, buffer); fixes the
    /// digest. False with ec set when the delivery cannot be committed.
    bool end_stream(std::error_code& ec);
    /// Appends bytes to the buffer ahead of the message (mbox From line).
    void put(std::string_view stored) { buf_.append(stored); }
    std::error_code flush_buffer();

    state state_ = state::open;
    std::error_code failed_;

private:
    sha256 sha_;
    std::string hex_;
    std::uint64_t received_ = 0;
    std::string buf_;
};

/// The three stores; the path is absolute, "~/" already expanded.
std::unique_ptr<destination> open_maildir(std::string root, const destination_options& opts,
                                          std::error_code& ec);
std::unique_ptr<destination> open_mbox(std::string path, const destination_options& opts,
                                       std::error_code& ec);
std::unique_ptr<destination> open_mda(std::string command, const destination_options& opts,
                                      std::error_code& ec);

} // namespace pigeon::store::detail
