#pragma once
// Where message bytes live. A parsed message keeps byte ranges into its
// source instead of copies, so a 1 GB message held in a file costs little
// memory: bodies are read back (and decoded) in chunks only when asked.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::mime {

/// Receives bytes in order; called any number of times (same shape as
/// pigeon::net::sink_fn, so the two modules interoperate without depending
/// on each other).
using sink_fn = std::function<void(std::string_view)>;

/// A span of the source: [offset, offset + length).
struct byte_range {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t end() const noexcept { return offset + length; }
    bool empty() const noexcept { return length == 0; }
    friend bool operator==(const byte_range&, const byte_range&) = default;
};

/// Random-access, read-only bytes. Thread-compatible: concurrent read_at calls
/// are safe for the sources below.
class source {
public:
    virtual ~source() = default;
    /// Total size in bytes.
    virtual std::uint64_t size() const noexcept = 0;
    /// Copies up to n bytes at offset into out; returns how many (fewer only
    /// at the end of the source or on an I/O error, see error()).
    virtual std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const = 0;
    /// The whole source as contiguous memory, or nullptr when it is not in
    /// memory (a file). Lets readers skip copies.
    virtual const char* data() const noexcept { return nullptr; }
    /// The last read error (default: none).
    virtual std::error_code error() const { return {}; }

    /// Calls sink with the bytes of r in chunks of at most chunk bytes (one
    /// call with a view into memory for in-memory sources). Returns false if
    /// the source ended early or failed.
    bool read_range(byte_range r, const sink_fn& sink, std::size_t chunk = 64 * 1024) const;
    /// The bytes of r as a string (for small ranges: headers, short bodies).
    std::string read(byte_range r) const;
};

/// Bytes in memory. Either borrowed (the caller keeps them alive and
/// unchanged) or owned.
class memory_source final : public source {
public:
    /// Borrows bytes: no copy.
    static std::shared_ptr<memory_source> borrow(std::string_view bytes);
    /// Takes ownership of bytes.
    static std::shared_ptr<memory_source> own(std::string bytes);

    std::uint64_t size() const noexcept override { return view_.size(); }
    std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const override;
    const char* data() const noexcept override { return view_.data(); }
    std::string_view view() const noexcept { return view_; }

    explicit memory_source(std::string owned);            // use own()
    explicit memory_source(std::string_view borrowed, int); // use borrow()
private:
    std::string owned_;
    std::string_view view_;
};

/// A file read with positioned reads (pread): memory use does not depend on
/// the file's size. The file should not change while the source is used.
class file_source final : public source {
public:
    /// Opens path for reading; nullptr and ec set on failure.
    static std::shared_ptr<file_source> open(const std::filesystem::path& path, std::error_code& ec);
    ~file_source() override;
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;

    std::uint64_t size() const noexcept override { return size_; }
    std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const override;
    std::error_code error() const override { return error_; }

    file_source(int fd, std::uint64_t size); // use open()
private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
    mutable std::error_code error_;
};

} // namespace pigeon::mime
