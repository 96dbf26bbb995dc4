// Handoff destination: each message is spooled while it streams in (memory
// up to spill_at, then an unlinked temporary file, so memory stays bounded
// whatever the message size) and given whole to the caller's function at
// commit(). The caller forwards it (LMTP/SMTP in cli/); the receiver's
// acceptance is the delivery, so sync() has nothing to do.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <utility>

#include "destination_impl.hpp"

namespace pigeon::store {
namespace detail {
namespace {

constexpr std::size_t spill_at = 1024 * 1024;
constexpr std::size_t head_size = 64 * 1024;

/// An unlinked temporary file (O_TMPFILE where the file system has it).
int temporary_file(std::error_code& ec) {
    std::string dir = "/tmp";
    if (const char* t = std::getenv("TMPDIR"); t && t[0] == '/') dir = t;
    int fd = -1;
#ifdef O_TMPFILE
    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    std::string path = dir + "/pigeon-forward-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) {
        ec = errno_code(errno);
        return -1;
    }
    ::unlink(path.c_str());
    return fd;
}

struct handoff_core {
    std::string description;
    handoff_fn fn;
    bool delivery_open = false;
};

class handoff_delivery final : public stream_delivery {
public:
    handoff_delivery(std::shared_ptr<handoff_core> core, message_meta meta)
        : core_(std::move(core)), meta_(std::move(meta)) {}
    ~handoff_delivery() override { abort(); }
    handoff_delivery(const handoff_delivery&) = delete;
    handoff_delivery& operator=(const handoff_delivery&) = delete;

    void commit(std::error_code& ec) override {
        if (!end_stream(ec)) {
            abort();
            return;
        }
        std::uint64_t offset = 0;
        std::error_code read_error;
        handoff_message m{meta_, head_, {}, bytes_written()};
        m.read = [&](char* buf, std::size_t cap) -> std::size_t {
            if (fd_ < 0) {
                if (offset >= memory_.size()) return 0;
                const std::size_t n = std::min<std::size_t>(cap, memory_.size() - static_cast<std::size_t>(offset));
                memory_.copy(buf, n, static_cast<std::size_t>(offset));
                offset += n;
                return n;
            }
            while (true) {
                const ssize_t n = ::pread(fd_, buf, cap, static_cast<off_t>(offset));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    read_error = errno_code(errno);
                    throw std::system_error(read_error, "reading the spooled message");
                }
                offset += static_cast<std::uint64_t>(n);
                return static_cast<std::size_t>(n);
            }
        };
        handoff_result r;
        try {
            r = core_->fn(m);
        } catch (const std::exception& e) {
            r.ec = read_error ? read_error : make_error_code(errc::forward_unreachable);
            r.detail = e.what();
        }
        release();
        detail_ = std::move(r.detail);
        if (r.ec) {
            ec = r.ec;
            state_ = state::aborted;
        } else {
            location_ = std::move(r.location);
            state_ = state::committed;
        }
        core_->delivery_open = false;
    }

    void abort() noexcept override {
        if (state_ != state::open) return;
        release();
        state_ = state::aborted;
        core_->delivery_open = false;
    }

    std::string location() const override { return state_ == state::committed ? location_ : std::string(); }
    std::string failure_detail() const override { return detail_; }

private:
    void transform(std::string_view raw, std::string& out) override {
        if (head_.size() < head_size) head_.append(raw.substr(0, head_size - head_.size()));
        out.append(raw);
    }
    void transform_end(std::string&) override {}
    std::error_code drain(std::string_view data) override {
        if (fd_ < 0 && memory_.size() + data.size() <= spill_at) {
            memory_.append(data);
            return {};
        }
        if (fd_ < 0) {
            std::error_code ec;
            fd_ = temporary_file(ec);
            if (fd_ < 0) return ec;
            if (auto e = write_all(fd_, memory_)) return e;
            std::string().swap(memory_);
        }
        return write_all(fd_, data);
    }
    void release() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        std::string().swap(memory_);
    }

    std::shared_ptr<handoff_core> core_;
    message_meta meta_;
    std::string head_, memory_, location_, detail_;
    int fd_ = -1;
};

class handoff_destination final : public destination {
public:
    explicit handoff_destination(std::shared_ptr<handoff_core> core) : core_(std::move(core)) {}

    std::unique_ptr<delivery> begin(const message_meta& meta, std::error_code& ec) override {
        ec.clear();
        if (core_->delivery_open) {
            ec = make_error_code(errc::bad_state);
            return nullptr;
        }
        core_->delivery_open = true;
        return std::make_unique<handoff_delivery>(core_, meta);
    }
    void sync(std::error_code& ec) override { ec.clear(); }
    bool contains(std::string_view, std::uint64_t, std::string_view) const override { return false; }
    std::string describe() const override { return core_->description; }

private:
    std::shared_ptr<handoff_core> core_;
};

} // namespace
} // namespace detail

std::unique_ptr<destination> open_handoff(std::string description, handoff_fn fn, std::error_code& ec) {
    ec.clear();
    if (!fn || description.empty()) {
        ec = make_error_code(errc::bad_spec);
        return nullptr;
    }
    auto core = std::make_shared<detail::handoff_core>();
    core->description = std::move(description);
    core->fn = std::move(fn);
    return std::make_unique<detail::handoff_destination>(std::move(core));
}

} // namespace pigeon::store
