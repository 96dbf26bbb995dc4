#pragma once
// The engine under `pigeon fetch` and `pigeon watch`: copies new messages
// of one IMAP folder (or folder pattern) or one POP3 maildrop into a
// store::destination, exactly once, in the order that loses nothing:
//
//   stream the message into the destination (commit) -> state.intend ->
//   [batch] destination.sync (fsync) -> state.confirm + state.sync ->
//   only then \Deleted + UID EXPUNGE / DELE, \Seen.
//
// It never prints: what happens is told to a fetch_observer, from the worker
// threads (the observer serialises). Failures end the job with an exit code
// (sysexits, as for `send`) and a message; other jobs go on.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pigeon/account/oauth2_login.hpp"
#include "pigeon/account/paths.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "pigeon/store/destination.hpp"
#include "pigeon/store/fetch_state.hpp"

namespace pigeon::cli {

/// What to take and what to do on the server afterwards.
struct fetch_policy {
    bool unseen = false;                        ///< IMAP: only messages without \Seen
    std::optional<std::chrono::year_month_day> since;  ///< IMAP SINCE (internal date)
    std::uint64_t max_size = 0;                 ///< 0: no limit; larger ones are skipped (and kept)
    std::size_t limit = 0;                      ///< 0: all; else at most N per folder per run (oldest first)
    bool delete_after = false;                  ///< delete every delivered message from the server
    std::optional<double> delete_older_than_days;  ///< delete delivered ones older than this
    bool mark_seen = false;                     ///< IMAP: \Seen on what was delivered
    std::size_t window = 0;                     ///< NNTP: ARTICLE commands in flight (0: the library's default)
    bool compress = false;                      ///< NNTP: COMPRESS DEFLATE when offered
};

/// One account's source: a server and how to log in.
using account::oauth2_login;

struct fetch_source {
    net::endpoint ep;
    net::session_options net;
    std::string user;                           ///< "" : no login (PREAUTH / test servers)
    std::vector<std::string> auth_mechanisms;
    /// Log in with a password over a connection without TLS (--tls none):
    /// only when the user asked for it.
    bool allow_cleartext = false;
    /// Returns the password (runs a password command once; thread-safe).
    std::function<std::string()> password;
    /// Set for an account that logs in with OAuth2 (shared by its jobs).
    std::shared_ptr<oauth2_login> oauth2;
};

/// State and destination shared by every job of one account.
class account_context {
public:
    account_context(std::string name, std::string state_dir, std::string destination,
                    store::destination_options dest_opts, store::lock_mode lock);
    const std::string& name() const noexcept { return name_; }
    /// The account's state directory (news keeps its .newsrc read marks there).
    const std::string& state_directory() const noexcept { return state_dir_; }
    const std::string& destination_spec() const noexcept { return destination_; }
    const store::destination_options& destination_options() const noexcept { return dest_opts_; }
    /// Timeouts and TLS trust for lmtp:/smtp: destinations (fetch_forward.hpp).
    const net::session_options& forward_net() const noexcept { return forward_net_; }
    void set_forward_net(net::session_options n) { forward_net_ = std::move(n); }

    /// Opens the state on first use (lock, replay). Throws exit_error.
    store::fetch_state& state();
    /// Serialises every use of the state (jobs of one account run in parallel).
    std::mutex& mutex() noexcept { return mutex_; }
    /// mbox destinations: one writer at a time in this process (fcntl locks
    /// do not exclude threads of one process).
    std::mutex& store_mutex() noexcept { return store_mutex_; }
    /// News: claims a Message-ID for `folder` (a group) in this run; false
    /// when another group of the account delivered it (as the state records)
    /// or claimed it earlier in this run, so that an article cross-posted to
    /// several groups reaches the destination once. Call with mutex() held.
    bool claim_message_id(const std::string& folder, const std::string& message_id);

private:
    std::string name_, state_dir_, destination_;
    store::destination_options dest_opts_;
    net::session_options forward_net_;
    store::lock_mode lock_;
    std::optional<store::fetch_state> state_;
    std::mutex mutex_, open_mutex_, store_mutex_;
    std::optional<std::unordered_map<std::string, std::string>> id_owner_;  // Message-ID -> group
};

/// One unit of work: an account and one folder (or pattern) of it.
struct fetch_job {
    std::shared_ptr<account_context> account;
    fetch_source source;
    fetch_policy policy;
    std::string folder;     ///< IMAP folder or LIST pattern ("INBOX", "Lists/*"); "" for POP3; NNTP: the group
    std::string label;      ///< "account folder" for messages
};

struct delivered_message {
    std::string account;
    std::string folder;     ///< "" for POP3
    std::uint32_t uidvalidity = 0;
    std::uint32_t uid = 0;
    std::string uidl;
    std::string message_id;
    std::uint64_t size = 0;
    std::string destination;   ///< destination::describe()
    std::string location;      ///< where in it
    std::vector<std::string> flags;
    std::string from, subject; ///< for `watch --exec`
};

/// Told by the engine; called from worker threads, possibly at once.
class fetch_observer {
public:
    virtual ~fetch_observer() = default;
    /// A message is durable in the destination and recorded.
    virtual void delivered(const fetch_job&, const delivered_message&) {}
    /// Progress of a job (called often; cheap).
    virtual void progress(const fetch_job&, std::uint64_t /*messages*/, std::uint64_t /*bytes*/,
                          std::uint64_t /*total_messages*/, std::uint64_t /*total_bytes*/) {}
    /// Something the user should know that is not a failure (UIDVALIDITY
    /// changed, messages skipped, a duplicate absorbed).
    virtual void note(const fetch_job&, const std::string& /*text*/) {}
};

struct job_result {
    int exit_code = 0;           ///< 0, or the sysexits code of the failure
    std::string error;           ///< what failed ("" when exit_code is 0)
    std::uint64_t delivered = 0;
    std::uint64_t bytes = 0;
    std::uint64_t skipped = 0;   ///< over max_size, or kept by the MDA (75)
    std::uint64_t deleted = 0;
    std::uint64_t rebaselined = 0;
    std::vector<std::string> folders;  ///< folders done (IMAP)
};

/// Runs one job to its end. `stop` is checked between messages: when set,
/// the message in flight is finished, what was delivered is made durable
/// and recorded, and the job ends cleanly (exit 0).
job_result run_fetch_job(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop);

/// The login of a source: credentials (running its password command once)
/// and the mechanism choice.
sasl::credentials credentials_of(const fetch_source& s);
sasl::selection_options selection_of(const fetch_source& s);

/// The exit code of a store error (73, 74, 75).
int exit_code_for_store(const std::error_code& ec);

using account::state_key;

} // namespace pigeon::cli
