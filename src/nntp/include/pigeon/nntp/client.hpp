#pragma once
// The blocking NNTP client (RFC 3977, 4642, 4643, 2980), on the shared client
// core: connect() reads the greeting (200/201) and CAPABILITIES, upgrades
// with STARTTLS when the endpoint asks for it (required: refused when not
// offered or not answered 382, before anything else is sent) and re-reads
// CAPABILITIES under TLS; authenticate() runs AUTHINFO SASL or AUTHINFO
// USER/PASS and re-reads CAPABILITIES.
//
// Reading (RFC 3977 sections 6-8): GROUP and LISTGROUP select a group (the
// session tracks it and the current article); ARTICLE, HEAD and BODY stream
// the article, un-stuffed with CRLF line ends, into a sink (64-bit sizes, no
// copy of the whole); listings (LISTGROUP, OVER, HDR, LIST ..., NEWGROUPS,
// NEWNEWS) go to a callback as they arrive, or into a vector of at most
// limits.max_listing_entries; retrieve_each() pipelines ARTICLE / HEAD /
// BODY with a window. POST streams an article from a source through the
// dot-stuffer.
//
// A mode-switching server (CAPABILITIES lists MODE-READER, not READER) gets
// MODE READER before the first reading command and before AUTHINFO, and
// CAPABILITIES is read again after it. A server that will not list its
// capabilities gets it too (RFC 2980 servers need it; a refusal is ignored).
//
// Errors: command_error when the server refuses (411 no such group, 423 /
// 430 no such article, 440 / 441 posting refused, ...; the connection stays
// usable), protocol_error when it breaks the protocol or a response exceeds
// a limit (the connection is closed), request_error for a bad argument
// (nothing sent). An exception thrown by a caller's callback or sink while a
// response is being read closes the connection (the rest of the response
// cannot be skipped safely) and propagates.
//
//   nntp::client c;
//   c.connect(*net::parse_endpoint("nntps://news.example.org", ec));
//   auto g = c.group("comp.lang.c++");
//   c.over(nntp::range::between(g.low, g.high), [](const nntp::overview_entry& e) { ... });
//   c.article(g.high, file_sink);
//   c.quit();
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/core/connection.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/channel.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/article_reply.hpp"
#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/nntp/command.hpp"
#include "pigeon/nntp/error.hpp"
#include "pigeon/nntp/group_list.hpp"
#include "pigeon/nntp/group_reply.hpp"
#include "pigeon/nntp/hdr.hpp"
#include "pigeon/nntp/overview.hpp"
#include "pigeon/nntp/range.hpp"
#include "pigeon/nntp/reply.hpp"
#include "pigeon/nntp/session.hpp"

