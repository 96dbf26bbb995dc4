#pragma once
// The blocking IMAP client (RFC 9051 / 3501), on the shared client core:
// connect() reads the greeting (* OK, * PREAUTH or * BYE) and the
// capabilities, upgrades with STARTTLS when the endpoint asks for it
// (required: refused when not offered, not answered OK, or when a PREAUTH
// greeting arrives on the clear connection, before anything else is sent),
// re-reads CAPABILITY under TLS; authenticate() runs AUTHENTICATE (with
// SASL-IR when offered) or LOGIN.
//
// Then the typed commands: mailboxes (SELECT/EXAMINE with CONDSTORE and
// QRESYNC, LIST with SPECIAL-USE and LIST-STATUS, STATUS, CREATE, DELETE,
// RENAME, SUBSCRIBE), UID SEARCH (ESEARCH when offered), UID FETCH with
// bodies streamed to the caller's sinks and several batches in flight,
// STORE, COPY, MOVE, EXPUNGE, APPEND streamed from a source, IDLE, ENABLE,
// ID and NAMESPACE. The state machine (not authenticated / authenticated /
// selected / logout) is checked before anything is sent: a command in the
// wrong state, or one that needs an extension the server does not offer,
// throws request_error and sends nothing.
//
// Untagged data never accumulates without bound: what the server says about
// the selected mailbox is folded into mailbox() and handed, typed, to the
// event handler (set_event_handler) as it arrives; run() hands each untagged
// response to the caller's handler; without a handler, at most
// limits.max_untagged_kept are kept and a command that draws more fails with
// response_too_large.
//
//   imap::client c;
//   c.connect(*net::parse_endpoint("imaps://mail.example.org", ec));
//   c.authenticate({.username = "alice", .password = pw});
//   c.examine("INBOX");
//   c.fetch_each(c.search(imap::search_query::all()), imap::fetch_items::whole_message(),
//                [](imap::message_data& m) { ... },                      // after each message
//                [](const imap::body_target& t) { return file_sink(t); });  // where its bytes go
//   c.logout();
//
// Commands are sent one at a time, except fetch_each(), which keeps several
// UID FETCH commands in flight (distinct tags, completions accepted in any
// order). A tagged response for any tag not in flight, or a tagged OK before
// the command was sent completely, is a protocol error that closes the
// connection.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/imap/capabilities.hpp"
#include "pigeon/imap/command.hpp"
#include "pigeon/imap/date_time.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/fetch_items.hpp"
#include "pigeon/imap/list_entry.hpp"
#include "pigeon/imap/mailbox_event.hpp"
#include "pigeon/imap/mailbox_status.hpp"
#include "pigeon/imap/message_data.hpp"
#include "pigeon/imap/namespaces.hpp"
#include "pigeon/imap/response.hpp"
#include "pigeon/imap/response_parser.hpp"
#include "pigeon/imap/search_query.hpp"
#include "pigeon/imap/search_result.hpp"
#include "pigeon/imap/sequence_set.hpp"
#include "pigeon/imap/session.hpp"
#include "pigeon/imap/string_encoding.hpp"
#include "pigeon/imap/uidplus.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"

