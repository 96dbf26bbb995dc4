// Maildir destination, with Maildir++ subfolders.
//
// Delivery: the message is written (CRLF -> LF) into tmp/<unique> and its
// mtime set to the INTERNALDATE; commit() hands the file to a small pool of
// threads that fsync it (opts.fsync) while the caller goes on receiving
// the next messages (concurrent fsyncs share the file system's journal
// commits: ~10x faster than one fsync after another). sync() waits for
// those fsyncs, then renames (never over an existing name) each file to
//   new/<unique>,S=<stored size>                 no flag we map, or
//   cur/<unique>,S=<stored size>:2,<flags>       \Draft D, \Flagged F,
//                                                \Answered R, \Seen S,
//                                                \Deleted T (sorted ASCII)
// Keywords ($Junk, ...) and \Recent are not stored. sync() then fsyncs every
// directory that gained an entry since the last sync: new/ or cur/ after a
// rename, and the parent of every directory created. With opts.batch_sync
// (Linux 5.8 or later) commit() only closes the file, and sync() calls
// syncfs(2) on the file system of each folder instead: once before the
// renames (every file's content on disk first), once after (the renames
// and new directories). On this machine's virtio disk a Maildir file's
// fsync was three I/O requests, each a trap to the hypervisor. So a message appears
// in new/ or cur/ only once its content is on disk, and location() (known
// at commit()) names a file that exists only after sync(): contains() is
// false before, and a destination destroyed before sync() removes its
// committed-but-unsynced files from tmp/ (they were never recorded).
//
// <unique> is <sec>.M<usec>P<pid>Q<counter>R<16 hex random>.<host>, where
// the host name has '/' as \057, ':' as \072 and ',' as \054 (',' separates
// the ",S=" field, ':' the flags).
//
// Folder names (message_meta::folder): "" and "INBOX" (any case) are the
// root. Any other name is split at '/' into components, each component is
// escaped — '.' as %2E, '%' as %25, control bytes (< 0x20, 0x7f) as %XX
// (upper-case hex) — and the components are joined with '.' after a leading
// '.': "Lists/dev" -> <root>/.Lists.dev/, "a.b/c" -> <root>/.a%2Eb.c/. An
// empty component ("a//b", "/a", "a/") or one made only of dots ("..")
// is refused (errc::cannot_create): with '/' splitting and '.' escaped no
// name can leave the root anyway. A subfolder holds tmp/ new/ cur/ and an
// empty `maildirfolder` file.
//
// contains(location, size, sha): the file is looked for by its unique part
// (the name up to the first ',' or ':') in the new/ and cur/ of the
// location's folder, so an MUA may have moved it to cur/ and changed its
// flags. It counts as present when its length equals the ",S=" size in its
// own name (files are renamed only after a complete write and fsync) and
// its content fits the original: an original of `size` bytes whose LF form
// is the file (see lf_form::check) — hashed to `sha` whenever the original
// can be rebuilt exactly (all LF or all CRLF line ends); with mixed line
// ends only the size range can be checked, which is enough here because the
// unique name (time, pid, counter, 64 random bits, host) already names this
// one message. (mbox, where an offset names nothing, is stricter.)
#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <string>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <vector>

#include "destination_impl.hpp"

namespace pigeon::store::detail {
namespace {

/// fsyncs (then closes) file descriptors on a few threads.
class fsync_pool {
public:
    explicit fsync_pool(std::size_t threads) {
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
    }
    ~fsync_pool() {
        {
            std::lock_guard<std::mutex> g(m_);
            stop_ = true;
        }
        work_cv_.notify_all();
        for (auto& t : threads_) t.join();
        for (int fd : queue_) ::close(fd);
    }
    fsync_pool(const fsync_pool&) = delete;
    fsync_pool& operator=(const fsync_pool&) = delete;

