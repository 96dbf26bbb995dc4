// mbox destination, in the mboxrd dialect.
//
// Each message is appended as
//   "From <sender> <asctime date, UTC>\n"   sender: envelope_from with
//                                           bytes <= 0x20 and 0x7f as '_',
//                                           "" -> MAILER-DAEMON; date:
//                                           INTERNALDATE, else now
//   the message, CRLF -> LF, every line matching ^>*From  given one more '>'
//   "\n" unless the message already ends with one (an empty message gets one)
//   "\n"                                    the blank line before the next From
// If the file does not already end with a blank line (say, a writer died
// half way), one or two "\n" go first so that the From line starts a
// message; location() is "offset:<byte offset of the From line>".
//
// Locking: a dot lock (PATH.lock, O_EXCL; taken over when older than five
// minutes; skipped when the directory does not let us create it, as for a
// /var/mail without the setgid helper) and an fcntl write lock on the whole
// file, polled until opts.lock_timeout_ms (then errc::locked). Both are held
// from begin() to commit()/abort() only, so mail readers get the file
// between messages. After locking, the path must still name the open file
// (a reader may have replaced it by rename); else it is opened again. The
// file stays open between messages (one fd: closing another fd of the same
// file would drop our fcntl lock) and sync() fsyncs it.
//
// abort() (and a failed write) truncates the file back to its size before
// the message.
//
// contains("offset:N", size, sha): at N there must be a line start with a
// "From " line; the message after it is read up to the next unquoted
// "From " line or the end of the file, must end with "\n\n" as written, is
// unquoted, and must rebuild exactly into an original of `size` bytes
// hashing to `sha` (see lf_form::check): as it is or with every LF made
// CRLF, each with or without its last "\n" (added when the original did not
// end with a line end). An offset names no message by itself (after a crash
// another writer's message may sit there), so an original with mixed CRLF
// and bare LF ends, which cannot be rebuilt, is not confirmed: such a
// message is fetched again (a duplicate) rather than taken for delivered (a
// loss). No lock is taken to read.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "destination_impl.hpp"

namespace pigeon::store::detail {
namespace {

constexpr char from_word[] = "From ";
constexpr std::size_t from_len = 5;
constexpr std::time_t stale_dot_lock_seconds = 5 * 60;

/// mboxrd quoting of an LF stream: a line matching ^>*From  gets one more
/// '>'. Only the partial "From " of a line start is held back; the '>' run
/// is passed on at once (the extra '>' goes before "From ", which is the
/// same bytes).
class from_quoter {
public:
    void feed(std::string_view in, std::string& out) {
        std::size_t i = 0;
        const std::size_t n = in.size();
        while (i < n) {
            if (!in_prefix_) {
                const void* p = std::memchr(in.data() + i, '\n', n - i);
                if (!p) {
                    out.append(in.data() + i, n - i);
                    return;
                }
                const auto j = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
                out.append(in.data() + i, j + 1 - i);
                i = j + 1;
                in_prefix_ = true;
                matched_ = 0;
                continue;
            }
            const char c = in[i];
            if (matched_ == 0 && c == '>') {
                out += '>';
                ++i;
            } else if (c == from_word[matched_]) {
                ++i;
                if (++matched_ == from_len) {
                    out += ">From ";
                    in_prefix_ = false;
                    matched_ = 0;
                }
            } else {
                out.append(from_word, matched_);
                in_prefix_ = false;
                matched_ = 0;
            }
        }
    }
    void finish(std::string& out) {
        if (in_prefix_) out.append(from_word, matched_);
        in_prefix_ = true;
        matched_ = 0;
    }

private:
    bool in_prefix_ = true;  // the message starts a line
    std::size_t matched_ = 0;
};

/// The inverse, for contains(): drops one '>' of a ^>+From  line; an
/// unquoted "From " line start ends the message.
class from_unquoter {
public:
    /// True when the next message starts (its From line is not passed on).
    bool feed(std::string_view in, std::string& out) {
        std::size_t i = 0;
        const std::size_t n = in.size();
        while (i < n) {
            if (!in_prefix_) {
                const void* p = std::memchr(in.data() + i, '\n', n - i);
                if (!p) {
                    out.append(in.data() + i, n - i);
                    return false;
                }
                const auto j = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
                out.append(in.data() + i, j + 1 - i);
                i = j + 1;
                in_prefix_ = true;
                matched_ = 0;
                continue;
            }
            const char c = in[i];
            if (matched_ == 0 && c == '>') {
                if (held_gt_) out += '>';
                held_gt_ = true;
                ++i;
            } else if (c == from_word[matched_]) {
                ++i;
                if (++matched_ == from_len) {
                    if (!held_gt_) return true;
                    out += "From ";
                    reset_line();
                }
            } else {
                if (held_gt_) out += '>';
                out.append(from_word, matched_);
                reset_line();
            }
        }
        return false;
    }
    void finish(std::string& out) {
        if (in_prefix_) {
            if (held_gt_) out += '>';
            out.append(from_word, matched_);
        }
    }

private:
    void reset_line() {
        in_prefix_ = false;
        held_gt_ = false;
        matched_ = 0;
    }
    bool in_prefix_ = true;
    bool held_gt_ = false;
    std::size_t matched_ = 0;
};

std::string from_line(const message_meta& meta) {
    std::string sender = meta.envelope_from.empty() ? std::string("MAILER-DAEMON") : meta.envelope_from;
    for (char& c : sender) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) c = '_';
    }
    std::time_t t = meta.internal_date != 0 ? static_cast<std::time_t>(meta.internal_date) : std::time(nullptr);
    struct tm tm {};
    if (!::gmtime_r(&t, &tm) || tm.tm_year < 70 || tm.tm_year > 8099) {
        t = std::time(nullptr);
        ::gmtime_r(&t, &tm);
    }
    static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char date[64];
    std::snprintf(date, sizeof date, "%s %s %2d %02d:%02d:%02d %d", days[tm.tm_wday % 7], months[tm.tm_mon % 12],
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return "From " + sender + " " + date + "\n";
}

struct mbox_core {
    std::string path;
    destination_options opts;
    int fd = -1;
    bool dirty = false;     ///< committed bytes not yet fsynced
    bool created = false;   ///< we created the file: its directory needs an fsync
    std::error_code sync_error;
    bool delivery_open = false;
    bool dot_held = false;
    bool fcntl_held = false;

