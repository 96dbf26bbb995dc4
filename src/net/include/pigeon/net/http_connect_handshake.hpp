#pragma once
// The client side of an HTTP proxy's CONNECT tunnel (RFC 9110 section 9.3.6;
// Basic authentication, RFC 7617) as a sans-I/O codec: start() gives the
// request; feed() takes the proxy's answer and says need_more, done (a 2xx
// reply: the connection now carries the server's bytes) or failed. It never
// reads past the reply's header: max_read() says how many bytes may be read
// from the socket without taking any of the server's, and feed() consumes no
// byte past the empty line that ends the header. Interim 1xx replies are
// skipped; the whole answer is bounded (max_reply_bytes).
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pigeon::net {

struct http_connect_request {
    /// The server to reach: a host name or an address (IPv6 without
    /// brackets: the request adds them).
    std::string host;
    unsigned short port = 0;
    /// Basic credentials for Proxy-Authorization when user is not empty.
    std::string user;
    std::string password;
    /// The longest answer accepted (status line and header fields, interim
    /// replies included); longer is errc::proxy_bad_reply.
    std::size_t max_reply_bytes = 16 * 1024;
};

class http_connect_handshake {
public:
    enum class status { need_more, done, failed };

    explicit http_connect_handshake(http_connect_request req);

    /// Appends the CONNECT request to out. errc::invalid_argument, appending
    /// nothing, for a host with characters other than letters, digits, '-',
    /// '.', '_' and ':' (IPv6), port 0, or a user name with a ':'.
    std::error_code start(std::string& out);

    /// Takes bytes of the proxy's answer; consumed says how many were used
    /// (never past the header's end). On failed, ec is errc::proxy_refused,
    /// proxy_auth_failed (407; 401 from tinyproxy), proxy_unreachable (500, 502, 503, 504) or
    /// proxy_bad_reply (not HTTP, NUL, too long). A refusal fails as soon as
    /// its status line is complete. Calls after done or failed consume
    /// nothing and repeat the outcome.
    status feed(std::string_view in, std::size_t& consumed, std::error_code& ec);

    /// Bytes that may be read without passing the end of the header (1 or 2
    /// while it goes on; 0 once done or failed).
    std::size_t max_read() const noexcept;

    /// The final status code (0 before a status line came).
    int status_code() const noexcept { return code_; }
    /// Its reason phrase, printable ASCII only, at most 120 bytes.
    const std::string& reason() const noexcept { return reason_; }
    /// The lines of the answer as received, without line ends, for traces
    /// (server text: escape before printing).
    const std::vector<std::string>& reply_lines() const noexcept { return lines_; }
    /// The request's lines for traces; the Basic credentials are replaced by
    /// net::redacted unless show_secrets.
    std::vector<std::string> request_lines(bool show_secrets) const;
    /// Why it failed, in words: "HTTP CONNECT answered 403 Forbidden".
    const std::string& detail() const noexcept { return detail_; }

private:
    status fail(std::error_code& ec, std::error_code why, std::string detail);
    status take_line(std::string line, std::error_code& ec);

    http_connect_request req_;
    std::vector<std::string> request_;  // lines, without CRLF
    std::size_t auth_line_ = 0;         // index of Proxy-Authorization (0: none)
    bool started_ = false;
    bool done_ = false;
    bool failed_ = false;
    bool want_status_ = true;  // the next line is a status line
    bool interim_ = false;     // the header being read belongs to a 1xx reply
    std::string line_;         // the current line so far
    std::size_t total_ = 0;    // bytes consumed
    int code_ = 0;
    std::string reason_;
    std::vector<std::string> lines_;
    std::string detail_;
    std::error_code error_;
};

} // namespace pigeon::net
