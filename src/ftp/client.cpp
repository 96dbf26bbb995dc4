#include "pigeon/ftp/client.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <utility>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "detail/curl_error.hpp"
#include "detail/tls_check.hpp"
#include "pigeon/core/error.hpp"
#include "pigeon/ftp/listing.hpp"
#include "pigeon/net/ascii.hpp"
#include "pigeon/net/error.hpp"

namespace pigeon::ftp {
namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct slist {
    curl_slist* p = nullptr;
    slist() = default;
    slist(const slist&) = delete;
    slist& operator=(const slist&) = delete;
    ~slist() { curl_slist_free_all(p); }
    void add(const std::string& s) {
        if (curl_slist* n = curl_slist_append(p, s.c_str())) p = n;
        else throw std::bad_alloc();
    }
};

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string escape_segment(CURL* h, std::string_view seg) {
    char* e = curl_easy_escape(h, seg.data(), static_cast<int>(seg.size()));
    if (!e) throw std::bad_alloc();
    std::string out(e);
    curl_free(e);
    return out;
}

int reply_code(const std::string& line) {
    if (line.size() < 3 || !net::ascii::is_digit(line[0]) || !net::ascii::is_digit(line[1]) ||
        !net::ascii::is_digit(line[2]))
        return 0;
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

} // namespace

struct client::impl {
    CURL* h = nullptr;
    /// The multi handle every transfer runs on (see run()); it holds the
    /// cached control connection between operations.
    CURLM* m = nullptr;
    std::vector<curl_socket_t> sockets;  ///< libcurl's open sockets (the control connection's among them)
    endpoint ep;
    credentials who;
    client_options opts;
    bool connected = false;
    std::vector<std::string> features;
    bool last_mlsd = false;
    bool mlsd_refused = false;
    detail::tls_check tls;
    char errbuf[CURL_ERROR_SIZE] = {};

    // replies
    std::vector<std::string> reply;      ///< lines of the reply being read
    std::vector<std::string> last_reply; ///< the last complete reply
    int multi_code = 0;                  ///< code of an open "123-" multi-line reply
    bool capture_feat = false;
    std::string entry_path;              ///< the login directory (PWD after login), "" if unknown
    bool fresh_next = false;             ///< the next data transfer opens a new control connection

    // the running transfer
    std::exception_ptr callback_error;
    bool cancelled = false;
    const net::sink_fn* sink = nullptr;
    const net::source_fn* source = nullptr;
    listing_parser* parser = nullptr;
    const progress_fn* progress = nullptr;
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> total;
    std::uint64_t moved = 0;
    bool uploading = false;
    std::optional<std::uint64_t> size_reply;  ///< "213 N" seen during a get (the whole file's size)

    ~impl() { cleanup(); }

    curl_slist* connect_to = nullptr;  ///< CURLOPT_CONNECT_TO for tls.server_name

    void cleanup() noexcept {
        if (m) curl_multi_cleanup(m);  // QUIT on the cached control connection
        m = nullptr;
        if (h) curl_easy_cleanup(h);
        h = nullptr;
        sockets.clear();
        curl_slist_free_all(connect_to);
        connect_to = nullptr;
        connected = false;
    }

    // ---- callbacks ------------------------------------------------------

    static int on_sockopt(void* self, curl_socket_t fd, curlsocktype) {
        static_cast<impl*>(self)->sockets.push_back(fd);
        return CURL_SOCKOPT_OK;
    }

    static int on_close_socket(void* self, curl_socket_t fd) {
        auto& v = static_cast<impl*>(self)->sockets;
        v.erase(std::remove(v.begin(), v.end(), fd), v.end());
        return ::close(fd);
    }