namespace pigeon::imap {

using core::auth_result;

/// What connect() learned; capabilities are one atom per entry.
struct session_info : core::session_info {
    bool preauth = false;  ///< the greeting was * PREAUTH
};

struct client_limits {
    parser_limits parser;                  ///< response size bounds
    /// Untagged responses run() keeps for a caller without a handler.
    std::size_t max_untagged_kept = 10'000;
    /// Most entries the vector forms keep (list(), fetch()); the callback
    /// forms hold nothing.
    std::size_t max_entries_kept = 1'000'000;
};

/// opts.net, opts.limits, opts.auth: core::client_options_base.
struct client_options : core::client_options_base<client_limits> {
    /// COMPRESS=DEFLATE (RFC 4978) right after authentication when the server
    /// offers it. Off by default: on loopback and fast links it costs more CPU
    /// than it saves; on slow links listings shrink several times.
    bool compress = false;
    /// Tag prefix; empty (the default): 4 random letters.
    std::string tag_prefix;
};

/// A finished command: its tagged completion (OK) and, when run() had no
/// handler, the untagged responses that arrived while it ran.
struct command_result {
    response completion;
    std::vector<response> untagged;
};

/// Receives each untagged response while a command runs.
using untagged_handler = std::function<void(response&)>;
/// Receives what the server says unasked about the selected mailbox.
using event_handler = std::function<void(const mailbox_event&)>;

/// SELECT / EXAMINE parameters (RFC 7162).
struct select_options {
    /// (CONDSTORE): mod-sequences from now on; needs CONDSTORE.
    bool condstore = false;
    /// (QRESYNC (uidvalidity modseq [known-uids])): needs QRESYNC enabled
    /// (enable({"QRESYNC"})). What changed since modseq arrives as events:
    /// VANISHED (EARLIER) and FETCH.
    struct qresync_params {
        std::uint32_t uidvalidity = 0;
        std::uint64_t modseq = 0;
        std::optional<uid_set> known_uids;
    };
    std::optional<qresync_params> qresync;
};

/// STATUS items (RFC 9051 section 6.3.11); size needs STATUS=SIZE,
/// highest_modseq CONDSTORE, deleted IMAP4rev2.
struct status_items {
    bool messages = true;
    bool uidnext = true;
    bool uidvalidity = true;
    bool unseen = true;
    bool recent = false;
    bool deleted = false;
    bool size = false;
    bool highest_modseq = false;
};

struct list_options {
    /// Only subscribed mailboxes: LIST (SUBSCRIBED) with LIST-EXTENDED, else LSUB.
    bool subscribed_only = false;
    /// RETURN (SPECIAL-USE) when SPECIAL-USE is offered (the attributes
    /// \Sent, \Trash... come along).
    bool special_use = true;
    /// RETURN (STATUS (...)) when LIST-STATUS is offered (RFC 5819);
    /// otherwise no status is returned.
    std::optional<status_items> status;
};

/// One LIST answer, with its STATUS when LIST-STATUS was asked for.
struct mailbox_info {
    list_entry entry;
    std::optional<status_data> status;
};

/// What a UID SEARCH returns (ESEARCH RETURN options when offered).
struct search_return {
    bool all = true;
    bool count = false;
    bool min = false;
    bool max = false;
};

/// Where a message body literal goes: passed to the body_opener before its
/// first octet.
struct body_target {
    std::uint32_t seq = 0;               ///< message sequence number
    std::optional<std::uint32_t> uid;    ///< when the server sent UID before the body (Dovecot does)
    std::string item;                    ///< "BODY[]", "BODY[1.2]<0>", "BINARY[1]"
    std::uint64_t size = 0;              ///< octets that follow
    bool binary = false;                 ///< literal8: may hold NUL
};
/// Returns the sink for a body; an empty sink_fn keeps the octets in
/// message_data (up to limits.parser.max_body_literal).
using body_opener = std::function<net::sink_fn(const body_target&)>;
/// Receives each message once its FETCH response is complete (streamed
/// sections carry their size, not their octets). May move from it.
using message_handler = std::function<void(message_data&)>;

struct fetch_options {
    /// UIDs per UID FETCH command (counted in the set, existing or not).
    std::size_t batch = 500;
    /// UID FETCH commands in flight at once (pipelining; 1: one at a time).
    std::size_t in_flight = 2;
    /// (CHANGEDSINCE n): only messages whose mod-sequence is higher (CONDSTORE).
    std::optional<std::uint64_t> changed_since;
    /// (VANISHED) with changed_since: expunged UIDs arrive as VANISHED
    /// (EARLIER) events (needs QRESYNC enabled).
    bool vanished = false;
    /// The set holds message sequence numbers, not UIDs: FETCH instead of
    /// UID FETCH (a range of the newest messages with no SEARCH before
    /// it: EXISTS says how many there are). A message is handed over when
    /// its sequence number is in the set; it carries its UID as always.
    /// The server may not expunge during a FETCH, so the numbers hold for
    /// the whole call. Not with vanished (UID FETCH only).
    bool by_sequence = false;
    /// Batches are cut from the highest numbers down (the newest first:
    /// a newest-first listing can print each batch as it completes).
    /// Within a batch the server answers in its own order, usually
    /// ascending. Not for a set with "*".
    bool descending = false;
    /// Called with each batch's set once its command has completed (ok:
    /// the server said OK), before the next command is sent. Every
    /// message of the batch that the server returned has reached
    /// on_message by then. Batches may complete in any order.
    std::function<void(const uid_set& batch, bool ok)> on_batch_done;
};

enum class store_action { add, remove, replace };  ///< +FLAGS, -FLAGS, FLAGS

struct store_options {
    /// .SILENT: the server does not answer with the new flags.
    bool silent = true;
    /// (UNCHANGEDSINCE n) (CONDSTORE): only messages not changed since.
    std::optional<std::uint64_t> unchanged_since;
};

struct store_result {
    /// [MODIFIED set]: UIDs not stored because they changed since
    /// unchanged_since (empty when all were stored).
    uid_set modified;
};

struct append_options {
    std::vector<std::string> flags;         ///< "\Seen", "$Label1"
    std::optional<date_time> internal_date;
    /// The message may hold NUL and 8-bit lines: sent as literal8 ("~{n}",
    /// RFC 3516); needs BINARY. Otherwise a NUL byte is refused.
    bool binary = false;
};

/// How idle() ended.
enum class idle_end {
    timeout,  ///< the wait ran out
    stopped,  ///< the event handler asked to stop
};
struct idle_options {
    /// IDLE is ended with DONE and started again at least this often
    /// (RFC 9051 section 6.3.13: servers may drop an IDLE after 30 minutes).
    std::chrono::milliseconds reidle{std::chrono::minutes(28)};
};

class client : public core::client_base<client, client_options, session_info, session> {
    friend class core::client_base<client, client_options, session_info, session>;

public:
    // connect(), is_connected(), info(), channel(), state(), capabilities(): core::client_base.

