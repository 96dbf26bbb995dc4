#pragma once
// The FTP/FTPS client: a blocking facade over libcurl's easy interface (no
// FTP protocol is written in pigeon). One client keeps one control
// connection between calls (libcurl's connection cache; it connects and logs
// in again by itself if the server dropped it). Bulk data streams through
// the caller's sinks and sources with 64-bit sizes; listings go to a
// callback.
//
//   ftp::client c;
//   c.connect(*ftp::parse_url("ftp://alice@ftp.example.org/", ec), {"alice", pw});
//   c.list("pub", [](const ftp::entry& e) { ... });          // MLSD, else LIST
//   c.get("pub/big.iso", sink, {.offset = have});            // REST: resume
//   c.put("incoming/x.bin", source, {.append = true});       // APPE
//
// Errors follow core/error.hpp: core::auth_error (login refused),
// core::command_error (the server said no: no such file, permission; the
// reply is kept), core::protocol_error (AUTH TLS refused or missing on an
// ftp:// URL that requires it, malformed replies), net::tls_error
// (certificate, handshake), net::transport_error (resolve, connect, timeout,
// closed; net::errc::cancelled when a progress callback said stop),
// core::request_error (refused before anything was sent: CR/LF in a path,
// not connected). An exception thrown by a sink, source or progress callback
// reaches the caller unchanged.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/ftp/endpoint.hpp"
#include "pigeon/ftp/entry.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::ftp {

struct credentials {
    std::string user;      ///< empty: "anonymous"
    std::string password;
};

struct client_limits {
    std::size_t max_listing_line = 8192;   ///< longer listing lines are skipped
    std::size_t max_entries = 1000000;     ///< the vector forms of list()/names() stop there (request_error)
};

struct client_options {
    net::tls_options tls;      ///< verified by default; pins replace chain and name checks
    net::trace_options trace;  ///< commands, replies and libcurl's notes; PASS masked
    std::chrono::milliseconds connect_timeout{30000};
    std::chrono::milliseconds reply_timeout{60000};  ///< wait for one server reply
    /// A transfer fails after this long without a byte of progress (not on
    /// its total time: a 2 GB file on a slow link completes).
    std::chrono::milliseconds idle_timeout{60000};
    bool active = false;               ///< PORT/EPRT instead of EPSV/PASV
    std::string active_address = "-";  ///< for active mode: "-" = the control connection's address
    bool epsv = true;                  ///< try EPSV before PASV
    /// Allow TLS 1.3 on FTPS. Off by default: QUIRK(vsftpd, libcurl 7.88):
    /// a TLS 1.3 session ticket resumes once, and libcurl does not read the
    /// ticket an upload's data connection receives, so vsftpd (whose
    /// require_ssl_reuse is on by default) refuses the next data connection
    /// (522), and closing with the ticket unread resets the data connection
    /// (426: the upload is lost). TLS 1.2 sessions resume any number of
    /// times. tls.min_version = tls1_3 turns it on too.
    bool tls13 = false;
    std::size_t buffer_size = 128 * 1024;  ///< libcurl's receive and upload buffers
    client_limits limits;
};

struct transfer_progress {
    std::uint64_t done = 0;                ///< bytes moved, counting a resume offset
    std::optional<std::uint64_t> total;    ///< when known (SIZE, or the caller's size)
};
/// Called while data moves (and about once a second while it does not);
/// returning false stops the transfer: net::transport_error(net::errc::cancelled).
using progress_fn = std::function<bool(const transfer_progress&)>;

struct get_options {
    std::uint64_t offset = 0;  ///< REST: start there (resume); the sink gets the bytes from offset on
    progress_fn progress;
};

struct put_options {
    bool append = false;                 ///< APPE: add to the end of the file (resume a put)
    std::optional<std::uint64_t> size;   ///< the bytes the source will give, for progress
    std::uint64_t offset = 0;            ///< bytes already on the server (append), counted in progress
    bool create_dirs = false;            ///< MKD missing directories of the path first
    progress_fn progress;
};

struct file_info {
    std::optional<std::uint64_t> size;    ///< SIZE
    std::optional<std::int64_t> modified; ///< MDTM, seconds since 1970 UTC
};

class client {
public:
    client();
    ~client();
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Connects and logs in (AUTH TLS first on ftp:// unless ep.tls is
    /// none; nothing secret is sent if it fails), reads FEAT. ep.path is
    /// ignored: every path below is relative to the login directory unless
    /// it starts with '/'.
    void connect(const endpoint& ep, const credentials& who, const client_options& opts = {});
    bool is_connected() const noexcept;
    /// QUIT and close (also done by the destructor).
    void close() noexcept;

    /// The FEAT lines (upper-cased keywords with their arguments, "MLST
    /// type*;size*;modify*;"), empty if the server has no FEAT.
    const std::vector<std::string>& features() const noexcept;
    bool has_feature(std::string_view keyword) const noexcept;
    /// Whether the control connection runs under TLS.
    bool tls_active() const noexcept;

    /// The entries of a directory: MLSD where FEAT offers MLST (or where
    /// MLSD works), else LIST parsed best effort. "." and ".." are not
    /// reported.
    void list(std::string_view dir, const std::function<void(const entry&)>& each);
    std::vector<entry> list(std::string_view dir);
    /// NLST: the names alone.
    void list_names(std::string_view dir, const std::function<void(std::string_view)>& each);
    std::vector<std::string> names(std::string_view dir);
    /// Whether the last list() used MLSD.
    bool used_mlsd() const noexcept;

    /// RETR path into sink; returns the bytes given to the sink.
    std::uint64_t get(std::string_view path, const net::sink_fn& sink, const get_options& opts = {});
    /// STOR (or APPE) path from source until it returns 0; returns the bytes sent.
    std::uint64_t put(std::string_view path, const net::source_fn& source, const put_options& opts = {});

    void mkdir(std::string_view path);
    void rmdir(std::string_view path);
    /// DELE.
    void remove(std::string_view path);
    /// RNFR from, RNTO to (both relative to the login directory or absolute).
    void rename(std::string_view from, std::string_view to);
    /// SIZE and MDTM; command_error when the file does not exist.
    file_info stat(std::string_view path);
    std::uint64_t size(std::string_view path);

    /// The server's last reply, as received (escape before printing).
    const std::vector<std::string>& last_reply() const noexcept;

    struct impl;

private:
    std::unique_ptr<impl> p_;
};

} // namespace pigeon::ftp
