#pragma once
// What a fetcher has delivered, per account, kept durably in a state
// directory so that a crash at any instant loses nothing and duplicates
// nothing:
//
//   1. deliver the message into the destination (commit);
//   2. state.intend(rec)        — an "I" line: key, size, SHA-256, Message-ID,
//                                  location (written, not fsynced);
//   3. ... more messages ...; destination.sync()  (directory fsync)
//   4. state.confirm(recs) ; state.sync()  — "D" lines, then fdatasync;
//                                  only now may the server copies be deleted.
//
// open() replays the journal. Intents without a confirmation (a crash
// between 2 and 4) are resolved with destination::contains(): present ->
// delivered (recorded), absent -> not delivered (fetched again). The
// (Message-ID, size, SHA-256) of every delivered message is the index that
// re-baselines a folder whose UIDVALIDITY changed.
//
// Keys: IMAP (folder, uidvalidity, uid); POP3 (uidl). One journal file per
// account (`<dir>/journal`), append-only, compacted on open when mostly
// dead; a lock file (`<dir>/lock`, flock) held for the life of the object.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pigeon::store {

struct message_key {
    std::string folder;           ///< IMAP folder; "" for POP3
    std::uint32_t uidvalidity = 0;///< IMAP; 0 for POP3
    std::uint32_t uid = 0;        ///< IMAP; 0 for POP3
    std::string uidl;             ///< POP3 unique id; "" for IMAP
    bool operator==(const message_key&) const = default;
};

struct delivered_record {
    message_key key;
    std::uint64_t size = 0;       ///< bytes as received from the server
    std::string sha256_hex;
    std::string message_id;       ///< as in the header, "" when absent
    std::string location;         ///< delivery::location()
    std::string destination;      ///< destination::describe()
    std::int64_t delivered_at = 0;///< seconds since the epoch (POP3 --delete-older-than)
};

enum class lock_mode { fail_if_held, wait };

class fetch_state {
public:
    /// Creates `dir` (0700, parents too) if needed, takes the lock, replays
    /// the journal, resolves unconfirmed intents with `exists` (called as
    /// exists(record) -> still in its destination?). errc::locked (store
    /// category) when another process holds the lock and mode is
    /// fail_if_held.
    static std::optional<fetch_state> open(const std::string& dir, lock_mode mode,
                                           const std::function<bool(const delivered_record&)>& exists,
                                           std::error_code& ec);
    fetch_state(fetch_state&&) noexcept;
    fetch_state& operator=(fetch_state&&) noexcept;
    ~fetch_state();   ///< releases the lock

    bool delivered(const message_key& k) const;
    /// IMAP: the UIDs delivered from (folder, uidvalidity), ascending.
    std::vector<std::uint32_t> delivered_uids(std::string_view folder, std::uint32_t uidvalidity) const;
    /// IMAP: the UIDVALIDITY values seen for a folder (newest last).
    std::vector<std::uint32_t> uidvalidities(std::string_view folder) const;
    /// Delivered records of a folder under any UIDVALIDITY (re-baselining),
    /// or of POP3 (folder "").
    std::vector<const delivered_record*> records_of(std::string_view folder) const;
    /// Finds a delivered message by its (Message-ID, size) (re-baseline);
    /// nullptr for an empty Message-ID.
    /// The pointers of records_of and find_by_message_id stay valid until
    /// their record is forgotten (a confirm() of the same key updates the
    /// record in place) or the state is destroyed.
    const delivered_record* find_by_message_id(std::string_view message_id, std::uint64_t size) const;
    /// Calls f(record) for each delivered record of a folder (POP3: ""),
    /// without keeping them: bounded memory where records_of would hold
    /// every record of a large maildrop. f must not change the state.
    void for_each_record(std::string_view folder, const std::function<void(const delivered_record&)>& f) const;
    /// Calls f(folder, message_id) for every delivered record that has a
    /// Message-ID (news: an article cross-posted to several groups is
    /// delivered once).
    void for_each_message_id(const std::function<void(std::string_view, std::string_view)>& f) const;

    /// Step 2: written to the journal at once (no fsync).
    void intend(const delivered_record& r, std::error_code& ec);
    /// Step 4: "D" lines for these (already intended or not), then...
    void confirm(const std::vector<delivered_record>& rs, std::error_code& ec);
    /// ...fdatasync of the journal. After it, the records survive a power cut.
    void sync(std::error_code& ec);
    /// Forgets keys (POP3 UIDLs no longer on the server, a deleted folder),
    /// so the state does not grow for ever. Written and synced like confirm.
    void forget(const std::vector<message_key>& keys, std::error_code& ec);

    std::size_t size() const noexcept;   ///< delivered records known
    const std::string& directory() const noexcept;
    /// Journal lines open() skipped because they were not well-formed
    /// records (corruption); 0 normally. A caller may warn about them.
    std::size_t unreadable_lines() const noexcept;

private:
    fetch_state();
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace pigeon::store
