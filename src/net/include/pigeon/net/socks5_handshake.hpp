#pragma once
// The client side of a SOCKS5 handshake (RFC 1928; username/password, RFC
// 1929) as a sans-I/O codec: start() gives the greeting to send; feed() takes
// what the proxy answers, appends the next message to send, and says
// need_more, done (the connection now carries the server's bytes) or failed
// (an error code and detail() in words). It never reads past the proxy's
// final reply: max_read() says how many bytes may be read from the socket
// without taking any of the server's, and feed() consumes no more than the
// replies hold, so whatever follows them is left to the caller.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::net {

struct socks5_request {
    /// The server to reach: a host name, or an IPv4 / IPv6 address (without
    /// brackets). An address always goes as an address.
    std::string host;
    unsigned short port = 0;
    /// true (socks5h): a name goes to the proxy, which resolves it. false:
    /// host must be an address (the caller resolved the name).
    bool remote_dns = true;
    /// Offers username/password authentication when user is not empty (1 to
    /// 255 bytes each; an empty password is sent as such).
    std::string user;
    std::string password;
};

/// SOCKS5 method numbers (RFC 1928 section 3).
inline constexpr std::uint8_t socks5_no_auth = 0x00;
inline constexpr std::uint8_t socks5_user_password = 0x02;
inline constexpr std::uint8_t socks5_no_acceptable = 0xff;

class socks5_handshake {
public:
    enum class status { need_more, done, failed };
    /// Where the handshake is: waiting for the method choice, the
    /// authentication status, the CONNECT reply, or finished.
    enum class stage { greeting, auth, connect, done, failed };

    explicit socks5_handshake(socks5_request req);

    /// Appends the greeting (version, offered methods) to out. Returns
    /// errc::invalid_argument, appending nothing, for a request that cannot
    /// be encoded: an empty host or one longer than 255 bytes, a name with
    /// remote_dns false, port 0, a user or password longer than 255 bytes.
    std::error_code start(std::string& out);

    /// Takes bytes from the proxy. consumed says how many were used (never
    /// more than the replies; the rest belongs to the server). Messages to
    /// send next (authentication, CONNECT) are appended to out. On failed,
    /// ec is one of errc::proxy_refused, proxy_auth_failed,
    /// proxy_unreachable, proxy_bad_reply. Calls after done or failed
    /// consume nothing and repeat the outcome.
    status feed(std::string_view in, std::size_t& consumed, std::string& out, std::error_code& ec);

    /// How many bytes the current reply still needs at least: reading no
    /// more than this from the socket never takes bytes past the replies.
    /// 0 once done or failed.
    std::size_t max_read() const noexcept;

    stage current() const noexcept { return stage_; }
    /// The method the proxy chose (socks5_no_auth, socks5_user_password), or
    /// -1 before it did.
    int method() const noexcept { return method_; }
    /// The REP field of the CONNECT reply, or -1 before it came.
    int reply_code() const noexcept { return reply_; }
    /// BND.ADDR:BND.PORT of a successful reply ("10.0.0.1:43210").
    const std::string& bound() const noexcept { return bound_; }
    /// Why the handshake failed, in words: "SOCKS5 connection not allowed by
    /// ruleset (reply 2)". Proxy-supplied bytes appear only as numbers.
    const std::string& detail() const noexcept { return detail_; }
    /// What the request will send as the destination ("name mail.example",
    /// "IPv4 192.0.2.1"), for traces.
    std::string destination() const;

    /// The words RFC 1928 gives a REP value ("connection refused",
    /// "unassigned" beyond 8).
    static const char* reply_text(int rep) noexcept;

private:
    status fail(std::error_code& ec, std::error_code why, std::string detail);
    status advance(std::string& out, std::error_code& ec);
    void append_connect(std::string& out) const;

    socks5_request req_;
    stage stage_ = stage::greeting;
    int method_ = -1;
    int reply_ = -1;
    std::uint8_t atyp_ = 0;             // the destination's address type
    std::string addr_;                  // the destination's address bytes
    std::string pending_;               // bytes of the current reply so far
    std::size_t need_ = 2;              // bytes the current piece needs
    int connect_part_ = 0;              // 0: VER REP; 1: RSV ATYP first byte; 2: the rest
    std::string bound_;
    std::string detail_;
    std::error_code error_;
    bool started_ = false;
};

} // namespace pigeon::net