    /// Takes fd (closed once fsynced). Waits while many are outstanding, so
    /// that open descriptors stay bounded.
    void submit(int fd) {
        std::unique_lock<std::mutex> l(m_);
        done_cv_.wait(l, [&] { return queue_.size() + busy_ < max_outstanding; });
        queue_.push_back(fd);
        l.unlock();
        work_cv_.notify_one();
    }
    /// Waits for every submitted fsync; the first error since the last call.
    std::error_code wait_all() {
        std::unique_lock<std::mutex> l(m_);
        done_cv_.wait(l, [&] { return queue_.empty() && busy_ == 0; });
        return std::exchange(error_, {});
    }

private:
    static constexpr std::size_t max_outstanding = 64;
    void work() {
        std::unique_lock<std::mutex> l(m_);
        for (;;) {
            work_cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;
            int fd = queue_.front();
            queue_.pop_front();
            ++busy_;
            l.unlock();
            int err = 0;
            if (::fsync(fd) != 0) err = errno;
            if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
            l.lock();
            --busy_;
            if (err != 0 && !error_) error_ = errno_code(err);
            done_cv_.notify_all();
        }
    }
    std::mutex m_;
    std::condition_variable work_cv_, done_cv_;
    std::deque<int> queue_;
    std::size_t busy_ = 0;
    bool stop_ = false;
    std::error_code error_;
    std::vector<std::thread> threads_;
};

struct pending_rename {
    std::string from, to, dir;
};

/// Linux 5.8 or later: syncfs(2) reports write-back errors.
bool syncfs_reports_errors() {
    struct utsname u {};
    if (::uname(&u) != 0) return false;
    unsigned major = 0, minor = 0;
    if (std::sscanf(u.release, "%u.%u", &major, &minor) != 2) return false;
    return major > 5 || (major == 5 && minor >= 8);
}

struct maildir_core {
    ~maildir_core() {
        pool.reset();   // every fsync done (or abandoned), descriptors closed
        for (const auto& p : pending) ::unlink(p.from.c_str());
        for (const auto& f : file_systems) ::close(f.second);
    }
    /// opts.batch_sync in effect: one descriptor per file system the
    /// folders are on (syncfs'd at sync()), opened before the first write.
    bool use_syncfs = false;
    std::vector<std::pair<dev_t, int>> file_systems;
    std::unique_ptr<fsync_pool> pool;   ///< created on the first commit with opts.fsync
    std::vector<pending_rename> pending;  ///< committed, renamed at sync()
    std::string root;
    destination_options opts;
    std::string host;
    std::uint64_t counter = 0;
    bool delivery_open = false;
    std::set<std::string> dirty;  ///< absolute directories to fsync at sync()
    std::set<std::string> ready;  ///< folders (relative, "" = root) known complete
};

std::string escaped_host() {
    char buf[256] = {};
    std::string h;
    if (::gethostname(buf, sizeof buf - 1) == 0) h = buf;
    if (h.empty()) h = "localhost";
    std::string out;
    for (char c : h) {
        if (c == '/')
            out += "\\057";
        else if (c == ':')
            out += "\\072";
        else if (c == ',')
            out += "\\054";
        else
            out += c;
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// message_meta::folder -> the folder directory relative to the root ("" =
/// root, ".Lists.dev"); false for a refused name.
bool encode_folder(std::string_view folder, std::string& rel) {
    rel.clear();
    if (folder.empty() || iequals(folder, "INBOX")) return true;
    static const char hex[] = "0123456789ABCDEF";
    std::size_t from = 0;
    while (true) {
        const std::size_t slash = folder.find('/', from);
        const std::string_view comp = folder.substr(from, slash == std::string_view::npos ? folder.size() - from
                                                                                          : slash - from);
        if (comp.empty() || comp.find_first_not_of('.') == std::string_view::npos) return false;
        rel += '.';
        for (char c : comp) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '.' || c == '%' || u < 0x20 || u == 0x7f) {
                rel += '%';
                rel += hex[u >> 4];
                rel += hex[u & 0xf];
            } else {
                rel += c;
            }
        }
        if (slash == std::string_view::npos) return true;
        from = slash + 1;
    }
}

/// The Maildir flag letters of IMAP flags, sorted; "" when none maps.
std::string flag_letters(const std::vector<std::string>& flags) {
    static const std::pair<std::string_view, char> map[] = {
        {"\\Draft", 'D'}, {"\\Flagged", 'F'}, {"\\Answered", 'R'}, {"\\Seen", 'S'}, {"\\Deleted", 'T'}};
    std::string out;
    for (const auto& f : flags)
        for (const auto& [name, letter] : map)
            if (iequals(f, name) && out.find(letter) == std::string::npos) out += letter;
    std::sort(out.begin(), out.end());
    return out;
}

bool is_dir(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string parent_of(const std::string& p) {
    const auto slash = p.find_last_of('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return p.substr(0, slash);
}

/// mkdir (0700) unless the directory exists; created directories make
/// their parent dirty.
std::error_code make_dir(maildir_core& core, const std::string& p) {
    if (::mkdir(p.c_str(), 0700) == 0) {
        core.dirty.insert(parent_of(p));
        return {};
    }
    if (errno == EEXIST && is_dir(p)) return {};
    return errno_code(errno, errc::cannot_create);
}

/// Makes dir a complete maildir (creating what is missing if allowed).
std::error_code ensure_maildir(maildir_core& core, const std::string& dir, bool subfolder) {
    const bool exists = is_dir(dir);
    if (!exists) {
        if (!core.opts.create) return make_error_code(errc::cannot_create);
        if (!subfolder) {
            // mkdir -p for the root's missing ancestors.
            for (std::size_t slash = dir.find('/', 1); slash != std::string::npos; slash = dir.find('/', slash + 1)) {
                const std::string prefix = dir.substr(0, slash);
                if (!is_dir(prefix))
                    if (auto e = make_dir(core, prefix)) return e;
            }
        }
        if (auto e = make_dir(core, dir)) return e;
    }
    for (const char* sub : {"/tmp", "/new", "/cur"}) {
        const std::string p = dir + sub;
        if (is_dir(p)) continue;
        if (!core.opts.create) return make_error_code(errc::cannot_create);
        if (auto e = make_dir(core, p)) return e;
    }
    if (core.use_syncfs) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) return errno_code(errno, errc::cannot_create);
        bool known = false;
        for (const auto& f : core.file_systems) known = known || f.first == st.st_dev;
        if (!known) {
            // Opened now: syncfs reports the write-back errors that happen
            // after the descriptor was opened.
            const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) return errno_code(errno, errc::cannot_create);
            core.file_systems.emplace_back(st.st_dev, fd);
        }
    }
    if (subfolder) {
        const std::string marker = dir + "/maildirfolder";
        struct stat st {};
        if (::stat(marker.c_str(), &st) != 0) {
            if (!core.opts.create) return make_error_code(errc::cannot_create);
            const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0) return errno_code(errno, errc::cannot_create);
            ::close(fd);
            core.dirty.insert(dir);
        }
    }
    return {};
}