    /// AUTHENTICATE with the strongest usable mechanism, else LOGIN (see
    /// core::connection::authenticate). Capabilities are learned again.
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});
    /// LOGIN user password. Refused without sending when LOGINDISABLED is
    /// announced, and without TLS unless allow_cleartext.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// CAPABILITY; the session's capabilities are replaced.
    const imap::capabilities& refresh_capabilities();

    /// A new unique tag for a command built by the caller.
    std::string next_tag() { return tags_.next(); }
    /// How literals may be sent now (for command_builder).
    literal_options literals() const noexcept { return session_.literals(); }
    /// Sends cmd (waiting for "+" before each synchronizing literal) and reads
    /// until its tagged completion; each untagged response goes to on_untagged
    /// (or is kept in the result, up to limits.max_untagged_kept). Throws
    /// command_error on NO or BAD.
    command_result run(const command& cmd, const untagged_handler& on_untagged = {});

    // ---- mailboxes (authenticated or selected state) ---------------------
    /// SELECT: opens the mailbox read-write (state selected); returns what
    /// the server said about it (also mailbox(), kept up to date).
    /// command_error on NO (the previous mailbox is then closed).
    const mailbox_status& select(std::string_view mailbox, const select_options& opts = {});
    /// EXAMINE: the same, read-only.
    const mailbox_status& examine(std::string_view mailbox, const select_options& opts = {});
    /// CLOSE: expunges the \Deleted messages (unless read-only) and deselects.
    void close_mailbox();
    /// UNSELECT (RFC 3691, IMAP4rev2): deselects without expunging.
    void unselect();
    /// LIST reference pattern ("" "*": everything), name encoding handled.
    void list(std::string_view reference, std::string_view pattern, const std::function<void(mailbox_info&)>& each,
              const list_options& opts = {});
    std::vector<mailbox_info> list(std::string_view reference = "", std::string_view pattern = "*",
                                   const list_options& opts = {});
    /// STATUS (not of the selected mailbox, RFC 9051 section 6.3.11).
    status_data status(std::string_view mailbox, const status_items& items = {});
    void create(std::string_view mailbox);
    void delete_mailbox(std::string_view mailbox);
    void rename(std::string_view from, std::string_view to);
    void subscribe(std::string_view mailbox);
    void unsubscribe(std::string_view mailbox);

    // ---- the selected mailbox ------------------------------------------------
    /// UID SEARCH: the matching UIDs (ESEARCH RETURN (ALL) when offered).
    uid_set search(const search_query& query);
    /// UID SEARCH with RETURN options: ESEARCH when offered, otherwise the
    /// same figures computed from a plain SEARCH answer.
    search_result search(const search_query& query, const search_return& ret);

    /// UID FETCH items for every UID in uids, in batches of opts.batch with
    /// up to opts.in_flight commands in flight. Each body literal streams to
    /// the sink open() returns for it as it arrives (64-bit sizes, no cap);
    /// on_message follows once the message's FETCH response is complete.
    /// FETCH responses for UIDs outside uids (flag changes by others), and
    /// EXISTS / EXPUNGE / VANISHED, go to the event handler. A batch answered
    /// NO does not stop the others: command_error follows at the end.
    void fetch_each(const uid_set& uids, const fetch_items& items, const message_handler& on_message,
                    const body_opener& open = {}, const fetch_options& opts = {});
    /// The same, the messages kept (at most limits.max_entries_kept; bodies
    /// in memory up to limits.parser.max_body_literal each).
    std::vector<message_data> fetch(const uid_set& uids, const fetch_items& items, const fetch_options& opts = {});

    /// UID STORE: flags added, removed or replaced. Without silent, the
    /// new flags arrive at on_update (or the event handler).
    store_result store(const uid_set& uids, store_action action, const std::vector<std::string>& flags,
                       const store_options& opts = {}, const message_handler& on_update = {});
    /// UID COPY; the COPYUID result when the server gives one (UIDPLUS).
    std::optional<copy_uid> copy(const uid_set& uids, std::string_view mailbox);
    /// UID MOVE (RFC 6851). Without MOVE: UID COPY, UID STORE +FLAGS.SILENT
    /// (\Deleted), UID EXPUNGE of just these UIDs, which needs UIDPLUS;
    /// without both, request_error(not_supported) and nothing is sent (a
    /// plain EXPUNGE would remove others' deletions too).
    std::optional<copy_uid> move(const uid_set& uids, std::string_view mailbox);
    /// EXPUNGE: removes every \Deleted message; each removal goes to the
    /// event handler (EXPUNGE or VANISHED). Returns how many were announced.
    std::uint32_t expunge();
    /// UID EXPUNGE (UIDPLUS): only the \Deleted messages among uids.
    std::uint32_t expunge(const uid_set& uids);

    /// APPEND a message of exactly size octets read from source, streamed
    /// (LITERAL+ / LITERAL- for a non-synchronizing literal where allowed,
    /// else after the server's "+"). Works in any authenticated state.
    /// Unless opts.binary, a NUL byte in the message is never sent: the
    /// connection is aborted before the literal ends (protocol_error
    /// invalid_argument; nothing is stored). A source that ends early or
    /// gives more than size does the same. Returns APPENDUID when offered.
    std::optional<append_uid> append(std::string_view mailbox, std::uint64_t size, const net::source_fn& source,
                                     const append_options& opts = {});
    /// The same from memory: a NUL (without opts.binary) is request_error,
    /// nothing sent.
    std::optional<append_uid> append(std::string_view mailbox, std::string_view message,
                                     const append_options& opts = {});

    /// IDLE (RFC 2177): waits up to timeout for events, each handed to
    /// on_event (return false to stop); DONE ends it. Re-IDLEs every
    /// opts.reidle. Needs IDLE.
    idle_end idle(const std::function<bool(const mailbox_event&)>& on_event, std::chrono::milliseconds timeout,
                  const idle_options& opts = {});

    // ---- session ----------------------------------------------------------------
    /// ENABLE (RFC 5161, authenticated state): the capabilities the server
    /// enabled ("CONDSTORE", "QRESYNC", "UTF8=ACCEPT"). Needs ENABLE.
    std::vector<std::string> enable(const std::vector<std::string>& extensions);
    bool condstore_enabled() const noexcept { return condstore_; }
    bool qresync_enabled() const noexcept { return qresync_; }
    bool utf8_enabled() const noexcept { return utf8_; }
    /// ID (RFC 2971): sends ours (field, value) and returns the server's.
    std::vector<std::pair<std::string, std::string>> id(
        const std::vector<std::pair<std::string, std::string>>& fields = {});
    /// NAMESPACE (RFC 2342, IMAP4rev2).
    imap::namespaces get_namespaces();

    /// Where unasked mailbox data goes (EXISTS, EXPUNGE, FETCH, VANISHED...);
    /// without a handler it is only folded into mailbox() and dropped.
    void set_event_handler(event_handler h) { on_event_ = std::move(h); }
    /// The selected mailbox as the server described it, kept up to date.
    const mailbox_status& mailbox() const noexcept { return mailbox_; }
    /// The selected mailbox's name (UTF-8); empty unless selected.
    const std::string& selected_mailbox() const noexcept { return selected_name_; }
    /// Mailbox names on the wire: modified UTF-7, or UTF-8 once UTF8=ACCEPT
    /// is enabled.
    name_encoding mailbox_encoding() const noexcept {
        return utf8_ ? name_encoding::utf8 : name_encoding::modified_utf7;
    }

    /// COMPRESS DEFLATE (RFC 4978): from the tagged OK on, both directions
    /// are deflated (net::deflate_stream under the channel). Authenticated or
    /// selected state; request_error(not_supported) when not offered; a
    /// second call does nothing.
    void compress();
    bool is_compressed() const noexcept;

    /// NOOP: keeps the connection alive and collects pending updates.
    void noop(const untagged_handler& on_untagged = {});
    /// LOGOUT (expects BYE and a tagged OK) and close.
    void logout();
    /// Closes without LOGOUT.
    void close() noexcept;