namespace pigeon::nntp {

using core::auth_result;

/// What connect() learned; greeting_code is 200 (posting allowed) or 201.
struct session_info : core::session_info {
    int greeting_code = 0;
};

struct client_limits {
    std::size_t max_line = 16 * 1024;                 ///< longest status line (RFC 3977: 512)
    std::size_t max_capabilities_bytes = 64 * 1024;   ///< largest CAPABILITIES response
    std::size_t max_overview_fmt_bytes = 64 * 1024;   ///< largest LIST OVERVIEW.FMT response
    /// Longest line of a listing (OVER, HDR, LIST, LISTGROUP, NEWNEWS ...).
    std::size_t max_listing_line = 64 * 1024;
    /// Most entries collected into a vector by the vector forms, and held by
    /// the HDR fallback of over() (the callback forms hold nothing).
    std::size_t max_listing_entries = 1'000'000;
    /// Largest article, head or body streamed to a sink; 0: no limit (a
    /// server that stalls is stopped by net.connect.io_timeout, which bounds
    /// every read: bulk transfers fail on lack of progress, not on size).
    std::size_t max_article_bytes = 0;
    /// Largest article, head or body kept by the std::string forms.
    std::size_t max_article_in_memory = 64 * 1024 * 1024;
};

/// opts.net, opts.limits, opts.auth: core::client_options_base.
struct client_options : core::client_options_base<client_limits> {
    /// Most ARTICLE / HEAD / BODY commands in flight in retrieve_each()
    /// (RFC 3977 section 3.5 allows pipelining any reading command); half
    /// of them are sent again each time half have been answered. 1: one at
    /// a time. INN writes each reply in two pieces with Nagle on: without
    /// the socket's quick ACKs a window of 16 stalled ~40 ms every few
    /// articles, 32 now and then, 64 hardly at all; with them (net does so)
    /// 16 to 128 are equally fast and 1 takes 1.5x as long.
    std::size_t pipeline_window = 64;
    /// Send MODE READER when the server needs it (see above). false: never
    /// automatically (mode_reader() still sends it).
    bool mode_reader = true;
    /// COMPRESS DEFLATE (RFC 8054) right after authentication (or at connect
    /// when no authentication follows: call compress()) when offered. Off by
    /// default: on loopback it costs more CPU than it saves.
    bool compress = false;
};

/// Which part of an article retrieve_each() asks for.
enum class article_part {
    article,  ///< ARTICLE: head, empty line, body
    head,     ///< HEAD
    body,     ///< BODY
};

/// How one article of a pipelined batch went.
struct retrieve_status {
    article_ref ref = 0;        ///< as asked for
    bool ok = false;            ///< retrieved
    article_status status;      ///< the 22x line, and the bytes given to the sink, when ok
    core::server_reply refusal; ///< the 423 / 430 / ... when not ok
};

class client : public core::client_base<client, client_options, session_info, session> {
    friend class core::client_base<client, client_options, session_info, session>;

public:
    // connect(), is_connected(), info(), channel(), state(), capabilities(): core::client_base.

    /// AUTHINFO SASL with the strongest usable mechanism, else AUTHINFO
    /// USER/PASS (see core::connection::authenticate).
    auth_result authenticate(const sasl::credentials& creds, const sasl::selection_options& sel = {});
    /// AUTHINFO USER/PASS; refused without TLS unless allow_cleartext.
    void login(std::string_view user, std::string_view password, bool allow_cleartext = false);

    /// Reads CAPABILITIES again (also done after TLS and authentication).
    const nntp::capabilities& refresh_capabilities();

    // ---- reading (RFC 3977 sections 5.3, 6-8) ----------------------------
    /// MODE READER now; returns whether posting is allowed (200). Usually not
    /// needed: see client_options::mode_reader. 502 (no reading service) is
    /// a protocol_error: the server closes the connection.
    bool mode_reader();

    /// GROUP: selects the group; its first article becomes the current one.
    /// 411 (no such group): command_error, the selection unchanged.
    group_info group(std::string_view name);
    /// LISTGROUP: the article numbers of the current group, of `name`, or of
    /// the part of it in r, to each as they arrive; selects the group.
    group_info listgroup(const std::function<void(article_number)>& each);
    group_info listgroup(std::string_view name, const std::function<void(article_number)>& each);
    group_info listgroup(std::string_view name, const range& r, const std::function<void(article_number)>& each);
    /// The same into a vector (at most limits.max_listing_entries).
    std::vector<article_number> listgroup(std::string_view name);
    std::vector<article_number> listgroup(std::string_view name, const range& r);
    /// What GROUP or LISTGROUP selected last (nullopt: nothing selected, or
    /// not connected).
    const std::optional<group_info>& selected_group() const noexcept;
    /// The current article number (0: none, or not connected), as the
    /// session tracks it.
    article_number current_article() const noexcept { return conn_.is_open() ? session_.article() : 0; }