std::string unique_name(maildir_core& core) {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    std::uint64_t rnd = 0;
    if (::getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof rnd))
        rnd = static_cast<std::uint64_t>(ts.tv_nsec) * 0x9e3779b97f4a7c15ULL ^ (core.counter << 17);
    char r[17];
    std::snprintf(r, sizeof r, "%016llx", static_cast<unsigned long long>(rnd));
    ++core.counter;
    return std::to_string(ts.tv_sec) + ".M" + std::to_string(ts.tv_nsec / 1000) + "P" +
           std::to_string(::getpid()) + "Q" + std::to_string(core.counter) + "R" + r + "." + core.host;
}

int rename_noreplace(const std::string& from, const std::string& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    return ::rename(from.c_str(), to.c_str());  // a file system without RENAME_NOREPLACE; names are unique
}

class maildir_delivery final : public stream_delivery {
public:
    maildir_delivery(std::shared_ptr<maildir_core> core, int fd, std::string folder_rel, std::string folder_abs,
                     std::string name, std::string flags, std::int64_t date)
        : core_(std::move(core)), fd_(fd), folder_rel_(std::move(folder_rel)), folder_abs_(std::move(folder_abs)),
          name_(std::move(name)), flags_(std::move(flags)), date_(date) {
        tmp_path_ = folder_abs_ + "/tmp/" + name_;
    }
    ~maildir_delivery() override { abort(); }
    maildir_delivery(const maildir_delivery&) = delete;
    maildir_delivery& operator=(const maildir_delivery&) = delete;

