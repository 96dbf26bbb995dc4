#include <pigeon/mime/source.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pigeon::mime {

bool source::read_range(byte_range r, const sink_fn& sink, std::size_t chunk) const {
    if (r.length == 0) return true;
    if (r.offset > size() || r.length > size() - r.offset) return false;
    if (const char* d = data()) {
        sink(std::string_view(d + r.offset, static_cast<std::size_t>(r.length)));
        return true;
    }
    if (chunk == 0) chunk = 64 * 1024;
    const auto cap = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, r.length));
    std::unique_ptr<char[]> buf(new char[cap]); // not zeroed: read_at fills it
    std::uint64_t pos = r.offset;
    std::uint64_t left = r.length;
    while (left > 0) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(cap, left));
        std::size_t got = read_at(pos, buf.get(), want);
        if (got == 0) return false;
        sink(std::string_view(buf.get(), got));
        pos += got;
        left -= got;
    }
    return true;
}

std::string source::read(byte_range r) const {
    std::string out;
    if (const char* d = data()) {
        if (r.offset <= size() && r.length <= size() - r.offset)
            out.assign(d + r.offset, static_cast<std::size_t>(r.length));
        return out;
    }
    read_range(r, [&out](std::string_view b) { out.append(b); });
    return out;
}

memory_source::memory_source(std::string owned) : owned_(std::move(owned)), view_(owned_) {}
memory_source::memory_source(std::string_view borrowed, int) : view_(borrowed) {}

std::shared_ptr<memory_source> memory_source::borrow(std::string_view bytes) {
    return std::make_shared<memory_source>(bytes, 0);
}

std::shared_ptr<memory_source> memory_source::own(std::string bytes) {
    return std::make_shared<memory_source>(std::move(bytes));
}

std::size_t memory_source::read_at(std::uint64_t offset, char* out, std::size_t n) const {
    if (offset >= view_.size()) return 0;
    std::size_t k = std::min<std::size_t>(n, view_.size() - static_cast<std::size_t>(offset));
    std::memcpy(out, view_.data() + offset, k);
    return k;
}

file_source::file_source(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

file_source::~file_source() {
    if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<file_source> file_source::open(const std::filesystem::path& path, std::error_code& ec) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ec.assign(errno, std::generic_category());
        return nullptr;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ec.assign(errno, std::generic_category());
        ::close(fd);
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        ec = std::make_error_code(std::errc::invalid_argument);
        ::close(fd);
        return nullptr;
    }
    ec.clear();
    return std::make_shared<file_source>(fd, static_cast<std::uint64_t>(st.st_size));
}

std::size_t file_source::read_at(std::uint64_t offset, char* out, std::size_t n) const {
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            error_.assign(errno, std::generic_category());
            break;
        }
        if (r == 0) break;
        done += static_cast<std::size_t>(r);
    }
    return done;
}

} // namespace pigeon::mime