    static size_t on_header(char* data, size_t size, size_t n, void* self) {
        auto* p = static_cast<impl*>(self);
        std::string line(data, size * n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        p->on_reply_line(std::move(line));
        return size * n;
    }

    void on_reply_line(std::string line) {
        int code = reply_code(line);
        bool done;
        if (multi_code) {
            done = code == multi_code && line.size() > 3 && line[3] == ' ';
            if (line.size() == 3 && code == multi_code) done = true;
        } else if (code && line.size() > 3 && line[3] == '-') {
            multi_code = code;
            done = false;
        } else {
            done = true;
        }
        if (reply.size() < 1000) reply.push_back(std::move(line));
        if (!done) return;
        multi_code = 0;
        last_reply = std::move(reply);
        reply.clear();
        if (last_reply.size() == 1 && reply_code(last_reply.front()) == 213 && last_reply.front().size() > 4) {
            std::uint64_t v = 0;
            bool ok = true;
            for (char c : std::string_view(last_reply.front()).substr(4)) {
                if (!net::ascii::is_digit(c) || v > (UINT64_MAX - 9) / 10) {
                    ok = false;
                    break;
                }
                v = v * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (ok) size_reply = v;
        }
        if (reply_code(last_reply.front()) == 257 && entry_path.empty()) {
            // 257 "/home/x" is the current directory ("" inside quotes is one ")
            std::string_view l = last_reply.front();
            auto q = l.find('"');
            std::string dir;
            bool closed = false;
            for (std::size_t i = q == std::string_view::npos ? l.size() : q + 1; i < l.size(); ++i) {
                if (l[i] == '"') {
                    if (i + 1 < l.size() && l[i + 1] == '"') {
                        dir += '"';
                        ++i;
                        continue;
                    }
                    closed = true;
                    break;
                }
                dir += l[i];
            }
            if (closed && !dir.empty() && dir.front() == '/') entry_path = dir;
        }
        if (capture_feat && reply_code(last_reply.front()) == 211 && last_reply.size() > 2) {
            features.clear();
            for (std::size_t i = 1; i + 1 < last_reply.size(); ++i) {
                std::string_view f = net::ascii::trim(last_reply[i]);
                if (f.empty()) continue;
                auto sp = f.find(' ');
                features.push_back(net::ascii::upper(f.substr(0, sp)) +
                                   std::string(sp == std::string_view::npos ? std::string_view{} : f.substr(sp)));
            }
        }
    }

    static size_t on_write(char* data, size_t size, size_t n, void* self) {
        auto* p = static_cast<impl*>(self);
        const size_t len = size * n;
        try {
            if (p->parser) p->parser->feed({data, len});
            else if (p->sink) (*p->sink)({data, len});
            p->moved += len;
        } catch (...) {
            p->callback_error = std::current_exception();
            return len == 0 ? 1 : 0;  // anything but len: CURLE_WRITE_ERROR
        }
        return len;
    }

    static size_t on_read(char* buf, size_t size, size_t n, void* self) {
        auto* p = static_cast<impl*>(self);
        try {
            std::size_t got = (*p->source)(buf, size * n);
            if (got > size * n) throw core::request_error(core::errc::invalid_argument, "source returned more than asked");
            p->moved += got;
            return got;
        } catch (...) {
            p->callback_error = std::current_exception();
            return CURL_READFUNC_ABORT;
        }
    }

    static int on_progress(void* self, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
        auto* p = static_cast<impl*>(self);
        if (!p->progress || !*p->progress) return 0;
        transfer_progress tp;
        if (p->uploading) {
            tp.done = p->offset + static_cast<std::uint64_t>(ulnow);
            if (p->total) tp.total = p->offset + *p->total;
            else if (ultotal > 0) tp.total = p->offset + static_cast<std::uint64_t>(ultotal);
        } else {
            tp.done = p->offset + static_cast<std::uint64_t>(dlnow);
            // SIZE gives the whole file; libcurl's total may or may not
            // count a resume offset (it takes the 150 reply's figure).
            if (p->size_reply) tp.total = *p->size_reply;
            else if (dltotal > 0) tp.total = p->offset + static_cast<std::uint64_t>(dltotal);
        }
        try {
            if (!(*p->progress)(tp)) {
                p->cancelled = true;
                return 1;
            }
        } catch (...) {
            p->callback_error = std::current_exception();
            return 1;
        }
        return 0;
    }

    static int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
        auto* p = static_cast<impl*>(self);
        const auto& tr = p->opts.trace;
        if (!tr.hook) return 0;
        std::string_view bytes(data, size);
        try {
            switch (type) {
            case CURLINFO_TEXT:
                while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
                if (!bytes.empty()) tr.hook(net::trace_direction::info, bytes);
                break;
            case CURLINFO_HEADER_IN:
                while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
                tr.hook(net::trace_direction::received, bytes);
                break;
            case CURLINFO_HEADER_OUT: {
                while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
                if (!tr.show_secrets &&
                    (net::ascii::istarts_with(bytes, "PASS ") || net::ascii::istarts_with(bytes, "ACCT "))) {
                    std::string masked(bytes.substr(0, 5));
                    masked += net::redacted;
                    tr.hook(net::trace_direction::sent, masked);
                } else {
                    tr.hook(net::trace_direction::sent, bytes);
                }
                break;
            }
            case CURLINFO_DATA_IN:
                if (tr.show_data) tr.hook(net::trace_direction::received, bytes);
                break;
            case CURLINFO_DATA_OUT:
                if (tr.show_data) tr.hook(net::trace_direction::sent, bytes);
                break;
            default: break;
            }
        } catch (...) {
            // a trace hook must not break the transfer
        }
        return 0;
    }

    // ---- set-up -------------------------------------------------------------

    void check_path(std::string_view path, const char* what) const {
        if (!connected || !h) throw core::request_error(core::errc::invalid_state, std::string(what) + ": not connected");
        if (has_control(path))
            throw core::request_error(core::errc::invalid_argument,
                                      std::string(what) + ": CR, LF or NUL in a path: " + core::excerpt(path));
    }

    std::string base_url() const {
        const std::string& host = opts.tls.server_name.empty() ? ep.host : opts.tls.server_name;
        std::string s = ep.tls == net::tls_mode::implicit ? "ftps://" : "ftp://";
        s += host.find(':') != std::string::npos ? "[" + host + "]" : host;
        s += ":" + std::to_string(ep.port) + "/";
        return s;
    }

    /// The URL of a path: each segment escaped; a leading '/' (absolute)
    /// becomes %2F as RFC 1738 asks. dir: ends with '/'.
    std::string url_of(std::string_view path, bool dir) const {
        std::string s = base_url();
        if (!path.empty() && path.front() == '/') {
            s += "%2F";
            path.remove_prefix(1);
        }
        std::size_t start = 0;
        bool first = true;
        while (start <= path.size()) {
            auto slash = path.find('/', start);
            std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
            if (!seg.empty()) {
                if (!first) s += '/';
                s += escape_segment(h, seg);
                first = false;
            }
            if (slash == std::string_view::npos) break;
            start = slash + 1;
        }
        if (dir && s.back() != '/') s += '/';
        return s;
    }

    void setopt_base() {
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "ftp,ftps");
        curl_easy_setopt(h, CURLOPT_USERNAME, who.user.empty() ? "anonymous" : who.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD,
                         who.user.empty() && who.password.empty() ? "anonymous@" : who.password.c_str());
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &impl::on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &impl::on_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, &impl::on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, this);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &impl::on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                         std::max(1L, static_cast<long>((opts.reply_timeout.count() + 999) / 1000)));
        curl_easy_setopt(h, CURLOPT_ACCEPTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                         std::max(1L, static_cast<long>((opts.idle_timeout.count() + 999) / 1000)));
        curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, &impl::on_sockopt);
        curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, this);
        curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, &impl::on_close_socket);
        curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, this);
        curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L);  // one control connection: a fresh one replaces the old
        auto buf = static_cast<long>(std::clamp<std::size_t>(opts.buffer_size, 16 * 1024, 2 * 1024 * 1024));
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, buf);
        curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, buf);
        if (opts.active) curl_easy_setopt(h, CURLOPT_FTPPORT, opts.active_address.c_str());
        curl_easy_setopt(h, CURLOPT_FTP_USE_EPSV, opts.epsv ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_FTP_USE_EPRT, 1L);
        // The server's PASV address is ignored: the data connection goes to
        // the control connection's host (a server behind NAT, or one that
        // would redirect data elsewhere).
        curl_easy_setopt(h, CURLOPT_FTP_SKIP_PASV_IP, 1L);
        // TLS
        curl_easy_setopt(h, CURLOPT_USE_SSL,
                         ep.tls == net::tls_mode::none ? static_cast<long>(CURLUSESSL_NONE)
                                                       : static_cast<long>(CURLUSESSL_ALL));
        curl_easy_setopt(h, CURLOPT_FTPSSLAUTH, static_cast<long>(CURLFTPAUTH_TLS));
        long version = opts.tls.min_version == net::tls_version::tls1_3 ? static_cast<long>(CURL_SSLVERSION_TLSv1_3)
                                                                        : static_cast<long>(CURL_SSLVERSION_TLSv1_2);
        if (!opts.tls13 && opts.tls.min_version != net::tls_version::tls1_3)
            version |= static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2);  // see client_options::tls13
        curl_easy_setopt(h, CURLOPT_SSLVERSION, version);
        const bool chain = opts.tls.verify && opts.tls.pins.empty();
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, chain ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, chain ? 2L : 0L);
        tls.extra_ca_file.clear();
        if (!opts.tls.ca_file_only) {
            // The system store through its hashed directory where libcurl
            // knows one: certificates are read when a chain needs them,
            // instead of parsing the whole bundle (~3 MB of memory) for
            // every client.
            const curl_version_info_data* vi = curl_version_info(CURLVERSION_NOW);
            if (vi && vi->capath && *vi->capath) {
                curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
                curl_easy_setopt(h, CURLOPT_CAPATH, vi->capath);
            }
        }
        if (!opts.tls.ca_file.empty()) {
            if (opts.tls.ca_file_only) {
                curl_easy_setopt(h, CURLOPT_CAINFO, opts.tls.ca_file.c_str());
                curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
            } else {
                tls.extra_ca_file = opts.tls.ca_file;
            }
        }
        if (!opts.tls.client_cert_file.empty()) {
            curl_easy_setopt(h, CURLOPT_SSLCERT, opts.tls.client_cert_file.c_str());
            curl_easy_setopt(h, CURLOPT_SSLKEY, opts.tls.client_key_file.empty() ? opts.tls.client_cert_file.c_str()
                                                                                : opts.tls.client_key_file.c_str());
        }
        curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, &detail::ssl_ctx_setup);
        curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &tls);
        if (opts.trace.hook) {
            curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
            curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &impl::on_debug);
            curl_easy_setopt(h, CURLOPT_DEBUGDATA, this);
        }
    }

    /// Per-operation options back to their defaults.
    void prepare(const std::string& url) {
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(h, CURLOPT_APPEND, 0L);
        curl_easy_setopt(h, CURLOPT_DIRLISTONLY, 0L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
        curl_easy_setopt(h, CURLOPT_QUOTE, nullptr);
        curl_easy_setopt(h, CURLOPT_FILETIME, 0L);
        curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, curl_off_t{0});
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, curl_off_t{-1});
        curl_easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS, static_cast<long>(CURLFTP_CREATE_DIR_NONE));
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
        errbuf[0] = '\0';
        callback_error = nullptr;
        cancelled = false;
        sink = nullptr;
        source = nullptr;
        parser = nullptr;
        progress = nullptr;
        offset = 0;
        total.reset();
        moved = 0;
        uploading = false;
        size_reply.reset();
        reply.clear();
        multi_code = 0;
        last_reply.clear();
        tls.reset_result();
    }

    void set_progress(const progress_fn& fn) {
        progress = &fn;
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, fn ? 0L : 1L);
    }

    /// Whether the last TLS handshake negotiated TLS 1.3.
    bool tls13() const { return tls.last_version == TLS1_3_VERSION; }

    /// For an operation with a data connection: after an upload under TLS
    /// 1.3, start from a fresh control connection (see perform()).
    void data_transfer() {
        if (fresh_next) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        fresh_next = false;
    }

    /// curl_easy_perform, on our multi handle. QUIRK(libcurl 7.88): while
    /// the data connection's TLS handshake is pending (vsftpd answers it
    /// only once RETR/STOR has come), libcurl waits on the data socket
    /// alone, so the control connection's replies to TYPE, SIZE and RETR
    /// sit unread until a timer fires: 200 ms, then 1 s (curl_easy_perform's
    /// longest wait), for every transfer. Until the first byte moves, the
    /// control socket is waited on too, so each reply is read when it
    /// comes. (Afterwards libcurl waits on what it needs; a control socket
    /// left readable then would only make this loop spin.)
    CURLcode run() {
        if (!m && !(m = curl_multi_init())) return CURLE_OUT_OF_MEMORY;
        if (curl_multi_add_handle(m, h) != CURLM_OK) return CURLE_FAILED_INIT;
        CURLcode rc = CURLE_OK;
        int running = 1;
        int quick = 0;  // waits in a row that returned at once: a socket libcurl will not read yet
        while (running) {
            if (curl_multi_perform(m, &running) != CURLM_OK) {
                rc = CURLE_FAILED_INIT;
                break;
            }
            if (!running) break;
            std::array<curl_waitfd, 4> extra{};
            unsigned n = 0;
            if (moved == 0 && quick < 20)
                for (curl_socket_t fd : sockets) {
                    if (n == extra.size()) break;
                    extra[n].fd = fd;
                    extra[n++].events = CURL_WAIT_POLLIN;
                }
            const auto t0 = std::chrono::steady_clock::now();
            if (curl_multi_wait(m, n ? extra.data() : nullptr, n, quick < 20 ? 1000 : 10, nullptr) != CURLM_OK) {
                rc = CURLE_FAILED_INIT;
                break;
            }
            quick = std::chrono::steady_clock::now() - t0 < std::chrono::microseconds(200) ? quick + 1 : 0;
        }
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(m, &left))
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == h) rc = msg->data.result;
        curl_multi_remove_handle(m, h);
        return rc;
    }

    void perform(const std::string& what) {
        CURLcode rc = run();
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 0L);
        if (rc != CURLE_OK && !callback_error && !cancelled && moved == 0 && ep.tls != net::tls_mode::none &&
            !last_reply.empty() && reply_code(last_reply.front()) == 522) {
            // QUIRK(vsftpd): require_ssl_reuse wants every TLS data
            // connection to resume the control connection's session. Under
            // TLS 1.3 a session ticket is good for one resumption, and
            // after an upload libcurl never read the data connection's new
            // ticket, so the next data connection presents a spent one and
            // gets "522 SSL connection failed: session reuse required".
            // Nothing moved yet: log in on a fresh connection and run the
            // same operation once more. An upload has sent its data before
            // the 522 comes, so it cannot be repeated: after every upload
            // under TLS 1.3 the next data transfer starts on a fresh
            // connection (fresh_next), whose first tickets are unspent.
            if (opts.trace.hook) opts.trace.hook(net::trace_direction::info, "522: reconnecting for a fresh TLS session");
            reply.clear();
            multi_code = 0;
            last_reply.clear();
            size_reply.reset();
            errbuf[0] = '\0';
            tls.reset_result();
            curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
            rc = run();
            curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 0L);
        }
        if (rc != CURLE_OK) fail(rc, what);
        if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
    }

    core::server_reply reply_of() const {
        core::server_reply r;
        r.lines = last_reply;
        if (!r.lines.empty()) r.code = reply_code(r.lines.front());
        if (r.code >= 400 && r.code < 500) r.severity = core::server_reply::kind::transient;
        else if (r.code >= 500) r.severity = core::server_reply::kind::permanent;
        return r;
    }

    [[noreturn]] void fail(CURLcode rc, const std::string& what) {
        if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
        if (cancelled) throw net::transport_error(net::errc::cancelled, what + ": stopped by the progress callback");
        detail::throw_curl_error(static_cast<int>(rc), what, errbuf, reply_of(), tls);
    }

    /// A path for a command sent outside libcurl's directory handling
    /// (MKD, RMD, DELE, RNFR, RNTO): libcurl sends them before it changes
    /// to the URL's directory, so the current directory is whatever the
    /// last transfer left. Relative paths are made absolute from the login
    /// directory.
    std::string command_path(std::string_view path) const {
        if ((!path.empty() && path.front() == '/') || entry_path.empty()) return std::string(path);
        std::string base = entry_path;
        if (base.back() != '/') base += '/';
        return base + std::string(path);
    }

    void quote(std::vector<std::string> commands, const std::string& what) {
        prepare(base_url());
        slist q;
        for (auto& c : commands) q.add(c);
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(h, CURLOPT_QUOTE, q.p);
        try {
            perform(what);
        } catch (...) {
            curl_easy_setopt(h, CURLOPT_QUOTE, nullptr);
            throw;
        }
        curl_easy_setopt(h, CURLOPT_QUOTE, nullptr);
    }

    void run_listing(std::string_view dir, listing_parser::format f, const std::function<void(const entry&)>& each) {
        check_path(dir, "list");
        const bool want_mlsd = f == listing_parser::format::mlsd;
        listing_parser lp(f, each, static_cast<std::int64_t>(std::time(nullptr)), opts.limits.max_listing_line);
        prepare(url_of(dir, true));
        parser = &lp;
        if (want_mlsd) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "MLSD");
        if (f == listing_parser::format::names) curl_easy_setopt(h, CURLOPT_DIRLISTONLY, 1L);
        const char* verb = want_mlsd ? "MLSD " : f == listing_parser::format::names ? "NLST " : "LIST ";
        data_transfer();
        perform(verb + std::string(dir.empty() ? "." : dir));
        lp.finish();
        parser = nullptr;
    }
};