    mbox_core() = default;
    mbox_core(const mbox_core&) = delete;
    mbox_core& operator=(const mbox_core&) = delete;
    ~mbox_core() {
        release();
        if (fd >= 0) ::close(fd);
    }

    std::string lock_path() const { return path + ".lock"; }

    /// Opens (or creates) the file; ec as for open_destination.
    std::error_code open_file() {
        int flags = O_RDWR | O_APPEND | O_CLOEXEC;
        int f = ::open(path.c_str(), flags);
        if (f < 0 && errno == ENOENT && opts.create) {
            f = ::open(path.c_str(), flags | O_CREAT | O_EXCL, 0600);
            if (f >= 0)
                created = true;
            else if (errno == EEXIST)
                f = ::open(path.c_str(), flags);
        }
        if (f < 0) return errno_code(errno, errc::cannot_create);
        struct stat st {};
        if (::fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(f);
            return make_error_code(errc::cannot_create);
        }
        fd = f;
        return {};
    }

    /// The path still names the open file.
    bool same_file() const {
        struct stat a {}, b {};
        return fd >= 0 && ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
    }

    void drop_file() {
        if (fd < 0) return;
        if (dirty && opts.fsync && ::fsync(fd) != 0 && !sync_error) sync_error = errno_code(errno);
        dirty = false;
        ::close(fd);
        fd = -1;
    }

