#pragma once
// Where fetched messages go: a Maildir, an mbox file, or an MDA command.
// One message is delivered through a `delivery`: its bytes are written as
// they arrive from the server (any chunking, CRLF or bare LF line ends),
// then commit() makes the message whole in the store (or abort() leaves no
// trace of it). sync() then makes every committed message durable (one
// directory fsync for many messages); nothing may be recorded as delivered
// before sync() returned without error.
//
//   std::error_code ec;
//   auto dest = store::open_destination("maildir:/home/c/Mail", {}, ec);
//   auto d = dest->begin({.folder = "INBOX", .flags = {"\\Seen"}}, ec);
//   d->write(chunk, ec); ...; d->commit(ec);
//   dest->sync(ec);                    // now record d->location()
//
// No function throws for a store problem: errors come back as
// std::error_code (store::errc, or a std::generic_category errno value
// such as ENOSPC), with what() text from error_message().
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pigeon::store {

enum class errc {
    ok = 0,
    bad_spec = 1,         ///< "maildir:", "mbox:" or "mda:" missing or empty path/command
    cannot_create,        ///< the store (or a subfolder) cannot be created (exit 73)
    io_error,             ///< a read, write, fsync or rename failed (exit 74); errno in detail
    no_space,             ///< ENOSPC / EDQUOT while writing (exit 74)
    locked,               ///< mbox: the lock could not be taken in time (exit 75)
    mda_tempfail,         ///< the MDA exited 75: keep the message, try next run (exit 75)
    mda_failed,           ///< the MDA exited non-zero (not 75) or died by a signal
    bad_state,            ///< delivery used after commit/abort, or begin() while one is open
    forward_deferred,     ///< handoff: the receiving server answered 4xx: keep, try next run (exit 75)
    forward_refused,      ///< handoff: the receiving server answered 5xx: keep and report (exit 69)
    forward_unreachable,  ///< handoff: no connection to the receiving server (exit 75; stop the job)
    corrupt_entry,        ///< spool: an entry's files are not whole or not well-formed
    not_found,            ///< spool: no entry with that id
};
const std::error_category& store_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

/// What the source knows about a message before its bytes arrive.
struct message_meta {
    /// The source folder, "/"-separated ("INBOX", "Lists/dev"); "" or "INBOX"
    /// is the store's root folder. Maildir: one Maildir++ subfolder per
    /// other folder; mbox and MDA ignore it (the MDA gets it in
    /// PIGEON_FOLDER).
    std::string folder;
    /// IMAP system flags and keywords ("\\Seen", "\\Flagged", "$Junk"...).
    std::vector<std::string> flags;
    /// Seconds since the epoch (IMAP INTERNALDATE), 0 when unknown:
    /// Maildir file mtime, mbox "From " line date.
    std::int64_t internal_date = 0;
    /// Envelope sender for the mbox "From " line ("" -> MAILER-DAEMON).
    std::string envelope_from;
    /// Expected size in bytes (0 = unknown); a hint only.
    std::uint64_t size_hint = 0;
};

/// One message on its way into the store.
class delivery {
public:
    virtual ~delivery() = default;  ///< aborts if neither commit() nor abort() ran
    /// Appends raw message bytes (CRLF converted to the store's line ends).
    virtual void write(std::string_view bytes, std::error_code& ec) = 0;
    /// The message is complete: written, fsynced (file), and visible in
    /// the store under location(). Durable only after destination::sync().
    virtual void commit(std::error_code& ec) = 0;
    /// Removes every trace of the message (tmp file unlinked, mbox
    /// truncated back, MDA killed). Never fails.
    virtual void abort() noexcept = 0;
    /// Bytes of message content received by write() so far (before line end
    /// conversion), and the SHA-256 (lower-case hex) of those bytes after
    /// commit(): the same value whatever the store does to line ends.
    virtual std::uint64_t bytes_written() const noexcept = 0;
    virtual std::string sha256_hex() const = 0;
    /// After commit(): where the message is. Maildir: the path relative to
    /// the Maildir root ("new/1733...host" or ".Lists.dev/cur/...:2,S");
    /// mbox: "offset:<byte offset of the From line>"; MDA: "mda".
    virtual std::string location() const = 0;
    /// After a failed commit(): what the receiver said, when it said
    /// something (a handoff's server reply); "" otherwise.
    virtual std::string failure_detail() const { return {}; }
};

/// A place messages are delivered into.
class destination {
public:
    virtual ~destination() = default;
    /// Starts a message. At most one delivery is open at a time.
    virtual std::unique_ptr<delivery> begin(const message_meta& meta, std::error_code& ec) = 0;
    /// Makes every message committed so far durable (directory fsyncs for
    /// Maildir, fsync of the mbox; nothing for MDA, whose exit status is its
    /// acceptance).
    virtual void sync(std::error_code& ec) = 0;
    /// After a crash: is the message committed at `location` (as returned by
    /// delivery::location()) with this size and SHA-256 of the original bytes
    /// still in the store? Maildir: the file exists in new/ or cur/ (its
    /// flags part may have changed) with that content; mbox: the message at
    /// that offset hashes to sha256; MDA: always false (unknowable).
    virtual bool contains(std::string_view location, std::uint64_t size, std::string_view sha256_hex) const = 0;
    /// "maildir:/abs/path", "mbox:/abs/path", "mda:command" for messages.
    virtual std::string describe() const = 0;
};

struct destination_options {
    /// Maildir: create the root (and subfolders) with mode 0700 when absent.
    bool create = true;
    /// mbox: how long to wait for the fcntl + dot lock, in milliseconds.
    int lock_timeout_ms = 10000;
    /// MDA: the command line (run with /bin/sh -c), extra environment
    /// (PIGEON_FOLDER etc. are set from message_meta).
    std::vector<std::pair<std::string, std::string>> mda_environment;
    /// fsync files and directories (off only for benchmarks of the rest).
    bool fsync = true;
    /// Maildir, with fsync: make a batch durable with syncfs(2) of its file
    /// system — once before the files are renamed into new/ or cur/, once
    /// after — instead of an fsync per file and directory. The same
    /// guarantee with a fraction of the I/O requests (5,000 small files:
    /// one flush of the disk's cache instead of 5,000). Used only on Linux
    /// 5.8 or later, where syncfs reports write-back errors; on older
    /// kernels, or when false, every file and directory is fsynced. It also
    /// writes back other programs' unwritten data on that file system.
    bool batch_sync = true;
};

/// Parses "maildir:PATH", "mbox:PATH" or "mda:COMMAND" (a leading "~/" in
/// PATH is the home directory) and opens the store.
std::unique_ptr<destination> open_destination(std::string_view spec, const destination_options& opts,
                                              std::error_code& ec);

/// A handoff destination gives each whole message to a function of the
/// caller's (forwarding over LMTP or SMTP: the network stays out of this
/// module). The bytes are spooled as they arrive — in memory up to 1 MiB,
/// beyond that in an unlinked temporary file under $TMPDIR (or /tmp) — and
/// commit() calls the function once with the message.
struct handoff_message {
    const message_meta& meta;
    /// The first bytes of the message (up to 64 KiB: its header block in
    /// all but odd cases), for the envelope sender and the like.
    std::string_view head;
    /// Reads the message from the start, as received (line ends as the
    /// source sent them): up to cap bytes into buf, 0 at the end. One pass.
    std::function<std::size_t(char* buf, std::size_t cap)> read;
    std::uint64_t size = 0;
};
/// What the function says: an empty ec and where the message went (the
/// receiver's queue reply, say), or forward_deferred / forward_refused /
/// forward_unreachable (or any other code) with the receiver's words.
struct handoff_result {
    std::error_code ec;
    std::string location;
    std::string detail;
};
using handoff_fn = std::function<handoff_result(const handoff_message&)>;

/// Opens a handoff destination; describe() returns `description`. sync()
/// does nothing (the receiver's acceptance is its own durability) and
/// contains() is false (a receiver cannot be asked).
std::unique_ptr<destination> open_handoff(std::string description, handoff_fn fn, std::error_code& ec);

} // namespace pigeon::store

namespace std {
template <>
struct is_error_code_enum<pigeon::store::errc> : true_type {};
} // namespace std