    /// ARTICLE / HEAD / BODY by number (in the selected group) or by
    /// message-id: the content, un-stuffed with CRLF line ends, to sink as it
    /// arrives (an empty sink discards it). Returns the 22x line and
    /// status.bytes. A number request makes that article the current one.
    /// 423 / 430 / 412 / 420: command_error.
    article_status article(const article_ref& ref, const net::sink_fn& sink);
    article_status head(const article_ref& ref, const net::sink_fn& sink);
    article_status body(const article_ref& ref, const net::sink_fn& sink);
    /// The same for the current article.
    article_status article(const net::sink_fn& sink);
    article_status head(const net::sink_fn& sink);
    article_status body(const net::sink_fn& sink);
    /// In memory (at most limits.max_article_in_memory: protocol_error
    /// response_too_large beyond, the connection closed).
    std::string article(const article_ref& ref);
    std::string head(const article_ref& ref);
    std::string body(const article_ref& ref);
    /// STAT: does the article exist (command_error 423 / 430 if not)?
    article_status stat(const article_ref& ref);
    article_status stat();
    /// NEXT / LAST: moves the current article (421 / 422: command_error).
    article_status next();
    article_status last();

    /// Retrieves many articles (or heads, or bodies) with up to
    /// opts.pipeline_window commands in flight, each refill in one write;
    /// replies are read strictly in order. open(ref) gives the sink for an
    /// article before its first byte (an empty sink discards it); done(status)
    /// follows its end. A refused article (423, 430 ...) is reported to done
    /// with its refusal, and the rest continue. Every ref is checked before
    /// anything is sent (request_error for a bad message-id).
    void retrieve_each(const std::vector<article_ref>& refs, const std::function<net::sink_fn(const article_ref&)>& open,
                       const std::function<void(const retrieve_status&)>& done,
                       article_part part = article_part::article);

    /// The fields of an overview line: LIST OVERVIEW.FMT, asked once per
    /// connection (RFC 3977's seven standard fields when the server will not
    /// say).
    const overview_format& overview_fmt();
    /// The overview of the articles in r (nothing is sent for an empty
    /// range), of one article by message-id, or of the current article, to
    /// each as they arrive. OVER when the server lists it; otherwise XOVER
    /// (RFC 2980); and when XOVER is unknown too (500 / 503), HDR (or XHDR)
    /// for each of the seven standard fields, pipelined, joined by article
    /// number — that fallback holds the entries (at most
    /// limits.max_listing_entries) before the first call to each, and has
    /// only the standard fields.
    void over(const range& r, const std::function<void(const overview_entry&)>& each);
    void over(std::string_view message_id, const std::function<void(const overview_entry&)>& each);
    void over(const std::function<void(const overview_entry&)>& each);
    std::vector<overview_entry> over(const range& r);

    /// HDR (or XHDR when the server does not list HDR): one header or
    /// metadata item (":bytes") of the articles in r, of one by message-id,
    /// or of the current article.
    void hdr(std::string_view field, const range& r, const std::function<void(const hdr_entry&)>& each);
    void hdr(std::string_view field, std::string_view message_id, const std::function<void(const hdr_entry&)>& each);
    void hdr(std::string_view field, const std::function<void(const hdr_entry&)>& each);
    std::vector<hdr_entry> hdr(std::string_view field, const range& r);

    /// LIST ACTIVE / NEWSGROUPS / ACTIVE.TIMES / COUNTS [wildmat] (empty:
    /// every group) and LIST HEADERS, each line to a callback or into a vector.
    void list_active(std::string_view wildmat, const std::function<void(const active_entry&)>& each);
    std::vector<active_entry> list_active(std::string_view wildmat = {});
    void list_newsgroups(std::string_view wildmat, const std::function<void(const newsgroups_entry&)>& each);
    std::vector<newsgroups_entry> list_newsgroups(std::string_view wildmat = {});
    void list_active_times(std::string_view wildmat, const std::function<void(const active_times_entry&)>& each);
    std::vector<active_times_entry> list_active_times(std::string_view wildmat = {});
    void list_counts(std::string_view wildmat, const std::function<void(const counts_entry&)>& each);
    std::vector<counts_entry> list_counts(std::string_view wildmat = {});
    void list_headers(list_headers_form form, const std::function<void(const header_field&)>& each);
    std::vector<header_field> list_headers(list_headers_form form = list_headers_form::any);