    std::error_code acquire() {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::milliseconds(std::max(0, opts.lock_timeout_ms));
        auto wait = [&]() {
            const auto now = clock::now();
            if (now >= deadline) return false;
            std::this_thread::sleep_for(std::min<clock::duration>(deadline - now, std::chrono::milliseconds(25)));
            return true;
        };
        // 1. the dot lock
        const std::string lp = lock_path();
        while (true) {
            const int lf = ::open(lp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (lf >= 0) {
                const std::string pid = std::to_string(::getpid()) + "\n";
                (void)write_all(lf, pid);
                ::close(lf);
                dot_held = true;
                break;
            }
            if (errno == EACCES || errno == EPERM || errno == EROFS) break;  // no dot lock possible here
            if (errno != EEXIST) return errno_code(errno);
            struct stat st {};
            if (::stat(lp.c_str(), &st) != 0) {
                if (errno == ENOENT) continue;  // just released
            } else if (std::time(nullptr) - st.st_mtime > stale_dot_lock_seconds && ::unlink(lp.c_str()) == 0) {
                continue;  // stale: its owner died
            }
            if (!wait()) return make_error_code(errc::locked);
        }
        // 2. the fcntl lock, on the file the path names once we hold it
        for (int attempt = 0; attempt < 16; ++attempt) {
            if (!same_file()) {
                drop_file();
                if (auto e = open_file()) {
                    release();
                    return e;
                }
            }
            struct flock fl {};
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            bool got = false;
            while (true) {
                if (::fcntl(fd, F_SETLK, &fl) == 0) {
                    got = true;
                    break;
                }
                if (errno == EINTR) continue;
                if (errno == ENOLCK) break;  // no lock manager (NFS): the dot lock has to do
                if (errno != EACCES && errno != EAGAIN) {
                    const auto e = errno_code(errno);
                    release();
                    return e;
                }
                if (!wait()) {
                    release();
                    return make_error_code(errc::locked);
                }
            }
            fcntl_held = got;
            if (same_file()) return {};
            release_fcntl();
        }
        release();
        return make_error_code(errc::locked);
    }

    void release_fcntl() {
        if (!fcntl_held) return;
        struct flock fl {};
        fl.l_type = F_UNLCK;
        fl.l_whence = SEEK_SET;
        (void)::fcntl(fd, F_SETLK, &fl);
        fcntl_held = false;
    }

    void release() {
        release_fcntl();
        if (dot_held) ::unlink(lock_path().c_str());
        dot_held = false;
    }
};

class mbox_delivery final : public stream_delivery {
public:
    mbox_delivery(std::shared_ptr<mbox_core> core, std::uint64_t start, std::uint64_t offset,
                  std::string_view header)
        : core_(std::move(core)), start_(start), offset_(offset) {
        put(header);
    }
    ~mbox_delivery() override { abort(); }
    mbox_delivery(const mbox_delivery&) = delete;
    mbox_delivery& operator=(const mbox_delivery&) = delete;

    void commit(std::error_code& ec) override {
        if (!end_stream(ec)) {
            abort();
            return;
        }
        core_->release();
        core_->dirty = true;
        state_ = state::committed;
        core_->delivery_open = false;
    }

    void abort() noexcept override {
        if (state_ != state::open) return;
        while (::ftruncate(core_->fd, static_cast<off_t>(start_)) != 0 && errno == EINTR) {
        }
        core_->release();
        state_ = state::aborted;
        core_->delivery_open = false;
    }

    std::string location() const override {
        return state_ == state::committed ? "offset:" + std::to_string(offset_) : std::string();
    }

private:
    void transform(std::string_view raw, std::string& out) override {
        lf_out_.clear();
        lf_.feed(raw, lf_out_);
        const std::size_t before = out.size();
        quote_.feed(lf_out_, out);
        note(out, before);
    }
    void transform_end(std::string& out) override {
        lf_out_.clear();
        lf_.finish(lf_out_);
        const std::size_t before = out.size();
        quote_.feed(lf_out_, out);
        quote_.finish(out);
        note(out, before);
        if (!any_ || last_ != '\n') out += '\n';
        out += '\n';
    }
    void note(const std::string& out, std::size_t before) {
        if (out.size() > before) {
            any_ = true;
            last_ = out.back();
        }
    }
    std::error_code drain(std::string_view data) override { return write_all(core_->fd, data); }

    std::shared_ptr<mbox_core> core_;
    std::uint64_t start_, offset_;
    crlf_to_lf lf_;
    from_quoter quote_;
    std::string lf_out_;
    bool any_ = false;
    char last_ = 0;
};

/// contains() on an open descriptor.
bool message_at(int fd, std::uint64_t offset, std::uint64_t size, std::string_view sha) {
    if (offset > 0) {
        char c = 0;
        if (::pread(fd, &c, 1, static_cast<off_t>(offset - 1)) != 1 || c != '\n') return false;
    }
    std::vector<char> buf(write_buffer);
    std::uint64_t pos = offset;
    std::string first_line, out, held;
    bool got_line = false, next_message = false;
    from_unquoter unquote;
    lf_form form;
    auto take = [&](const std::string& s) {  // all but the last two bytes go to the digests
        held += s;
        if (held.size() > 2) {
            form.update(std::string_view(held).substr(0, held.size() - 2));
            held.erase(0, held.size() - 2);
        }
    };
    while (!next_message) {
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(pos));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) break;
        pos += static_cast<std::uint64_t>(n);
        std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
        if (!got_line) {
            const auto nl = chunk.find('\n');
            first_line.append(chunk.substr(0, nl == std::string_view::npos ? chunk.size() : nl + 1));
            const std::size_t k = std::min(first_line.size(), from_len);
            if (first_line.compare(0, k, from_word, k) != 0 || first_line.size() > write_buffer) return false;
            if (nl == std::string_view::npos) continue;
            got_line = true;
            chunk.remove_prefix(nl + 1);
        }
        out.clear();
        next_message = unquote.feed(chunk, out);
        take(out);
    }
    if (!got_line) return false;
    if (!next_message) {
        out.clear();
        unquote.finish(out);
        take(out);
    }
    if (held != "\n\n") return false;
    lf_form without_last = form;  // the original ended without a line end
    form.update("\n");
    const auto a = form.check(size, sha);
    const auto b = without_last.check(size, sha);
    return a == lf_form::verdict::match || b == lf_form::verdict::match;
}