    void commit(std::error_code& ec) override {
        if (!end_stream(ec)) {
            abort();
            return;
        }
        if (date_ != 0) {
            const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(date_), 0}};
            (void)::futimens(fd_, times);  // the date is a nicety, not the message
        }
        const int fd = fd_;
        fd_ = -1;
        if (core_->opts.fsync && !core_->use_syncfs) {
            if (!core_->pool) core_->pool = std::make_unique<fsync_pool>(16);
            core_->pool->submit(fd);
        } else if (::close(fd) != 0) {
            return fail(errno, ec);
        }
        std::string final_name = name_ + ",S=" + std::to_string(stored_);
        const char* sub = flags_.empty() ? "new" : "cur";
        if (!flags_.empty()) final_name += ":2," + flags_;
        const std::string dir = folder_abs_ + "/" + sub;
        core_->pending.push_back({tmp_path_, dir + "/" + final_name, dir});
        location_ = (folder_rel_.empty() ? std::string() : folder_rel_ + "/") + sub + "/" + final_name;
        state_ = state::committed;
        core_->delivery_open = false;
    }

    void abort() noexcept override {
        if (state_ != state::open) return;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        ::unlink(tmp_path_.c_str());
        state_ = state::aborted;
        core_->delivery_open = false;
    }

    std::string location() const override { return state_ == state::committed ? location_ : std::string(); }

private:
    void transform(std::string_view raw, std::string& out) override { lf_.feed(raw, out); }
    void transform_end(std::string& out) override { lf_.finish(out); }
    std::error_code drain(std::string_view data) override {
        auto e = write_all(fd_, data);
        if (!e) stored_ += data.size();
        return e;
    }
    void fail(int err, std::error_code& ec) {
        ec = errno_code(err);
        abort();
    }

    std::shared_ptr<maildir_core> core_;
    int fd_;
    std::string folder_rel_, folder_abs_, name_, flags_, tmp_path_, location_;
    std::int64_t date_;
    std::uint64_t stored_ = 0;
    crlf_to_lf lf_;
};

/// The ",S=" size in a maildir file name, or -1.
long long size_field(std::string_view name) {
    name = name.substr(0, name.find(':'));
    std::size_t pos = 0;
    while ((pos = name.find(",S=", pos)) != std::string_view::npos) {
        pos += 3;
        long long v = 0;
        std::size_t digits = 0;
        while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9' && digits < 18) {
            v = v * 10 + (name[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits > 0 && (pos == name.size() || name[pos] == ',')) return v;
    }
    return -1;
}

/// The file holds a complete message fitting (size, sha).
bool file_fits(const std::string& path, std::string_view name, std::uint64_t size, std::string_view sha) {
    const long long expected = size_field(name);
    if (expected < 0) return false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == expected;
    lf_form form;
    std::vector<char> buf(write_buffer);
    while (ok) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ok = false;
        if (n <= 0) break;
        form.update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    }
    ::close(fd);
    if (!ok || form.length() != static_cast<std::uint64_t>(expected)) return false;
    const auto v = form.check(size, sha);
    return v == lf_form::verdict::match || v == lf_form::verdict::unverifiable;
}

class maildir_destination final : public destination {
public:
    explicit maildir_destination(std::shared_ptr<maildir_core> core) : core_(std::move(core)) {}

