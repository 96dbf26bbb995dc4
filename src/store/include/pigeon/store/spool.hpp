#pragma once
// The outbox spool: messages waiting to be sent, kept in a directory so
// that nothing acknowledged is ever lost and no two processes send the same
// entry at once.
//
//   DIR/<id>.msg    the message bytes, written once (CRLF or LF, as given)
//   DIR/<id>.meta   spool_entry text (spool_entry.hpp), replaced atomically
//   DIR/tmp/        files being written; DIR/corrupt/ damaged entries
//
// An entry exists once its .meta exists. Creating one (draft -> commit):
// the message is written to tmp/, fsynced, its .meta written and fsynced,
// both renamed into DIR (the .meta last), then DIR fsynced: a crash at any
// point leaves either no entry or a whole one. Every later change of the
// .meta is write + rename + fsync + directory fsync: renamed first, so that
// a runner killed right after the server's reply has already recorded it
// (a power cut in that instant can leave a damaged .meta: set aside whole,
// never half-read).
//
// The lock of an entry is a flock on its .msg file (which is never renamed
// after commit): held by a draft from its first byte, by a held_entry while
// it is delivered, released when the process dies. acquire() never waits:
// a second runner skips an entry a first one is sending.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "pigeon/store/spool_entry.hpp"

namespace pigeon::store {

/// A committed entry whose lock this process holds.
class held_entry {
public:
    held_entry(held_entry&&) noexcept;
    held_entry& operator=(held_entry&&) noexcept;
    held_entry(const held_entry&) = delete;
    held_entry& operator=(const held_entry&) = delete;
    ~held_entry();  ///< releases the lock

    spool_entry& entry() noexcept { return entry_; }
    const spool_entry& entry() const noexcept { return entry_; }
    /// The message file (read it, do not change it).
    std::string message_path() const;
    /// Writes entry() durably as the new .meta.
    std::error_code save();
    /// Removes the entry (.meta first, then .msg) and releases the lock.
    std::error_code remove();

private:
    friend class spool;
    friend class spool_draft;
    held_entry(std::string dir, int fd, spool_entry e) : dir_(std::move(dir)), fd_(fd), entry_(std::move(e)) {}
    std::string dir_;
    int fd_ = -1;
    spool_entry entry_;
};

/// A new entry being written (in DIR/tmp, locked, not yet in the spool).
class spool_draft {
public:
    spool_draft(spool_draft&&) noexcept;
    spool_draft& operator=(spool_draft&&) noexcept;
    spool_draft(const spool_draft&) = delete;
    spool_draft& operator=(const spool_draft&) = delete;
    ~spool_draft();  ///< discards what was not committed

    const std::string& id() const noexcept { return id_; }
    std::uint64_t size() const noexcept { return size_; }
    /// Appends message bytes (errc::io_error / no_space).
    std::error_code write(std::string_view bytes);
    /// Where the bytes written so far are (to send them before committing).
    std::string message_path() const;
    /// Makes the entry durable and visible: e.id, e.size (and e.created when
    /// 0) are filled in. The lock stays held, by the returned entry.
    std::optional<held_entry> commit(spool_entry e, std::error_code& ec);
    /// Deletes the draft's file.
    void discard() noexcept;

private:
    friend class spool;
    spool_draft(std::string dir, std::string id, int fd) : dir_(std::move(dir)), id_(std::move(id)), fd_(fd) {}
    std::string dir_, id_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

class spool {
public:
    /// Creates DIR, DIR/tmp and DIR/corrupt (mode 0700) when missing.
    /// errc::cannot_create when it cannot.
    static std::optional<spool> open(const std::string& dir, std::error_code& ec);

    const std::string& directory() const noexcept { return dir_; }

    /// Starts a new entry with a fresh id (UTC time and random digits).
    std::optional<spool_draft> create(std::error_code& ec) const;

    /// The ids of the entries (those with a .meta), oldest first.
    std::vector<std::string> list(std::error_code& ec) const;

    /// Reads an entry without its lock (for listing): not_found,
    /// corrupt_entry (also for a .meta without its .msg).
    std::error_code peek(std::string_view id, spool_entry& out) const;

    /// Takes an entry's lock without waiting and reads it. locked: another
    /// process is sending it; not_found: gone (sent meanwhile, or never
    /// was); corrupt_entry: damaged (see move_aside).
    std::optional<held_entry> acquire(std::string_view id, std::error_code& ec) const;

    /// Moves a damaged entry's files into DIR/corrupt (a name already there
    /// gets a numeric suffix); `where` names the new .meta (or .msg).
    /// locked when a process holds the entry.
    std::error_code move_aside(std::string_view id, std::string& where) const;

    /// Deletes leftovers older than `age`: files in DIR/tmp (drafts of dead
    /// processes) and .msg files without .meta that nobody holds (a crash
    /// between the two renames of commit). Returns how many.
    std::size_t clean(std::chrono::seconds age) const;

private:
    explicit spool(std::string dir) : dir_(std::move(dir)) {}
    std::string dir_;
};

} // namespace pigeon::store