    /// NEWGROUPS: groups created since then.
    void newgroups(std::chrono::sys_seconds since, const std::function<void(const active_entry&)>& each);
    std::vector<active_entry> newgroups(std::chrono::sys_seconds since);
    /// NEWNEWS: message-ids of articles in groups matching wildmat that
    /// arrived since then. Servers often disable it (502 / 480: command_error).
    void newnews(std::string_view wildmat, std::chrono::sys_seconds since,
                 const std::function<void(std::string_view)>& each);
    std::vector<std::string> newnews(std::string_view wildmat, std::chrono::sys_seconds since);
    /// DATE: the server's clock (UTC).
    std::chrono::sys_seconds date();

    /// POST: the article (headers, empty line, body) from source through the
    /// dot-stuffer, which normalises line ends to CRLF. 440 (posting not
    /// allowed) and 480 arrive before anything of it is read or sent; 441
    /// (refused) after it was sent: both command_error. A NUL byte in the
    /// article: net::errc::nul_in_data, the connection closed before the
    /// end-of-data (the server drops the half article). Returns the 240 reply.
    reply post(const net::source_fn& article);
    reply post(std::string_view article);

    /// DATE is the cheapest command that every server answers: a keep-alive.
    void noop();
    /// COMPRESS DEFLATE (RFC 8054): from the 206 reply on, both directions
    /// are deflated. request_error(not_supported) when the capability list
    /// has no COMPRESS DEFLATE; a second call does nothing.
    void compress();
    bool is_compressed() const noexcept;
    /// QUIT (205) and close.
    void quit();
    /// Closes without QUIT.
    void close() noexcept;


private:
    // core::dialect
    PIGEON_CORE_DIALECT_OVERRIDES("NNTP");
    std::string sasl_response_line(std::string_view b64) const override;
    std::string password_command() const override;
    void password_login(const sasl::credentials& creds) override;
    void prepare(const client_options& opts);

    reply read_reply(std::string_view context);
    void send(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what);
    /// Sends cmd and reads its status line.
    reply run(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what);
    /// Reads the dot block after a status line into sink; returns its size.
    std::uint64_t read_block(const net::sink_fn& sink, std::size_t max, std::string_view context);
    [[noreturn]] void refused(const char* what, const reply& r);

    // reading plumbing (client_read.cpp ...)
    void require_connected(const char* what) const;
    /// MODE READER when the server needs it and it was not tried yet.
    void ensure_reader();
    /// A status line of a reading command; 400 (service ends) closes.
    reply read_status(const char* what);
    /// read_status, then: `ok` returns it, 4xx/5xx throw command_error, any
    /// other positive code is a protocol_error (what follows is unknown).
    reply expect(int ok, const char* what);
    [[noreturn]] void unexpected(const char* what, const reply& r);
    /// The lines of a dot block, each at most limits.max_listing_line.
    void read_lines(const char* what, const std::function<void(std::string_view)>& each);
    /// Sends cmd, expects `ok`, passes each line of the block to `each`.
    void listing(const std::optional<command_line>& cmd, const std::error_code& ec, int ok, const char* what,
                 const std::function<void(std::string_view)>& each);
    /// Fails (response_too_large) when a vector form already holds the limit.
    void check_room(std::size_t held, const char* what);
    [[noreturn]] void bad_line(const char* what, std::string_view line, std::error_code ec);
    article_status fetch(article_part part, const article_ref* ref, const net::sink_fn& sink);
    std::string fetch_in_memory(article_part part, const article_ref& ref);
    article_status status_only(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what,
                               const article_ref* ref);
    group_info select_group(const std::optional<command_line>& cmd, const std::error_code& ec, const char* what,
                            const std::function<void(article_number)>* each);
    void read_overview_fmt_reply();
    void overview(const range* r, const std::string* message_id, const std::function<void(const overview_entry&)>& each);
    void overview_from_headers(const range* r, const std::string* message_id,
                               const std::function<void(const overview_entry&)>& each);
    void header(std::string_view field, const range* r, const std::string* message_id,
                const std::function<void(const hdr_entry&)>& each);

    std::optional<overview_format> overview_fmt_;  // learned once per connection
    bool reader_tried_ = false;                    // MODE READER sent (or found unnecessary for good)
    bool xover_unknown_ = false;                   // XOVER answered 500 / 503 on this connection
};

} // namespace pigeon::nntp
