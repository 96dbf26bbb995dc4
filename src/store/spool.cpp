// The outbox spool (spool.hpp): drafts, commits, locks, atomic .meta
// updates and the corrupt/ corner.
#include "pigeon/store/spool.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <random>
#include <utility>

#include "destination_impl.hpp"

namespace pigeon::store {
namespace {

constexpr std::size_t max_meta_bytes = 1024 * 1024;

std::error_code make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return make_error_code(errc::cannot_create);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return make_error_code(errc::cannot_create);
    return {};
}

/// Writes `text` to `tmp` and renames it to `path`; fsyncs it before the
/// rename (sync_first) or after it. After: the new state is visible to a
/// process that starts after a crash of this one within microseconds of the
/// server's reply (what keeps a message from being sent twice); a power cut
/// before the fsync can leave a damaged .meta, which parse_entry refuses
/// whole and the runner sets aside (ext4's default auto_da_alloc flushes a
/// file renamed over another anyway).
std::error_code replace_file(const std::string& tmp, const std::string& path, std::string_view text,
                             bool sync_first = true) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return detail::errno_code(errno);
    std::error_code ec = detail::write_all(fd, text);
    if (!ec && sync_first && ::fsync(fd) != 0) ec = detail::errno_code(errno);
    if (!ec && ::rename(tmp.c_str(), path.c_str()) != 0) ec = detail::errno_code(errno);
    if (ec) ::unlink(tmp.c_str());
    else if (!sync_first && ::fsync(fd) != 0) ec = detail::errno_code(errno);
    ::close(fd);
    return ec;
}

/// 0: read; ENOENT; EFBIG for a file over the cap; other errno.
int read_small_file(const std::string& path, std::string& out) {
    out.clear();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[8192];
    int err = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_meta_bytes) {
            err = EFBIG;
            break;
        }
    }
    ::close(fd);
    return err;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string new_id() {
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::random_device rd;
    static const char hex[] = "0123456789abcdef";
    std::string id = std::string(stamp) + "-";
    for (int i = 0; i < 3; ++i) {
        const unsigned v = rd();
        for (int k = 0; k < 4; ++k) id += hex[(v >> (4 * k)) & 15];
    }
    return id;
}

/// flock without waiting: 0, EWOULDBLOCK or another errno.
int try_lock(int fd) {
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        return errno;
    }
    return 0;
}

} // namespace

// ---- held_entry ------------------------------------------------------------

held_entry::held_entry(held_entry&& o) noexcept
    : dir_(std::move(o.dir_)), fd_(std::exchange(o.fd_, -1)), entry_(std::move(o.entry_)) {}

held_entry& held_entry::operator=(held_entry&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        dir_ = std::move(o.dir_);
        fd_ = std::exchange(o.fd_, -1);
        entry_ = std::move(o.entry_);
    }
    return *this;
}

held_entry::~held_entry() {
    if (fd_ >= 0) ::close(fd_);
}

std::string held_entry::message_path() const { return dir_ + "/" + entry_.id + ".msg"; }

std::error_code held_entry::save() {
    if (fd_ < 0) return make_error_code(errc::bad_state);
    const std::string meta = dir_ + "/" + entry_.id + ".meta";
    if (auto ec = replace_file(dir_ + "/tmp/" + entry_.id + ".meta", meta, encode_entry(entry_), false)) return ec;
    return detail::fsync_dir(dir_);
}

std::error_code held_entry::remove() {
    if (fd_ < 0) return make_error_code(errc::bad_state);
    std::error_code ec;
    if (::unlink((dir_ + "/" + entry_.id + ".meta").c_str()) != 0 && errno != ENOENT) ec = detail::errno_code(errno);
    if (!ec && ::unlink(message_path().c_str()) != 0 && errno != ENOENT) ec = detail::errno_code(errno);
    if (!ec) ec = detail::fsync_dir(dir_);
    ::close(std::exchange(fd_, -1));
    return ec;
}

// ---- spool_draft -------------------------------------------------------------

spool_draft::spool_draft(spool_draft&& o) noexcept
    : dir_(std::move(o.dir_)), id_(std::move(o.id_)), fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}

