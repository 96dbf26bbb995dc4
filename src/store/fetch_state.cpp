// The fetch state: a lock file, an append-only journal replayed on open
// (format in fetch_state_format.hpp) and the records in memory
// (fetch_state_records.hpp).
//
// Durability rules:
// - every append is one write() of whole lines (O_APPEND); if it fails
//   half-way, the file is truncated back to its length before it, so no
//   partial line is left to be read later as a wrong record; if even that
//   truncation fails, it is retried before the next append;
// - a crash can still leave a torn last line (no LF): open() ignores it and
//   truncates it away before appending;
// - a failed fdatasync is sticky: after it the kernel may have dropped the
//   unwritten pages, and a later fdatasync that succeeds proves nothing, so
//   every later write and sync fails too (reopen to replay what is on disk);
// - compaction writes journal.tmp, fsyncs it, renames it over the journal
//   and fsyncs the directory: a crash leaves either journal whole.
#include "pigeon/store/fetch_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>
#include <utility>

#include "fetch_state_format.hpp"
#include "fetch_state_records.hpp"
#include "pigeon/store/destination.hpp"

namespace pigeon::store {
namespace {

using detail::entry_kind;

std::error_code write_error(int e) {
    return (e == ENOSPC || e == EDQUOT) ? make_error_code(errc::no_space) : make_error_code(errc::io_error);
}

std::error_code create_error(int e) {
    return (e == ENOSPC || e == EDQUOT) ? make_error_code(errc::no_space) : make_error_code(errc::cannot_create);
}

class fd_guard {
public:
    explicit fd_guard(int fd = -1) noexcept : fd_(fd) {}
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard() { reset(); }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

void fsync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string parent_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// mkdir -p with mode 0700 for what it creates; each new directory's entry
// is fsynced in its parent.
std::error_code make_directories(const std::string& dir) {
    if (dir.empty()) return make_error_code(errc::cannot_create);
    std::size_t pos = 0;
    for (;;) {
        pos = dir.find('/', pos + 1);
        const std::string prefix = dir.substr(0, pos);
        if (!prefix.empty() && prefix != "/") {
            if (::mkdir(prefix.c_str(), 0700) == 0) {
                fsync_directory(parent_of(prefix));
            } else if (errno != EEXIST) {
                return create_error(errno);
            }
        }
        if (pos == std::string::npos) break;
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return make_error_code(errc::cannot_create);
    return {};
}

bool write_all(int fd, std::string_view data, int& err) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return false;
        }
        if (n == 0) {
            err = EIO;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// "pigeon-fetch-state N" for any number N.
bool is_version_line(std::string_view line) {
    if (line.rfind(detail::journal_header_prefix, 0) != 0) return false;
    const std::string_view n = line.substr(detail::journal_header_prefix.size());
    return !n.empty() && n.size() <= 9 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int datasync(int fd) {
    while (::fdatasync(fd) != 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

struct key_hash {
    std::size_t operator()(const message_key& k) const noexcept {
        const std::size_t h = std::hash<std::string>{}(k.folder) * 31 + std::hash<std::string>{}(k.uidl);
        return h ^ (std::size_t{k.uidvalidity} * 0x9e3779b97f4a7c15ULL) ^ k.uid;
    }
};

// Intents read from the journal that no D line followed yet. A normal
// journal has an I line shortly before each D line, so this stays small.
class pending_intents {
public:
    void add(const delivered_record& r) {
        auto& slot = by_key_[r.key];
        slot.first = next_++;
        slot.second = r;
    }
    void drop(const message_key& k) { by_key_.erase(k); }
    /// f(record) for each, in the order they were (last) intended.
    template <class F>
    void for_each(F f) const {
        std::vector<const std::pair<std::uint64_t, delivered_record>*> v;
        v.reserve(by_key_.size());
        for (const auto& kv : by_key_) v.push_back(&kv.second);
        std::sort(v.begin(), v.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
        for (const auto* p : v) f(p->second);
    }

private:
    std::uint64_t next_ = 0;
    std::unordered_map<message_key, std::pair<std::uint64_t, delivered_record>, key_hash> by_key_;
};

constexpr std::size_t compact_min_lines = 1000;

}  // namespace

struct fetch_state::impl {
    std::string dir;
    int lock_fd = -1;
    int journal_fd = -1;
    std::uint64_t journal_size = 0;   ///< bytes of whole lines in the journal
    std::uint64_t journal_lines = 0;  ///< lines in it (header, records, unreadable)
    bool needs_truncate = false;      ///< a failed append could not be cut back yet
    std::error_code sticky;           ///< a failed fdatasync: nothing is trusted after it
    std::size_t unreadable = 0;
    detail::record_table records;

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() {
        if (journal_fd >= 0) ::close(journal_fd);
        if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
    }

    std::string journal_path() const { return dir + "/journal"; }

    std::error_code lock(lock_mode mode) {
        lock_fd = ::open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock_fd < 0) return create_error(errno);
        const int op = mode == lock_mode::wait ? LOCK_EX : LOCK_EX | LOCK_NB;
        while (::flock(lock_fd, op) != 0) {
            if (errno == EINTR) continue;
            if (errno == EWOULDBLOCK) return make_error_code(errc::locked);
            return make_error_code(errc::io_error);
        }
        return {};
    }

    std::error_code append(std::string_view data, std::uint64_t lines) {
        if (sticky) return sticky;
        if (needs_truncate) {
            if (::ftruncate(journal_fd, static_cast<off_t>(journal_size)) != 0) return make_error_code(errc::io_error);
            needs_truncate = false;
        }
        int err = 0;
        if (!write_all(journal_fd, data, err)) {
            if (::ftruncate(journal_fd, static_cast<off_t>(journal_size)) != 0) needs_truncate = true;
            return write_error(err);
        }
        journal_size += data.size();
        journal_lines += lines;
        return {};
    }

    std::error_code sync() {
        if (sticky) return sticky;
        if (needs_truncate) {
            if (::ftruncate(journal_fd, static_cast<off_t>(journal_size)) != 0) return make_error_code(errc::io_error);
            needs_truncate = false;
        }
        if (const int e = datasync(journal_fd); e != 0) sticky = write_error(e);
        return sticky;
    }

    std::error_code open_journal();
    std::error_code replay(pending_intents& pending);
    void apply(const detail::journal_entry& e, pending_intents& pending);
    void resolve(const pending_intents& pending, const std::function<bool(const delivered_record&)>& exists);
    void compact_if_worth_it();
};

std::error_code fetch_state::impl::open_journal() {
    const std::string path = journal_path();
    bool created = false;
    journal_fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (journal_fd < 0 && errno == ENOENT) {
        journal_fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (journal_fd < 0) return create_error(errno);
        created = true;
    }
    if (journal_fd < 0) return make_error_code(errc::io_error);
    if (created) fsync_directory(dir);
    return {};
}

void fetch_state::impl::apply(const detail::journal_entry& e, pending_intents& pending) {
    switch (e.kind) {
    case entry_kind::delivered:
        records.put(e.record);
        pending.drop(e.record.key);
        break;
    case entry_kind::intent:
        pending.add(e.record);
        break;
    case entry_kind::forget:
        records.remove(e.record.key);
        pending.drop(e.record.key);
        break;
    }
}

// Reads the journal line by line (bounded: a line longer than
// max_journal_line is skipped as unreadable), applies each record, and
// truncates a torn last line away.
std::error_code fetch_state::impl::replay(pending_intents& pending) {
    std::vector<char> buf(std::size_t{1} << 16);
    std::string line;
    bool overlong = false;
    bool first = true;
    std::uint64_t offset = 0;  // bytes read so far
    detail::journal_entry entry;
    for (;;) {
        const ssize_t n = ::read(journal_fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error_code(errc::io_error);
        }
        if (n == 0) break;
        std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            const std::size_t lf = chunk.find('\n');
            const std::string_view piece = chunk.substr(0, lf);
            if (!overlong) {
                if (line.size() + piece.size() > detail::max_journal_line) {
                    overlong = true;
                    line.clear();
                } else {
                    line.append(piece);
                }
            }
            offset += piece.size();
            if (lf == std::string_view::npos) break;
            chunk.remove_prefix(lf + 1);
            ++offset;
            // A whole line.
            if (first && !overlong && is_version_line(line)) {
                // A newer pigeon's journal is not ours to rewrite.
                if (line != detail::journal_header) return make_error_code(errc::io_error);
            } else if (overlong || !detail::parse_journal_line(line, entry)) {
                ++unreadable;
            } else {
                apply(entry, pending);
            }
            first = false;
            overlong = false;
            line.clear();
            journal_size = offset;
            ++journal_lines;
        }
    }
    if (offset != journal_size) {
        // Torn last line (a crash in the middle of a write): never a record.
        if (::ftruncate(journal_fd, static_cast<off_t>(journal_size)) != 0) return make_error_code(errc::io_error);
    }
    if (journal_size == 0) {
        std::string header(detail::journal_header);
        header.push_back('\n');
        if (auto ec = append(header, 1)) return ec;
    }
    return {};
}

// Intents without a D line: the destination says whether the message got
// there. Every answer is written down (one write, then synced), so the next
// open() does not ask again: present -> a D line; absent -> an F line, or,
// when the key already had a delivered record before the intent, that
// record's D line again (the intent was a redelivery that did not happen).
void fetch_state::impl::resolve(const pending_intents& pending,
                                const std::function<bool(const delivered_record&)>& exists) {
    std::string lines;
    std::uint64_t count = 0;
    std::vector<const delivered_record*> found;
    delivered_record previous;
    pending.for_each([&](const delivered_record& r) {
        ++count;
        if (exists && exists(r)) {
            detail::append_record_line(lines, entry_kind::delivered, r);
            found.push_back(&r);
        } else if (records.get(r.key, previous)) {
            detail::append_record_line(lines, entry_kind::delivered, previous);
        } else {
            detail::append_forget_line(lines, r.key);
        }
    });
    // The answers hold in memory whether or not they reach the disk: if the
    // write fails (a full disk), the I lines stay and the next open() asks
    // again, getting the same answers; the error shows at the next write.
    for (const delivered_record* r : found) records.put(*r);
    if (count != 0 && !append(lines, count)) (void)sync();
}

// Rewrites the journal with only the live records when most of it is dead.
// A failure leaves the old journal in place (it is still correct).
void fetch_state::impl::compact_if_worth_it() {
    if (journal_lines <= compact_min_lines || journal_lines <= 2 * (records.size() + 1)) return;
    if (sticky || needs_truncate) return;
    const std::string tmp = dir + "/journal.tmp";
    fd_guard fd(::open(tmp.c_str(), O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return;
    std::string out(detail::journal_header);
    out.push_back('\n');
    std::uint64_t size = 0;
    bool ok = true;
    int err = 0;
    records.for_each([&](const delivered_record& r) {
        if (!ok) return;
        detail::append_record_line(out, entry_kind::delivered, r);
        if (out.size() >= (std::size_t{1} << 20)) {
            ok = write_all(fd.get(), out, err);
            size += out.size();
            out.clear();
        }
    });
    if (ok) {
        ok = write_all(fd.get(), out, err);
        size += out.size();
    }
    if (!ok || ::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), journal_path().c_str()) != 0) {
        fd.reset();
        ::unlink(tmp.c_str());
        return;
    }
    fsync_directory(dir);
    ::close(journal_fd);
    journal_fd = fd.release();
    journal_size = size;
    journal_lines = records.size() + 1;
}

fetch_state::fetch_state() : impl_(std::make_unique<impl>()) {}
fetch_state::fetch_state(fetch_state&&) noexcept = default;
fetch_state& fetch_state::operator=(fetch_state&&) noexcept = default;
fetch_state::~fetch_state() = default;

std::optional<fetch_state> fetch_state::open(const std::string& dir, lock_mode mode,
                                             const std::function<bool(const delivered_record&)>& exists,
                                             std::error_code& ec) {
    ec.clear();
    fetch_state st;
    impl& m = *st.impl_;
    m.dir = dir;
    while (m.dir.size() > 1 && m.dir.back() == '/') m.dir.pop_back();
    if ((ec = make_directories(m.dir))) return std::nullopt;
    if ((ec = m.lock(mode))) return std::nullopt;
    if ((ec = m.open_journal())) return std::nullopt;
    pending_intents pending;
    if ((ec = m.replay(pending))) return std::nullopt;
    m.resolve(pending, exists);
    m.compact_if_worth_it();
    return std::optional<fetch_state>(std::move(st));
}

bool fetch_state::delivered(const message_key& k) const { return impl_ && impl_->records.contains(k); }

std::vector<std::uint32_t> fetch_state::delivered_uids(std::string_view folder, std::uint32_t uidvalidity) const {
    return impl_ ? impl_->records.uids(folder, uidvalidity) : std::vector<std::uint32_t>{};
}

std::vector<std::uint32_t> fetch_state::uidvalidities(std::string_view folder) const {
    return impl_ ? impl_->records.uidvalidities(folder) : std::vector<std::uint32_t>{};
}

std::vector<const delivered_record*> fetch_state::records_of(std::string_view folder) const {
    return impl_ ? impl_->records.records_of(folder) : std::vector<const delivered_record*>{};
}

const delivered_record* fetch_state::find_by_message_id(std::string_view message_id, std::uint64_t size) const {
    return impl_ ? impl_->records.find_by_message_id(message_id, size) : nullptr;
}

void fetch_state::for_each_record(std::string_view folder,
                                  const std::function<void(const delivered_record&)>& f) const {
    if (impl_) impl_->records.for_each_of(folder, f);
}

void fetch_state::for_each_message_id(const std::function<void(std::string_view, std::string_view)>& f) const {
    if (impl_) impl_->records.for_each_message_id(f);
}

void fetch_state::intend(const delivered_record& r, std::error_code& ec) {
    if (!impl_) {
        ec = make_error_code(errc::bad_state);
        return;
    }
    std::string line;
    detail::append_record_line(line, entry_kind::intent, r);
    if (line.size() > detail::max_journal_line + 1) {
        ec = std::make_error_code(std::errc::value_too_large);
        return;
    }
    ec = impl_->append(line, 1);
}

void fetch_state::confirm(const std::vector<delivered_record>& rs, std::error_code& ec) {
    if (!impl_) {
        ec = make_error_code(errc::bad_state);
        return;
    }
    // Written in pieces of about 64 KB (a batch of 1,000 records is ~300
    // KB of lines), all or nothing: a failure takes the journal back to
    // where the batch began.
    const std::uint64_t start_size = impl_->journal_size, start_lines = impl_->journal_lines;
    auto undo = [&] {
        if (impl_->journal_size == start_size) return;
        if (::ftruncate(impl_->journal_fd, static_cast<off_t>(start_size)) != 0) impl_->needs_truncate = true;
        impl_->journal_size = start_size;
        impl_->journal_lines = start_lines;
    };
    constexpr std::size_t piece = 64 * 1024;
    try {
        std::string lines;
        std::uint64_t in_piece = 0;
        for (const delivered_record& r : rs) {
            const std::size_t before = lines.size();
            detail::append_record_line(lines, entry_kind::delivered, r);
            if (lines.size() - before > detail::max_journal_line + 1) {
                undo();
                ec = std::make_error_code(std::errc::value_too_large);
                return;
            }
            ++in_piece;
            if (lines.size() >= piece) {
                if ((ec = impl_->append(lines, in_piece))) return undo();
                lines.clear();
                in_piece = 0;
            }
        }
        if (!lines.empty() && (ec = impl_->append(lines, in_piece))) return undo();
    } catch (...) {
        undo();   // out of memory half way: nothing of the batch stays
        throw;
    }
    for (const delivered_record& r : rs) impl_->records.put(r);
}

void fetch_state::sync(std::error_code& ec) {
    ec = impl_ ? impl_->sync() : make_error_code(errc::bad_state);
}

void fetch_state::forget(const std::vector<message_key>& keys, std::error_code& ec) {
    if (!impl_) {
        ec = make_error_code(errc::bad_state);
        return;
    }
    if (keys.empty()) {
        ec.clear();
        return;
    }
    std::string lines;
    for (const message_key& k : keys) {
        const std::size_t before = lines.size();
        detail::append_forget_line(lines, k);
        if (lines.size() - before > detail::max_journal_line + 1) {
            ec = std::make_error_code(std::errc::value_too_large);
            return;
        }
    }
    if ((ec = impl_->append(lines, keys.size()))) return;
    // Written: gone in memory too, whether or not the sync below succeeds
    // (a forget that is lost by a power cut is merely repeated later).
    for (const message_key& k : keys) impl_->records.remove(k);
    ec = impl_->sync();
}

std::size_t fetch_state::size() const noexcept { return impl_ ? impl_->records.size() : 0; }

const std::string& fetch_state::directory() const noexcept {
    static const std::string none;
    return impl_ ? impl_->dir : none;
}

std::size_t fetch_state::unreadable_lines() const noexcept { return impl_ ? impl_->unreadable : 0; }

}  // namespace pigeon::store