    std::unique_ptr<delivery> begin(const message_meta& meta, std::error_code& ec) override {
        ec.clear();
        if (core_->delivery_open) {
            ec = make_error_code(errc::bad_state);
            return nullptr;
        }
        std::string rel;
        if (!encode_folder(meta.folder, rel)) {
            ec = make_error_code(errc::cannot_create);
            return nullptr;
        }
        const std::string dir = rel.empty() ? core_->root : core_->root + "/" + rel;
        for (int attempt = 0; attempt < 8; ++attempt) {
            if (!core_->ready.count(rel)) {
                if ((ec = ensure_maildir(*core_, dir, !rel.empty()))) return nullptr;
                core_->ready.insert(rel);
            }
            std::string name = unique_name(*core_);
            const std::string tmp = dir + "/tmp/" + name;
            const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd >= 0) {
                core_->delivery_open = true;
                return std::make_unique<maildir_delivery>(core_, fd, rel, dir, std::move(name),
                                                          flag_letters(meta.flags), meta.internal_date);
            }
            if (errno == ENOENT) {
                core_->ready.erase(rel);  // removed under us: make it again
                continue;
            }
            if (errno != EEXIST) {
                ec = errno_code(errno);
                return nullptr;
            }
        }
        ec = make_error_code(errc::io_error);
        return nullptr;
    }

    /// syncfs of every file system a folder is on.
    std::error_code sync_file_systems() {
        for (const auto& f : core_->file_systems)
            if (::syncfs(f.second) != 0) return errno_code(errno);
        return {};
    }

    void sync(std::error_code& ec) override {
        ec.clear();
        // Content first: every committed file on disk before any rename.
        if (core_->pool) {
            if (auto e = core_->pool->wait_all()) {
                ec = e;
                return;   // the files stay in tmp/ (removed with the destination)
            }
        }
        if (core_->use_syncfs && !core_->pending.empty()) {
            if ((ec = sync_file_systems())) return;  // the files stay in tmp/
        }
        for (std::size_t i = 0; i < core_->pending.size(); ++i) {
            const auto& p = core_->pending[i];
            if (rename_noreplace(p.from, p.to) != 0) {
                ec = errno_code(errno);
                core_->pending.erase(core_->pending.begin(), core_->pending.begin() + static_cast<std::ptrdiff_t>(i));
                return;
            }
            core_->dirty.insert(p.dir);
        }
        core_->pending.clear();
        if (!core_->opts.fsync) {
            core_->dirty.clear();
            return;
        }
        if (core_->use_syncfs) {
            // The renames, and the directories created, on disk.
            if (!core_->dirty.empty() && !(ec = sync_file_systems())) core_->dirty.clear();
            return;
        }
        for (auto it = core_->dirty.begin(); it != core_->dirty.end();) {
            if (auto e = fsync_dir(*it)) {
                if (!ec) ec = e;
                ++it;
            } else {
                it = core_->dirty.erase(it);
            }
        }
    }

    bool contains(std::string_view location, std::uint64_t size, std::string_view sha256_hex) const override {
        // [.folder/](new|cur)/name
        std::vector<std::string_view> parts;
        for (std::size_t from = 0;;) {
            const auto slash = location.find('/', from);
            parts.push_back(location.substr(from, slash == std::string_view::npos ? location.size() - from
                                                                                   : slash - from));
            if (slash == std::string_view::npos) break;
            from = slash + 1;
        }
        if (parts.size() != 2 && parts.size() != 3) return false;
        std::string dir = core_->root;
        if (parts.size() == 3) {
            const auto folder = parts[0];
            if (folder.size() < 2 || folder[0] != '.' || folder.find_first_not_of('.') == std::string_view::npos ||
                folder.find('\0') != std::string_view::npos)
                return false;
            dir += "/";
            dir += folder;
        }
        const auto sub = parts[parts.size() - 2];
        const auto name = parts.back();
        if ((sub != "new" && sub != "cur") || name.empty() || name[0] == '.' ||
            name.find('\0') != std::string_view::npos)
            return false;
        const auto key = name.substr(0, name.find_first_of(",:"));
        if (key.empty()) return false;

        const std::string exact = dir + "/" + std::string(sub) + "/" + std::string(name);
        if (file_fits(exact, name, size, sha256_hex)) return true;
        for (const char* s : {"new", "cur"}) {
            const std::string d = dir + "/" + s;
            DIR* dp = ::opendir(d.c_str());
            if (!dp) continue;
            bool found = false;
            while (const struct dirent* e = ::readdir(dp)) {
                const std::string_view n = e->d_name;
                if (n.size() > key.size() && n.substr(0, key.size()) == key &&
                    (n[key.size()] == ',' || n[key.size()] == ':') &&
                    file_fits(d + "/" + e->d_name, n, size, sha256_hex)) {
                    found = true;
                    break;
                }
            }
            ::closedir(dp);
            if (found) return true;
        }
        return false;
    }

    std::string describe() const override { return "maildir:" + core_->root; }

private:
    std::shared_ptr<maildir_core> core_;
};

} // namespace

std::unique_ptr<destination> open_maildir(std::string root, const destination_options& opts, std::error_code& ec) {
    ec.clear();
    auto core = std::make_shared<maildir_core>();
    core->root = std::move(root);
    core->opts = opts;
    core->host = escaped_host();
    core->use_syncfs = opts.fsync && opts.batch_sync && syncfs_reports_errors();
    if ((ec = ensure_maildir(*core, core->root, false))) return nullptr;
    core->ready.insert("");
    return std::make_unique<maildir_destination>(std::move(core));
}

} // namespace pigeon::store::detail