spool_draft& spool_draft::operator=(spool_draft&& o) noexcept {
    if (this != &o) {
        discard();
        dir_ = std::move(o.dir_);
        id_ = std::move(o.id_);
        fd_ = std::exchange(o.fd_, -1);
        size_ = o.size_;
    }
    return *this;
}

spool_draft::~spool_draft() { discard(); }

std::string spool_draft::message_path() const { return dir_ + "/tmp/" + id_ + ".msg"; }

std::error_code spool_draft::write(std::string_view bytes) {
    if (fd_ < 0) return make_error_code(errc::bad_state);
    if (auto ec = detail::write_all(fd_, bytes)) return ec;
    size_ += bytes.size();
    return {};
}

void spool_draft::discard() noexcept {
    if (fd_ < 0) return;
    ::unlink(message_path().c_str());
    ::close(std::exchange(fd_, -1));
}

std::optional<held_entry> spool_draft::commit(spool_entry e, std::error_code& ec) {
    ec.clear();
    if (fd_ < 0) {
        ec = make_error_code(errc::bad_state);
        return std::nullopt;
    }
    e.id = id_;
    e.size = size_;
    if (e.created == 0) e.created = static_cast<std::int64_t>(std::time(nullptr));
    const std::string msg = dir_ + "/" + id_ + ".msg";
    if (::fsync(fd_) != 0) ec = detail::errno_code(errno);
    if (!ec) ec = replace_file(dir_ + "/tmp/" + id_ + ".meta", dir_ + "/tmp/" + id_ + ".meta.ready", encode_entry(e));
    if (!ec && ::rename(message_path().c_str(), msg.c_str()) != 0) ec = detail::errno_code(errno);
    if (!ec && ::rename((dir_ + "/tmp/" + id_ + ".meta.ready").c_str(), (dir_ + "/" + id_ + ".meta").c_str()) != 0)
        ec = detail::errno_code(errno);
    if (!ec) ec = detail::fsync_dir(dir_);
    if (ec) {
        ::unlink((dir_ + "/tmp/" + id_ + ".meta.ready").c_str());
        ::unlink(msg.c_str());
        discard();
        return std::nullopt;
    }
    return held_entry(dir_, std::exchange(fd_, -1), std::move(e));
}

// ---- spool -----------------------------------------------------------------

std::optional<spool> spool::open(const std::string& dir, std::error_code& ec) {
    ec.clear();
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    // Parents as needed (0700, as the state directory).
    for (std::size_t pos = d.find('/', 1); pos != std::string::npos; pos = d.find('/', pos + 1))
        if (::mkdir(d.substr(0, pos).c_str(), 0700) != 0 && errno != EEXIST) break;
    for (const std::string& p : {d, d + "/tmp", d + "/corrupt"})
        if ((ec = make_dir(p))) return std::nullopt;
    return spool(d);
}

std::optional<spool_draft> spool::create(std::error_code& ec) const {
    ec.clear();
    for (int tries = 0; tries < 8; ++tries) {
        std::string id = new_id();
        const std::string path = dir_ + "/tmp/" + id + ".msg";
        if (exists(dir_ + "/" + id + ".msg")) continue;
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST) continue;
            ec = detail::errno_code(errno, errc::cannot_create);
            return std::nullopt;
        }
        if (try_lock(fd) != 0) {
            ::close(fd);
            ::unlink(path.c_str());
            ec = make_error_code(errc::io_error);
            return std::nullopt;
        }
        return spool_draft(dir_, std::move(id), fd);
    }
    ec = make_error_code(errc::cannot_create);
    return std::nullopt;
}