class mbox_destination final : public destination {
public:
    explicit mbox_destination(std::shared_ptr<mbox_core> core) : core_(std::move(core)) {}

    std::unique_ptr<delivery> begin(const message_meta& meta, std::error_code& ec) override {
        ec.clear();
        if (core_->delivery_open) {
            ec = make_error_code(errc::bad_state);
            return nullptr;
        }
        if ((ec = core_->acquire())) return nullptr;
        struct stat st {};
        if (::fstat(core_->fd, &st) != 0) {
            ec = errno_code(errno);
            core_->release();
            return nullptr;
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        std::string header;
        if (size > 0) {
            char tail[2] = {0, 0};
            const std::size_t want = size >= 2 ? 2 : 1;
            ssize_t got;
            do {
                got = ::pread(core_->fd, tail, want, static_cast<off_t>(size - want));
            } while (got < 0 && errno == EINTR);
            if (got != static_cast<ssize_t>(want)) {
                ec = make_error_code(errc::io_error);
                core_->release();
                return nullptr;
            }
            const bool blank_line = want == 1 ? tail[0] == '\n' : tail[0] == '\n' && tail[1] == '\n';
            if (!blank_line) header = tail[want - 1] == '\n' ? "\n" : "\n\n";
        }
        const std::uint64_t offset = size + header.size();
        header += from_line(meta);
        core_->delivery_open = true;
        return std::make_unique<mbox_delivery>(core_, size, offset, header);
    }

    void sync(std::error_code& ec) override {
        ec.clear();
        if (core_->sync_error) {
            ec = core_->sync_error;
            core_->sync_error.clear();
            return;
        }
        if (!core_->opts.fsync) {
            core_->dirty = core_->created = false;
            return;
        }
        if (core_->dirty && core_->fd >= 0) {
            if (::fsync(core_->fd) != 0) {
                ec = errno_code(errno);
                return;
            }
            core_->dirty = false;
        }
        if (core_->created) {
            const auto slash = core_->path.find_last_of('/');
            if ((ec = fsync_dir(slash == 0 ? std::string("/") : core_->path.substr(0, slash)))) return;
            core_->created = false;
        }
    }

    bool contains(std::string_view location, std::uint64_t size, std::string_view sha256_hex) const override {
        constexpr std::string_view prefix = "offset:";
        if (location.substr(0, prefix.size()) != prefix) return false;
        const auto digits = location.substr(prefix.size());
        if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string_view::npos)
            return false;
        std::uint64_t offset = 0;
        for (char c : digits) offset = offset * 10 + static_cast<std::uint64_t>(c - '0');
        if (core_->same_file()) return message_at(core_->fd, offset, size, sha256_hex);
        // Another file under the path now (or ours is closed): no lock of
        // ours lives on it, so a descriptor of our own is harmless.
        const int fd = ::open(core_->path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        const bool found = message_at(fd, offset, size, sha256_hex);
        ::close(fd);
        return found;
    }

    std::string describe() const override { return "mbox:" + core_->path; }

private:
    std::shared_ptr<mbox_core> core_;
};

} // namespace

std::unique_ptr<destination> open_mbox(std::string path, const destination_options& opts, std::error_code& ec) {
    ec.clear();
    auto core = std::make_shared<mbox_core>();
    core->path = std::move(path);
    core->opts = opts;
    if ((ec = core->open_file())) return nullptr;
    return std::make_unique<mbox_destination>(std::move(core));
}

} // namespace pigeon::store::detail