client::client() : p_(std::make_unique<impl>()) {}
client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

void client::connect(const endpoint& ep, const credentials& who, const client_options& opts) {
    global_init();
    auto& p = *p_;
    p.cleanup();
    p.ep = ep;
    p.who = who;
    if (p.who.user.empty()) p.who.user = ep.user;
    p.opts = opts;
    p.features.clear();
    p.entry_path.clear();
    p.fresh_next = false;
    p.mlsd_refused = false;
    std::string bad;
    if (!detail::load_pins(opts.tls, p.tls, bad))
        throw net::tls_error(net::tls_errc::config_error,
                             "malformed certificate pin (want a SHA-256 fingerprint in hex or base64): " + bad);
    if (has_control(p.who.user) || has_control(p.who.password) || has_control(ep.host))
        throw core::request_error(core::errc::invalid_argument, "CR, LF or NUL in the user, password or host");
    if (ep.host.empty()) throw core::request_error(core::errc::invalid_argument, "no host");
    p.h = curl_easy_init();
    if (!p.h) throw std::bad_alloc();
    p.setopt_base();
    if (!opts.tls.server_name.empty() && opts.tls.server_name != ep.host) {
        // Verify (and send SNI for) server_name while connecting to ep.host.
        std::string host = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
        std::string map = opts.tls.server_name + ":" + std::to_string(ep.port) + ":" + host + ":" + std::to_string(ep.port);
        p.connect_to = curl_slist_append(nullptr, map.c_str());
        if (!p.connect_to) throw std::bad_alloc();
        curl_easy_setopt(p.h, CURLOPT_CONNECT_TO, p.connect_to);
    }
    p.connected = true;
    try {
        p.prepare(p.base_url());
        slist q;
        q.add("*FEAT");  // '*': a server without FEAT is no error
        curl_easy_setopt(p.h, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(p.h, CURLOPT_QUOTE, q.p);
        p.capture_feat = true;
        p.perform(to_url(ep) + ": log in");
        p.capture_feat = false;
        curl_easy_setopt(p.h, CURLOPT_QUOTE, nullptr);
    } catch (...) {
        p.capture_feat = false;
        p.cleanup();
        throw;
    }
}

bool client::is_connected() const noexcept { return p_ && p_->connected; }

void client::close() noexcept {
    if (p_) p_->cleanup();
}

const std::vector<std::string>& client::features() const noexcept { return p_->features; }

bool client::has_feature(std::string_view keyword) const noexcept {
    for (const auto& f : p_->features) {
        std::string_view k(f);
        k = k.substr(0, k.find(' '));
        if (net::ascii::iequals(k, keyword)) return true;
    }
    return false;
}

bool client::tls_active() const noexcept { return p_->connected && p_->ep.tls != net::tls_mode::none; }

const std::vector<std::string>& client::last_reply() const noexcept { return p_->last_reply; }

bool client::used_mlsd() const noexcept { return p_->last_mlsd; }

void client::list(std::string_view dir, const std::function<void(const entry&)>& each) {
    auto& p = *p_;
    auto skip_dots = [&each](const entry& e) {
        if (e.name == "." || e.name == "..") return;
        each(e);
    };
    if (has_feature("MLST") && !p.mlsd_refused) {
        try {
            p.last_mlsd = true;
            p.run_listing(dir, listing_parser::format::mlsd, skip_dots);
            return;
        } catch (const core::command_error& e) {
            // QUIRK(servers): FEAT announces MLST but MLSD is unknown (500,
            // 502): use LIST for the rest of the session.
            int code = e.server_reply().code;
            if (code != 500 && code != 502 && code != 504) throw;
            p.mlsd_refused = true;
        }
    }
    p.last_mlsd = false;
    p.run_listing(dir, listing_parser::format::list, skip_dots);
}

std::vector<entry> client::list(std::string_view dir) {
    std::vector<entry> out;
    const std::size_t cap = p_->opts.limits.max_entries;
    list(dir, [&](const entry& e) {
        if (out.size() >= cap)
            throw core::protocol_error(core::errc::response_too_large,
                                       "list: more than " + std::to_string(cap) + " entries (client_limits::max_entries)");
        out.push_back(e);
    });
    return out;
}

void client::list_names(std::string_view dir, const std::function<void(std::string_view)>& each) {
    p_->run_listing(dir, listing_parser::format::names, [&each](const entry& e) {
        // NLST may give "dir/name" for a directory argument: the last segment.
        std::string_view n = e.name;
        if (auto slash = n.rfind('/'); slash != std::string_view::npos && slash + 1 < n.size()) n.remove_prefix(slash + 1);
        each(n);
    });
}

std::vector<std::string> client::names(std::string_view dir) {
    std::vector<std::string> out;
    const std::size_t cap = p_->opts.limits.max_entries;
    list_names(dir, [&](std::string_view n) {
        if (out.size() >= cap)
            throw core::protocol_error(core::errc::response_too_large,
                                       "names: more than " + std::to_string(cap) + " entries (client_limits::max_entries)");
        out.emplace_back(n);
    });
    return out;
}

std::uint64_t client::get(std::string_view path, const net::sink_fn& sink, const get_options& opts) {
    auto& p = *p_;
    p.check_path(path, "get");
    if (path.empty() || path.back() == '/') throw core::request_error(core::errc::invalid_argument, "get: not a file path");
    p.prepare(p.url_of(path, false));
    p.sink = &sink;
    p.offset = opts.offset;
    curl_easy_setopt(p.h, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(opts.offset));
    p.set_progress(opts.progress);
    p.data_transfer();
    p.perform("RETR " + std::string(path));
    return p.moved;
}

std::uint64_t client::put(std::string_view path, const net::source_fn& source, const put_options& opts) {
    auto& p = *p_;
    p.check_path(path, "put");
    if (path.empty() || path.back() == '/') throw core::request_error(core::errc::invalid_argument, "put: not a file path");
    p.prepare(p.url_of(path, false));
    p.source = &source;
    p.uploading = true;
    p.offset = opts.append ? opts.offset : 0;
    p.total = opts.size;
    curl_easy_setopt(p.h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(p.h, CURLOPT_APPEND, opts.append ? 1L : 0L);
    if (opts.size) curl_easy_setopt(p.h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*opts.size));
    if (opts.create_dirs)
        curl_easy_setopt(p.h, CURLOPT_FTP_CREATE_MISSING_DIRS, static_cast<long>(CURLFTP_CREATE_DIR_RETRY));
    p.set_progress(opts.progress);
    p.data_transfer();
    try {
        p.perform((opts.append ? "APPE " : "STOR ") + std::string(path));
    } catch (...) {
        p.fresh_next = p.ep.tls != net::tls_mode::none && p.tls13();
        throw;
    }
    p.fresh_next = p.ep.tls != net::tls_mode::none && p.tls13();
    return p.moved;
}

void client::mkdir(std::string_view path) {
    p_->check_path(path, "mkdir");
    p_->quote({"MKD " + p_->command_path(path)}, "MKD " + std::string(path));
}

void client::rmdir(std::string_view path) {
    p_->check_path(path, "rmdir");
    p_->quote({"RMD " + p_->command_path(path)}, "RMD " + std::string(path));
}

void client::remove(std::string_view path) {
    p_->check_path(path, "remove");
    p_->quote({"DELE " + p_->command_path(path)}, "DELE " + std::string(path));
}

void client::rename(std::string_view from, std::string_view to) {
    p_->check_path(from, "rename");
    p_->check_path(to, "rename");
    p_->quote({"RNFR " + p_->command_path(from), "RNTO " + p_->command_path(to)},
              "rename " + std::string(from) + " to " + std::string(to));
}

file_info client::stat(std::string_view path) {
    auto& p = *p_;
    p.check_path(path, "stat");
    if (path.empty() || path.back() == '/') throw core::request_error(core::errc::invalid_argument, "stat: not a file path");
    p.prepare(p.url_of(path, false));
    curl_easy_setopt(p.h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(p.h, CURLOPT_FILETIME, 1L);
    p.perform("SIZE " + std::string(path));
    file_info fi;
    curl_off_t len = -1, t = -1;
    curl_easy_getinfo(p.h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
    curl_easy_getinfo(p.h, CURLINFO_FILETIME_T, &t);
    if (len >= 0) fi.size = static_cast<std::uint64_t>(len);
    if (t >= 0) fi.modified = static_cast<std::int64_t>(t);
    return fi;
}

std::uint64_t client::size(std::string_view path) {
    auto fi = stat(path);
    if (!fi.size)
        throw core::command_error(core::errc::command_failed, "SIZE " + std::string(path) + ": the server gave no size",
                                  core::server_reply{});
    return *fi.size;
}

} // namespace pigeon::ftp