std::vector<std::string> spool::list(std::error_code& ec) const {
    ec.clear();
    std::vector<std::string> ids;
    DIR* d = ::opendir(dir_.c_str());
    if (!d) {
        ec = detail::errno_code(errno);
        return ids;
    }
    while (const dirent* de = ::readdir(d)) {
        const std::string_view name = de->d_name;
        if (name.size() <= 5 || name.substr(name.size() - 5) != ".meta") continue;
        const std::string_view id = name.substr(0, name.size() - 5);
        if (valid_entry_id(id)) ids.emplace_back(id);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::error_code spool::peek(std::string_view id, spool_entry& out) const {
    if (!valid_entry_id(id)) return make_error_code(errc::not_found);
    const std::string base = dir_ + "/" + std::string(id);
    std::string text;
    const int err = read_small_file(base + ".meta", text);
    if (err == ENOENT) return make_error_code(errc::not_found);
    if (err == EFBIG) return make_error_code(errc::corrupt_entry);
    if (err != 0) return detail::errno_code(err);
    if (auto ec = parse_entry(text, out)) return ec;
    if (out.id != id || !exists(base + ".msg")) return make_error_code(errc::corrupt_entry);
    return {};
}

std::optional<held_entry> spool::acquire(std::string_view id, std::error_code& ec) const {
    ec.clear();
    if (!valid_entry_id(id)) {
        ec = make_error_code(errc::not_found);
        return std::nullopt;
    }
    const std::string base = dir_ + "/" + std::string(id);
    const int fd = ::open((base + ".msg").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ec = errno != ENOENT ? detail::errno_code(errno)
             : exists(base + ".meta") ? make_error_code(errc::corrupt_entry)
                                      : make_error_code(errc::not_found);
        return std::nullopt;
    }
    if (const int err = try_lock(fd); err != 0) {
        ::close(fd);
        ec = make_error_code(err == EWOULDBLOCK ? errc::locked : errc::io_error);
        return std::nullopt;
    }
    spool_entry e;
    // Read under the lock: a runner that held it may have finished the entry.
    if ((ec = peek(id, e))) {
        if (ec == errc::corrupt_entry && !exists(base + ".meta")) ec = make_error_code(errc::not_found);
        ::close(fd);
        return std::nullopt;
    }
    return held_entry(dir_, fd, std::move(e));
}

std::error_code spool::move_aside(std::string_view id, std::string& where) const {
    where.clear();
    if (!valid_entry_id(id)) return make_error_code(errc::not_found);
    const std::string base = dir_ + "/" + std::string(id);
    const int fd = ::open((base + ".msg").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && try_lock(fd) != 0) {
        ::close(fd);
        return make_error_code(errc::locked);
    }
    std::string target = dir_ + "/corrupt/" + std::string(id);
    for (int n = 1; exists(target + ".meta") || exists(target + ".msg"); ++n)
        target = dir_ + "/corrupt/" + std::string(id) + "." + std::to_string(n);
    std::error_code ec;
    bool moved = false;
    for (const char* ext : {".msg", ".meta"}) {
        if (!exists(base + ext)) continue;
        if (::rename((base + ext).c_str(), (target + ext).c_str()) != 0) {
            ec = detail::errno_code(errno);
            break;
        }
        where = target + ext;
        moved = true;
    }
    if (fd >= 0) ::close(fd);
    if (!ec && !moved) ec = make_error_code(errc::not_found);
    if (!ec) ec = detail::fsync_dir(dir_ + "/corrupt");
    if (!ec) ec = detail::fsync_dir(dir_);
    return ec;
}

std::size_t spool::clean(std::chrono::seconds age) const {
    const std::time_t limit = std::time(nullptr) - static_cast<std::time_t>(age.count());
    std::size_t removed = 0;
    auto old = [&](const std::string& path) {
        struct stat st {};
        return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < limit;
    };
    auto scan = [&](const std::string& dir, auto&& wanted) {
        DIR* d = ::opendir(dir.c_str());
        if (!d) return;
        std::vector<std::string> names;
        while (const dirent* de = ::readdir(d)) names.emplace_back(de->d_name);
        ::closedir(d);
        for (const auto& name : names)
            if (name != "." && name != ".." && wanted(name) && old(dir + "/" + name)) {
                // A draft or orphan nobody holds.
                const int fd = ::open((dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) continue;
                if (try_lock(fd) == 0 && ::unlink((dir + "/" + name).c_str()) == 0) ++removed;
                ::close(fd);
            }
    };
    scan(dir_ + "/tmp", [](const std::string&) { return true; });
    scan(dir_, [&](const std::string& name) {
        return name.size() > 4 && name.compare(name.size() - 4, 4, ".msg") == 0 &&
               !exists(dir_ + "/" + name.substr(0, name.size() - 4) + ".meta");
    });
    return removed;
}

} // namespace pigeon::store