private:
    // core::dialect
    PIGEON_CORE_DIALECT_OVERRIDES("IMAP");
    std::string password_command() const override;
    void password_login(const sasl::credentials& creds) override;
    void prepare(const client_options& opts);

    /// Gives the sink for a content literal, or an empty one to keep it.
    using literal_router = std::function<net::sink_fn(const literal_info&)>;
    /// Says whether a typed command takes an untagged response (true) or it
    /// goes on to the event handler.
    using claim_fn = std::function<bool(response&)>;

    void reset_session_state();
    response read_response(const literal_router* router = nullptr);
    /// Reads the next response into out, as read_response does; with fetch
    /// set, a FETCH response that comes whole on one line is read into
    /// *fetch instead (parse_fetch_line: no token tree) and true is returned
    /// with out untouched.
    bool read_response_into(response& out, message_data* fetch, const literal_router* router);
    void handle_untagged(const response& r);
    void unsolicited(const response& r);
    void require(bool authenticated_ok, bool selected_ok, const char* what) const;
    void require_selected(const char* what) const { require(false, true, what); }
    void require_authenticated(const char* what) const { require(true, true, what); }
    void require_cap(bool offered, const char* what, const char* cap) const;
    std::string wire_name(std::string_view mailbox, const char* what) const;
    /// Sends every segment of cmd (waiting for "+" before synchronizing
    /// literals); untagged responses meanwhile go to claim / the event handler.
    void send_command(const command& cmd, const claim_fn& claim);
    /// Reads up to the "+" that lets a synchronizing literal go.
    void wait_continuation(const command& cmd, const claim_fn& claim);
    /// Reads until the tagged completion of tag; NO / BAD throw command_error.
    response await(const command& cmd, const claim_fn& claim, const literal_router* router = nullptr);
    /// send_command + await.
    response execute(const command& cmd, const claim_fn& claim = {}, const literal_router* router = nullptr);
    response simple(const char* name, std::string_view mailbox_arg, const char* what);
    command finish(command_builder& b, const char* what);
    const mailbox_status& open_mailbox(const char* name, std::string_view mailbox, const select_options& opts);
    void deselected();
    [[noreturn]] void refuse(const response& r, const std::string& what);
    void deliver_untagged(response& r, const untagged_handler& on_untagged, command_result& out);
    void send_literal(const command_segment& seg);
    [[noreturn]] void fail(errc e, const std::string& what);
    [[noreturn]] void transport_failed(std::error_code ec, std::string_view context);

    response_parser parser_;
    tag_generator tags_;
    std::string first_line_;     // the first line of the last response read
    std::string bye_text_;       // set once the server said BYE
    std::string auth_tag_;       // the AUTHENTICATE in progress
    response completion_;        // the tagged completion of the last authentication
    event_handler on_event_;
    mailbox_status mailbox_;     // the selected mailbox
    std::string selected_name_;
    bool tracking_ = false;      // untagged data is about a mailbox being selected or selected
    bool condstore_ = false;     // ENABLE CONDSTORE / QRESYNC, or SELECT (CONDSTORE)
    bool qresync_ = false;
    bool utf8_ = false;          // UTF8=ACCEPT enabled
};

} // namespace pigeon::imap
