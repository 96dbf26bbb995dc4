#include "pigeon/net/socks5_handshake.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "pigeon/net/error.hpp"

namespace pigeon::net {
namespace {

constexpr std::uint8_t version = 0x05;
constexpr std::uint8_t auth_version = 0x01;  // RFC 1929's sub-negotiation
constexpr std::uint8_t cmd_connect = 0x01;
constexpr std::uint8_t atyp_ipv4 = 0x01;
constexpr std::uint8_t atyp_name = 0x03;
constexpr std::uint8_t atyp_ipv6 = 0x04;

std::string hex_byte(std::uint8_t b) {
    static const char* hex = "0123456789abcdef";
    std::string s = "0x";
    s += hex[b >> 4];
    s += hex[b & 15];
    return s;
}

std::uint8_t byte_at(const std::string& s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

void put_byte(std::string& out, unsigned v) { out.push_back(static_cast<char>(static_cast<std::uint8_t>(v))); }

// The error a REP value means.
errc reply_errc(int rep) noexcept {
    switch (rep) {
    case 1: case 2: case 7: case 8: return errc::proxy_refused;
    case 3: case 4: case 5: case 6: return errc::proxy_unreachable;
    default: return errc::proxy_bad_reply;  // unassigned
    }
}

} // namespace

const char* socks5_handshake::reply_text(int rep) noexcept {
    switch (rep) {
    case 0: return "succeeded";
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by ruleset";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
    default: return "unassigned reply code";
    }
}

socks5_handshake::socks5_handshake(socks5_request req) : req_(std::move(req)) {}

std::error_code socks5_handshake::start(std::string& out) {
    if (started_) return errc::invalid_argument;
    if (req_.port == 0 || req_.host.empty()) return errc::invalid_argument;
    if (req_.user.size() > 255 || req_.password.size() > 255) return errc::invalid_argument;
    unsigned char a[16];
    if (::inet_pton(AF_INET, req_.host.c_str(), a) == 1) {
        atyp_ = atyp_ipv4;
        addr_.assign(reinterpret_cast<const char*>(a), 4);
    } else if (::inet_pton(AF_INET6, req_.host.c_str(), a) == 1) {
        atyp_ = atyp_ipv6;
        addr_.assign(reinterpret_cast<const char*>(a), 16);
    } else {
        if (!req_.remote_dns || req_.host.size() > 255) return errc::invalid_argument;
        for (char c : req_.host) {
            auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u == 0x7f) return errc::invalid_argument;
        }
        atyp_ = atyp_name;
        addr_ = req_.host;
    }
    put_byte(out, version);
    if (req_.user.empty()) {
        put_byte(out, 1);
        put_byte(out, socks5_no_auth);
    } else {
        put_byte(out, 2);
        put_byte(out, socks5_no_auth);
        put_byte(out, socks5_user_password);
    }
    started_ = true;
    stage_ = stage::greeting;
    need_ = 2;
    return {};
}

std::string socks5_handshake::destination() const {
    if (atyp_ == atyp_name) return "name " + addr_;
    if (atyp_ == atyp_ipv4 || atyp_ == atyp_ipv6) {
        char text[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(atyp_ == atyp_ipv4 ? AF_INET : AF_INET6, addr_.data(), text, sizeof text);
        return std::string(atyp_ == atyp_ipv4 ? "IPv4 " : "IPv6 ") + text;
    }
    return req_.host;
}

void socks5_handshake::append_connect(std::string& out) const {
    put_byte(out, version);
    put_byte(out, cmd_connect);
    put_byte(out, 0);  // RSV
    put_byte(out, atyp_);
    if (atyp_ == atyp_name) put_byte(out, static_cast<unsigned>(addr_.size()));
    out += addr_;
    put_byte(out, req_.port >> 8);
    put_byte(out, req_.port & 0xffu);
}

socks5_handshake::status socks5_handshake::fail(std::error_code& ec, std::error_code why, std::string detail) {
    stage_ = stage::failed;
    error_ = why;
    ec = why;
    detail_ = std::move(detail);
    need_ = 0;
    pending_.clear();
    return status::failed;
}

std::size_t socks5_handshake::max_read() const noexcept {
    if (stage_ == stage::done || stage_ == stage::failed || !started_) return 0;
    return need_ - pending_.size();
}

socks5_handshake::status socks5_handshake::feed(std::string_view in, std::size_t& consumed, std::string& out,
                                                std::error_code& ec) {
    consumed = 0;
    ec.clear();
    if (stage_ == stage::done) return status::done;
    if (stage_ == stage::failed) {
        ec = error_;
        return status::failed;
    }
    if (!started_) return fail(ec, errc::invalid_argument, "SOCKS5 handshake fed before it was started");
    while (consumed < in.size()) {
        std::size_t take = std::min(need_ - pending_.size(), in.size() - consumed);
        pending_.append(in.substr(consumed, take));
        consumed += take;
        if (pending_.size() < need_) break;
        status s = advance(out, ec);
        if (s != status::need_more) return s;
    }
    return status::need_more;
}

// One complete piece of a reply is in pending_.
socks5_handshake::status socks5_handshake::advance(std::string& out, std::error_code& ec) {
    const std::string piece = std::move(pending_);
    pending_.clear();
    switch (stage_) {
    case stage::greeting: {
        if (byte_at(piece, 0) != version) {
            if (piece[0] == 'H')
                return fail(ec, errc::proxy_bad_reply, "answers like an HTTP server, not a SOCKS5 proxy");
            return fail(ec, errc::proxy_bad_reply,
                        "not a SOCKS5 proxy: its answer starts with " + hex_byte(byte_at(piece, 0)) + ", not 0x05");
        }
        const std::uint8_t m = byte_at(piece, 1);
        if (m == socks5_no_auth) {
            method_ = m;
            append_connect(out);
            stage_ = stage::connect;
            connect_part_ = 0;
            need_ = 2;
            return status::need_more;
        }
        if (m == socks5_user_password && !req_.user.empty()) {
            method_ = m;
            put_byte(out, auth_version);
            put_byte(out, static_cast<unsigned>(req_.user.size()));
            out += req_.user;
            put_byte(out, static_cast<unsigned>(req_.password.size()));
            out += req_.password;
            stage_ = stage::auth;
            need_ = 2;
            return status::need_more;
        }
        if (m == socks5_no_acceptable) {
            if (req_.user.empty())
                return fail(ec, errc::proxy_auth_failed,
                            "SOCKS5 proxy wants authentication (give user:password in the proxy URL)");
            return fail(ec, errc::proxy_auth_failed,
                        "SOCKS5 proxy accepts none of the methods offered (none, username/password)");
        }
        return fail(ec, errc::proxy_bad_reply, "SOCKS5 proxy chose method " + hex_byte(m) + ", which was not offered");
    }
    case stage::auth: {
        if (byte_at(piece, 0) != auth_version)
            return fail(ec, errc::proxy_bad_reply,
                        "SOCKS5 username/password reply has version " + hex_byte(byte_at(piece, 0)) + ", not 0x01");
        if (byte_at(piece, 1) != 0)
            return fail(ec, errc::proxy_auth_failed,
                        "SOCKS5 proxy refused the user name or password (status " +
                            std::to_string(byte_at(piece, 1)) + ")");
        append_connect(out);
        stage_ = stage::connect;
        connect_part_ = 0;
        need_ = 2;
        return status::need_more;
    }
    case stage::connect:
        break;
    case stage::done: return status::done;
    case stage::failed: ec = error_; return status::failed;
    }

    // The CONNECT reply: VER REP, then RSV ATYP and the address's first
    // byte (a name's length), then the rest of the address and the port.
    if (connect_part_ == 0) {
        if (byte_at(piece, 0) != version)
            return fail(ec, errc::proxy_bad_reply,
                        "SOCKS5 CONNECT reply has version " + hex_byte(byte_at(piece, 0)) + ", not 0x05");
        reply_ = byte_at(piece, 1);
        if (reply_ != 0)
            return fail(ec, reply_errc(reply_),
                        std::string("SOCKS5 ") + reply_text(reply_) + " (reply " + std::to_string(reply_) + ")");
        connect_part_ = 1;
        need_ = 3;
        return status::need_more;
    }
    if (connect_part_ == 1) {
        const std::uint8_t atyp = byte_at(piece, 1);
        const std::uint8_t first = byte_at(piece, 2);
        // RSV (piece[0]) should be zero; it carries nothing, so it is not checked.
        if (atyp == atyp_ipv4) need_ = 3 + 2;
        else if (atyp == atyp_ipv6) need_ = 15 + 2;
        else if (atyp == atyp_name) need_ = std::size_t{first} + 2;
        else
            return fail(ec, errc::proxy_bad_reply, "SOCKS5 CONNECT reply has address type " + hex_byte(atyp));
        bound_.assign(piece, 1, 2);  // ATYP and the first byte, until the rest is here
        connect_part_ = 2;
        return status::need_more;
    }
    // The rest: the address (less its first byte) and the port.
    const std::uint8_t atyp = byte_at(bound_, 0);
    std::string addr = atyp == atyp_name ? std::string() : bound_.substr(1, 1);
    addr += piece.substr(0, piece.size() - 2);
    const unsigned port = (unsigned{byte_at(piece, piece.size() - 2)} << 8) | byte_at(piece, piece.size() - 1);
    std::string text;
    if (atyp == atyp_name) {
        for (char c : addr) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_';
            text += ok ? c : '?';
        }
    } else {
        char buf[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(atyp == atyp_ipv4 ? AF_INET : AF_INET6, addr.data(), buf, sizeof buf);
        text = atyp == atyp_ipv6 ? "[" + std::string(buf) + "]" : std::string(buf);
    }
    bound_ = text + ":" + std::to_string(port);
    stage_ = stage::done;
    need_ = 0;
    return status::done;
}

} // namespace pigeon::net
