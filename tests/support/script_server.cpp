#include "support/script_server.hpp"

// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized deep
// inside libstdc++'s <regex> (std::function in _State); only that warning
// is silenced, only for GCC.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#ifndef PIGEON_SOURCE_DIR
#define PIGEON_SOURCE_DIR "."
#endif

namespace pigeon::test {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---- OpenSSL helpers ------------------------------------------------------------

struct ssl_free_fns {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
    void operator()(SSL* p) const noexcept { SSL_free(p); }
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
using bio_ptr = std::unique_ptr<BIO, ssl_free_fns>;
using x509_ptr = std::unique_ptr<X509, ssl_free_fns>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, ssl_free_fns>;
using ctx_ptr = std::unique_ptr<SSL_CTX, ssl_free_fns>;
using ssl_ptr = std::unique_ptr<SSL, ssl_free_fns>;
using bn_ptr = std::unique_ptr<BIGNUM, ssl_free_fns>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, ssl_free_fns>;

std::string openssl_errors() {
    std::string out;
    char buf[256];
    while (unsigned long e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? std::string("unknown OpenSSL error") : out;
}

[[noreturn]] void throw_openssl(const std::string& what) {
    throw std::runtime_error("script_server: " + what + ": " + openssl_errors());
}

bio_ptr mem_bio(const std::string& pem) {
    bio_ptr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!b) throw_openssl("BIO_new_mem_buf");
    return b;
}

std::string bio_string(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::vector<x509_ptr> read_certs(const std::string& pem) {
    std::vector<x509_ptr> out;
    auto b = mem_bio(pem);
    while (X509* x = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
    ERR_clear_error(); // the end of the PEM data reads as an error
    if (out.empty()) throw std::runtime_error("script_server: no certificate in the PEM data");
    return out;
}

pkey_ptr read_key(const std::string& pem) {
    auto b = mem_bio(pem);
    pkey_ptr k(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
    if (!k) throw_openssl("cannot read the private key");
    return k;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) throw_openssl("certificate extension " + value);
}

// ---- transcript syntax --------------------------------------------------------------

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Expands \r \n \t \\ \xNN; false (with err set) on anything else.
bool unescape(std::string_view in, std::string& out, std::string& err) {
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 1 >= in.size()) {
            err = "backslash at the end of the text";
            return false;
        }
        char e = in[++i];
        switch (e) {
        case 'r': out += '\r'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case 'x': {
            int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
            int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                err = "\\x needs two hex digits";
                return false;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            err = std::string("unknown escape \\") + e;
            return false;
        }
    }
    return true;
}

std::string base64(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
    for (; i + 3 <= in.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (in.size() - i == 1) {
        unsigned v = byte(i) << 16;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += "==";
    } else if (in.size() - i == 2) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += '=';
    }
    return out;
}

/// A C:/C? expectation: literal parts separated by %any wildcards; with
/// `tag`, the line starts with one token (an IMAP tag) that match() hands
/// back, and the parts match what follows it.
struct line_pattern {
    std::vector<std::string> parts{std::string()};
    bool tag = false;

    bool match(std::string_view line, std::string* tag_out = nullptr) const {
        if (tag) {
            const std::size_t sp = line.find(' ');
            if (sp == 0 || sp == std::string_view::npos) return false;
            line_pattern rest = *this;
            rest.tag = false;
            if (!rest.match(line.substr(sp))) return false;
            if (tag_out) *tag_out = std::string(line.substr(0, sp));
            return true;
        }
        if (parts.size() == 1) return line == parts[0];
        const std::string& first = parts.front();
        const std::string& last = parts.back();
        if (line.size() < first.size() + last.size()) return false;
        if (line.substr(0, first.size()) != first) return false;
        if (line.substr(line.size() - last.size()) != last) return false;
        std::size_t pos = first.size();
        const std::size_t end = line.size() - last.size();
        for (std::size_t k = 1; k + 1 < parts.size(); ++k) {
            std::size_t at = line.substr(0, end).find(parts[k], pos);
            if (at == std::string_view::npos) return false;
            pos = at + parts[k].size();
        }
        return true;
    }

    std::string display() const {
        std::string out = tag ? "%tag" : "";
        for (std::size_t k = 0; k < parts.size(); ++k) {
            if (k) out += "%any";
            out += parts[k];
        }
        return out;
    }
};

/// Parses the placeholders of a C:/C? line: %b64{text} (escapes allowed in
/// text), %any, %tag at the start (one token, remembered), and %% for a
/// literal percent sign.
bool parse_pattern(std::string_view text, line_pattern& p, std::string& err) {
    p.parts.assign(1, std::string());
    p.tag = text.substr(0, 5) == "%tag ";
    if (p.tag) text.remove_prefix(4);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            p.parts.back() += text[i];
            continue;
        }
        std::string_view rest = text.substr(i);
        if (rest.substr(0, 2) == "%%") {
            p.parts.back() += '%';
            i += 1;
        } else if (rest.substr(0, 4) == "%any") {
            p.parts.emplace_back();
            i += 3;
        } else if (rest.substr(0, 5) == "%b64{") {
            std::size_t close = rest.find('}');
            if (close == std::string_view::npos) {
                err = "%b64{ without a closing }";
                return false;
            }
            std::string raw;
            if (!unescape(rest.substr(5, close - 5), raw, err)) return false;
            p.parts.back() += base64(raw);
            i += close;
        } else {
            p.parts.back() += '%'; // a lone percent sign is literal
        }
    }
    return true;
}

enum class kind { send, expect, expect_regex, optional, tls, close, expect_close, sleep };

struct directive {
    kind k = kind::send;
    int line = 0;
    std::string text;              // send: the bytes; expect_regex: the source
    line_pattern pattern;          // expect, optional
    std::optional<std::regex> re;  // expect_regex
    std::vector<std::string> allowed; // expect_close
    milliseconds ms{0};            // sleep
};

[[noreturn]] void syntax_error(int line, const std::string& what) {
    throw std::invalid_argument("script line " + std::to_string(line) + ": " + what);
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::vector<directive> parse_script(const std::string& transcript) {
    std::vector<directive> out;
    bool ended = false; // after CLOSE / EXPECT-CLOSE
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= transcript.size()) {
        std::size_t nl = transcript.find('\n', pos);
        std::string_view line = std::string_view(transcript).substr(
            pos, (nl == std::string::npos ? transcript.size() : nl) - pos);
        pos = nl == std::string::npos ? transcript.size() + 1 : nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t indent = line.find_first_not_of(" \t");
        if (indent == std::string_view::npos) continue;
        line.remove_prefix(indent);
        if (line.front() == '#') continue;
        if (ended) syntax_error(line_no, "nothing may follow CLOSE or EXPECT-CLOSE");

        directive d;
        d.line = line_no;
        std::string err;
        std::string_view head = line.substr(0, 2);
        if (head == "S:" || head == "S~" || head == "C:" || head == "C~" || head == "C?") {
            std::string_view text = line.substr(2);
            if (!text.empty()) {
                if (text.front() != ' ') syntax_error(line_no, "a space must follow " + std::string(head));
                text.remove_prefix(1);
            }
            if (head == "S:") {
                d.k = kind::send;
                d.text = std::string(text) + "\r\n";
            } else if (head == "S~") {
                d.k = kind::send;
                if (!unescape(text, d.text, err)) syntax_error(line_no, err);
            } else if (head == "C~") {
                d.k = kind::expect_regex;
                d.text = std::string(text);
                try {
                    d.re.emplace(d.text, std::regex::ECMAScript);
                } catch (const std::regex_error& e) {
                    syntax_error(line_no, std::string("bad regex: ") + e.what());
                }
            } else {
                d.k = head == "C:" ? kind::expect : kind::optional;
                if (!parse_pattern(text, d.pattern, err)) syntax_error(line_no, err);
            }
            // Consecutive S: / S~ lines go out in one write.
            if (d.k == kind::send && !out.empty() && out.back().k == kind::send) {
                out.back().text += d.text;
                continue;
            }
            out.push_back(std::move(d));
            continue;
        }

        auto w = words(line);
        const std::string& kw = w.front();
        if (kw == "TLS" || kw == "CLOSE") {
            if (w.size() != 1) syntax_error(line_no, kw + " takes no arguments");
            d.k = kw == "TLS" ? kind::tls : kind::close;
            ended = d.k == kind::close;
        } else if (kw == "EXPECT-CLOSE") {
            d.k = kind::expect_close;
            d.allowed.assign(w.begin() + 1, w.end());
            ended = true;
        } else if (kw == "SLEEP") {
            const std::string n = w.size() == 2 ? w[1] : std::string();
            if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos)
                syntax_error(line_no, "SLEEP needs milliseconds (0-999999)");
            d.k = kind::sleep;
            d.ms = milliseconds(std::stol(n));
        } else {
            syntax_error(line_no, "unknown directive: " + std::string(line));
        }
        out.push_back(std::move(d));
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = static_cast<unsigned char>(a[i]);
        auto y = static_cast<unsigned char>(b[i]);
        if (std::tolower(x) != std::tolower(y)) return false;
    }
    return true;
}

/// Is line one of the commands EXPECT-CLOSE tolerates ("QUIT", or a tagged
/// "A5 LOGOUT")?
bool tolerated(const std::vector<std::string>& allowed, std::string_view line) {
    auto w = words(line);
    for (const auto& a : allowed) {
        if (w.size() == 1 && iequals(w[0], a)) return true;
        if (w.size() == 2 && iequals(w[1], a)) return true;
    }
    return false;
}

// ---- socket I/O with deadlines --------------------------------------------------------

enum class io { ok, closed, timeout, stopped, failed };

int poll_timeout(clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>(std::min<long long>(left + 1, 60 * 60 * 1000));
}

/// Waits for events on fd (none when fd < 0: a sleep), for the stop pipe
/// or for the deadline, whichever comes first.
io wait_fd(int fd, short events, int stop_fd, clock::time_point deadline) {
    for (;;) {
        pollfd p[2] = {{stop_fd, POLLIN, 0}, {fd, events, 0}};
        const nfds_t count = fd >= 0 ? 2 : 1;
        int n = ::poll(p, count, poll_timeout(deadline));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io::failed;
        }
        if (p[0].revents) return io::stopped;
        if (count == 2 && p[1].revents) return io::ok;
        if (clock::now() >= deadline) return io::timeout;
    }
}

class connection {
public:
    connection(int fd, int stop_fd, milliseconds timeout) : fd_(fd), stop_(stop_fd), timeout_(timeout) {}
    ~connection() {
        ssl_.reset();
        if (fd_ >= 0) ::close(fd_);
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    std::string& buffered() { return in_; }
    clock::time_point deadline() const { return clock::now() + timeout_; }

    /// Appends at least one byte to the buffer.
    io read_more(clock::time_point deadline, std::string& err) {
        char buf[16384];
        for (;;) {
            if (ssl_) {
                ERR_clear_error();
                int n = SSL_read(ssl_.get(), buf, sizeof buf);
                if (n > 0) {
                    in_.append(buf, static_cast<std::size_t>(n));
                    return io::ok;
                }
                int e = SSL_get_error(ssl_.get(), n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    io w = wait_fd(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, stop_, deadline);
                    if (w != io::ok) return w;
                    continue;
                }
                if (e == SSL_ERROR_ZERO_RETURN) return io::closed;
                if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
                    if (errno == 0 || errno == ECONNRESET || errno == EPIPE) return io::closed;
                    err = std::string("TLS read: ") + std::strerror(errno);
                    return io::failed;
                }
                err = "TLS read: " + openssl_errors();
                return io::failed;
            }
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) {
                in_.append(buf, static_cast<std::size_t>(n));
                return io::ok;
            }
            if (n == 0) return io::closed;
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                io w = wait_fd(fd_, POLLIN, stop_, deadline);
                if (w != io::ok) return w;
                continue;
            }
            if (errno == ECONNRESET) return io::closed;
            err = std::string("read: ") + std::strerror(errno);
            return io::failed;
        }
    }

    /// Reads one line; line gets it without the terminator, bare_lf tells
    /// whether it ended in LF without CR.
    io read_line(std::string& line, bool& bare_lf, clock::time_point deadline, std::string& err) {
        static constexpr std::size_t max_line = 1 << 20;
        for (;;) {
            std::size_t nl = in_.find('\n');
            if (nl != std::string::npos) {
                bare_lf = nl == 0 || in_[nl - 1] != '\r';
                line.assign(in_, 0, bare_lf ? nl : nl - 1);
                in_.erase(0, nl + 1);
                return io::ok;
            }
            if (in_.size() > max_line) {
                err = "client line longer than " + std::to_string(max_line) + " bytes";
                return io::failed;
            }
            io r = read_more(deadline, err);
            if (r != io::ok) return r;
        }
    }

    io write_all(std::string_view data, std::string& err) {
        const auto deadline = this->deadline();
        while (!data.empty()) {
            if (ssl_) {
                ERR_clear_error();
                int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
                if (n > 0) {
                    data.remove_prefix(static_cast<std::size_t>(n));
                    continue;
                }
                int e = SSL_get_error(ssl_.get(), n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    io w = wait_fd(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, stop_, deadline);
                    if (w != io::ok) return w;
                    continue;
                }
                if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
                    err = std::string("TLS write: ") + std::strerror(errno);
                    return errno == EPIPE || errno == ECONNRESET ? io::closed : io::failed;
                }
                err = "TLS write: " + openssl_errors();
                return io::failed;
            }
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n >= 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                io w = wait_fd(fd_, POLLOUT, stop_, deadline);
                if (w != io::ok) return w;
                continue;
            }
            err = std::string("write: ") + std::strerror(errno);
            return errno == EPIPE || errno == ECONNRESET ? io::closed : io::failed;
        }
        return io::ok;
    }

    /// Waits for the client's first byte after the go-ahead without
    /// consuming it.
    io peek_byte(unsigned char& byte, clock::time_point deadline, std::string& err) {
        for (;;) {
            ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK);
            if (n == 1) return io::ok;
            if (n == 0) return io::closed;
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                io w = wait_fd(fd_, POLLIN, stop_, deadline);
                if (w != io::ok) return w;
                continue;
            }
            if (errno == ECONNRESET) return io::closed;
            err = std::string("read: ") + std::strerror(errno);
            return io::failed;
        }
    }

    /// Reads whatever the client has sent so far (for messages).
    std::string take_available() {
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) in_.append(buf, static_cast<std::size_t>(n));
        return std::exchange(in_, std::string());
    }

    /// Runs the server side of a TLS handshake.
    io handshake(SSL_CTX* ctx, std::string& err) {
        ssl_.reset(SSL_new(ctx));
        if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1) {
            err = "SSL_new: " + openssl_errors();
            return io::failed;
        }
        const auto deadline = this->deadline();
        for (;;) {
            ERR_clear_error();
            int r = SSL_accept(ssl_.get());
            if (r == 1) return io::ok;
            int e = SSL_get_error(ssl_.get(), r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                io w = wait_fd(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, stop_, deadline);
                if (w != io::ok) return w;
                continue;
            }
            if (e == SSL_ERROR_ZERO_RETURN ||
                (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
                 (errno == 0 || errno == ECONNRESET || errno == EPIPE))) {
                err = "TLS handshake failed: the client closed the connection";
            } else {
                err = "TLS handshake failed: " + openssl_errors();
            }
            return io::failed;
        }
    }

    /// Server-side close: close_notify, FIN, drop what the client still sent
    /// (so that the close does not turn into a reset), close.
    void shutdown() {
        if (fd_ < 0) return;
        if (ssl_) {
            ERR_clear_error();
            SSL_shutdown(ssl_.get());
            ERR_clear_error();
        }
        ::shutdown(fd_, SHUT_WR);
        char buf[4096];
        while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
        }
        ssl_.reset();
        ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
    int stop_;
    milliseconds timeout_;
    ssl_ptr ssl_;
    std::string in_;
};

std::string line_ref(const directive& d) { return "script line " + std::to_string(d.line) + ": "; }

} // namespace

// ---- certificates ---------------------------------------------------------------------

test_cert make_test_cert(const cert_spec& spec) {
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) throw_openssl("EC key generation");
    x509_ptr cert(X509_new());
    if (!cert) throw_openssl("X509_new");
    X509_set_version(cert.get(), X509_VERSION_3);

    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) throw_openssl("RAND_bytes");
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    bn_ptr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) throw_openssl("serial");

    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before.count())) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count())))
        throw_openssl("validity");
    if (X509_set_pubkey(cert.get(), key.get()) != 1) throw_openssl("X509_set_pubkey");

    X509_NAME* name = X509_get_subject_name(cert.get());
    if (!spec.common_name.empty() &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1,
                                   0) != 1)
        throw_openssl("subject name");

    x509_ptr issuer_cert;
    pkey_ptr issuer_key;
    if (spec.issuer) {
        auto chain = read_certs(spec.issuer->cert_pem);
        issuer_cert = std::move(chain.front());
        issuer_key = read_key(spec.issuer->key_pem);
        X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
    } else {
        X509_set_issuer_name(cert.get(), name);
    }

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
    add_ext(cert.get(), &ctx, NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(cert.get(), &ctx, NID_key_usage,
            spec.is_ca ? "critical,digitalSignature,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!spec.is_ca || !spec.issuer) add_ext(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (spec.issuer) add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    std::string san;
    for (const auto& d : spec.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : spec.ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
    if (!san.empty()) add_ext(cert.get(), &ctx, NID_subject_alt_name, san);

    if (X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256()) <= 0)
        throw_openssl("X509_sign");

    bio_ptr cb(BIO_new(BIO_s_mem()));
    bio_ptr kb(BIO_new(BIO_s_mem()));
    if (!cb || !kb || PEM_write_bio_X509(cb.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw_openssl("PEM output");
    return {bio_string(cb.get()), bio_string(kb.get())};
}

const test_cert& default_test_cert() {
    static const test_cert cert = [] {
        cert_spec spec;
        spec.is_ca = true;
        return make_test_cert(spec);
    }();
    return cert;
}

std::string quote_for_message(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = "\"";
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    return out;
}

// ---- the server -----------------------------------------------------------------------

struct script_server::impl {
    script_options opts;
    std::vector<directive> script;
    ctx_ptr tls_ctx;
    int listen_fd = -1;
    int stop_r = -1;
    int stop_w = -1;
    unsigned short port = 0;
    std::thread thread;
    script_result result;
    std::mutex files_mu;
    std::vector<std::string> files;

    impl(std::string transcript, script_options o) : opts(std::move(o)) {
        script = parse_script(transcript);
        if (opts.connections < 1) throw std::invalid_argument("script_server: connections must be >= 1");
        bool needs_tls = std::any_of(script.begin(), script.end(), [](const directive& d) { return d.k == kind::tls; });
        if (needs_tls) make_tls_context();
        try {
            listen_on_loopback();
            int p[2];
            if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
            stop_r = p[0];
            stop_w = p[1];
            thread = std::thread([this] { run(); });
        } catch (...) {
            close_fds();
            throw;
        }
    }

    ~impl() {
        stop();
        if (thread.joinable()) thread.join();
        close_fds();
        for (const auto& f : files) std::remove(f.c_str());
    }

    void stop() noexcept {
        if (stop_w >= 0) {
            char b = 1;
            ssize_t n = ::write(stop_w, &b, 1);
            (void)n;
        }
    }

    void close_fds() noexcept {
        for (int* fd : {&listen_fd, &stop_r, &stop_w}) {
            if (*fd >= 0) ::close(*fd);
            *fd = -1;
        }
    }

    const std::string& ca() const {
        if (opts.cert_pem.empty()) return default_test_cert().cert_pem;
        return opts.ca_pem.empty() ? opts.cert_pem : opts.ca_pem;
    }

    void make_tls_context() {
        const test_cert* dflt = opts.cert_pem.empty() ? &default_test_cert() : nullptr;
        const std::string& cert_pem = dflt ? dflt->cert_pem : opts.cert_pem;
        const std::string& key_pem = dflt ? dflt->key_pem : opts.key_pem;
        tls_ctx.reset(SSL_CTX_new(TLS_server_method()));
        if (!tls_ctx) throw_openssl("SSL_CTX_new");
        auto chain = read_certs(cert_pem);
        if (SSL_CTX_use_certificate(tls_ctx.get(), chain.front().get()) != 1) throw_openssl("server certificate");
        for (std::size_t i = 1; i < chain.size(); ++i) {
            if (SSL_CTX_add1_chain_cert(tls_ctx.get(), chain[i].get()) != 1) throw_openssl("chain certificate");
        }
        auto key = read_key(key_pem);
        if (SSL_CTX_use_PrivateKey(tls_ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(tls_ctx.get()) != 1)
            throw_openssl("server key");
        SSL_CTX_set_options(tls_ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
        SSL_CTX_set_mode(tls_ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        if (opts.tls_max_version != 0 && opts.tls_max_version < TLS1_2_VERSION)
            SSL_CTX_set_security_level(tls_ctx.get(), 0);
        if (opts.tls_min_version != 0 && SSL_CTX_set_min_proto_version(tls_ctx.get(), opts.tls_min_version) != 1)
            throw_openssl("tls_min_version");
        if (opts.tls_max_version != 0 && SSL_CTX_set_max_proto_version(tls_ctx.get(), opts.tls_max_version) != 1)
            throw_openssl("tls_max_version");
    }

    void listen_on_loopback() {
        listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (listen_fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1");
        if (::listen(listen_fd, 16) != 0) throw std::system_error(errno, std::generic_category(), "listen");
        socklen_t len = sizeof addr;
        if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::system_error(errno, std::generic_category(), "getsockname");
        port = ntohs(addr.sin_port);
    }

    /// Adds raw client bytes to client_lines, split at LF (CR dropped).
    void record_lines(std::string_view bytes) {
        while (!bytes.empty()) {
            std::size_t nl = bytes.find('\n');
            std::string_view line = bytes.substr(0, nl);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            result.client_lines.emplace_back(line);
            if (nl == std::string_view::npos) break;
            bytes.remove_prefix(nl + 1);
        }
    }

    void fail(std::string msg) {
        if (result.error.empty()) result.error = std::move(msg);
    }

    void run() {
        // OpenSSL writes to the socket with write(): a client that went away
        // must not kill the test process with SIGPIPE.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        try {
            for (int i = 0; i < opts.connections && result.error.empty(); ++i) {
                int fd = accept_one(i);
                if (fd < 0) break;
                connection c(fd, stop_r, opts.timeout);
                play(c);
            }
        } catch (const std::exception& e) {
            fail(std::string("script server error: ") + e.what());
        }
        ::close(listen_fd);
        listen_fd = -1;
        result.ok = result.error.empty();
    }

    int accept_one(int index) {
        const auto deadline = clock::now() + opts.accept_timeout;
        for (;;) {
            int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0) {
                int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                return fd;
            }
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail(std::string("accept: ") + std::strerror(errno));
                return -1;
            }
            io w = wait_fd(listen_fd, POLLIN, stop_r, deadline);
            if (w == io::ok) continue;
            if (w == io::timeout) {
                fail("no client connected within " + std::to_string(opts.accept_timeout.count()) + " ms" +
                     (index ? " (connection " + std::to_string(index + 1) + ")" : std::string()));
            } else if (w == io::stopped) {
                fail("stopped before a client connected");
            } else {
                fail("poll failed while waiting for a client");
            }
            return -1;
        }
    }

    /// Describes an I/O failure while directive d waited for something.
    void fail_io(const directive& d, io r, const std::string& waiting_for, const std::string& err,
                 const std::string& partial) {
        std::string msg = line_ref(d);
        switch (r) {
        case io::closed:
            msg += waiting_for + ", but the client closed the connection";
            if (!partial.empty()) msg += " after sending an incomplete line " + quote_for_message(partial);
            break;
        case io::timeout:
            msg += waiting_for + ", but nothing came within " + std::to_string(opts.timeout.count()) + " ms";
            if (!partial.empty()) msg += " (incomplete line " + quote_for_message(partial) + ")";
            break;
        case io::stopped: msg += waiting_for + ", but the server was stopped"; break;
        default: msg += waiting_for + ": " + err; break;
        }
        fail(std::move(msg));
    }

    void play(connection& c) {
        std::optional<std::string> pending; // read by C? without matching
        std::string err;
        std::string tag;                    // the last %tag matched, for S: lines

        // Next client line: the pending one, else one from the socket.
        auto next_line = [&](std::string& line, clock::time_point deadline, bool& bare_lf) -> io {
            if (pending) {
                line = std::move(*pending);
                pending.reset();
                bare_lf = false;
                return io::ok;
            }
            io r = c.read_line(line, bare_lf, deadline, err);
            if (r == io::ok) result.client_lines.push_back(line);
            return r;
        };

        for (std::size_t i = 0; i < script.size(); ++i) {
            const directive& d = script[i];
            std::string line;
            bool bare_lf = false;
            switch (d.k) {
            case kind::send: {
                std::string text = d.text;
                for (std::size_t at = 0; (at = text.find("%tag", at)) != std::string::npos; at += tag.size())
                    text.replace(at, 4, tag);
                io r = c.write_all(text, err);
                if (r != io::ok) return fail_io(d, r, "sending " + quote_for_message(d.text), err, {});
                break;
            }
            case kind::expect:
            case kind::expect_regex: {
                std::string want =
                    d.k == kind::expect ? quote_for_message(d.pattern.display()) : "/" + d.text + "/";
                io r = next_line(line, c.deadline(), bare_lf);
                if (r != io::ok) return fail_io(d, r, "expected " + want, err, c.buffered());
                if (bare_lf) return fail(line_ref(d) + "client line ends in a bare LF: " + quote_for_message(line));
                bool ok = d.k == kind::expect ? d.pattern.match(line, &tag) : std::regex_match(line, *d.re);
                if (!ok) return fail(line_ref(d) + "expected " + want + ", got " + quote_for_message(line));
                break;
            }
            case kind::optional: {
                io r = next_line(line, c.deadline(), bare_lf);
                if (r == io::closed || r == io::timeout) break; // absent: try the next directive
                if (r != io::ok) return fail_io(d, r, "optional " + quote_for_message(d.pattern.display()), err, {});
                if (bare_lf) return fail(line_ref(d) + "client line ends in a bare LF: " + quote_for_message(line));
                if (!d.pattern.match(line, &tag)) pending = std::move(line);
                break;
            }
            case kind::tls: {
                // TLS followed by EXPECT-CLOSE: the client may refuse the
                // handshake (certificate, version) and close; anything but
                // a TLS handshake from it is still a failure.
                const bool refusal_ok = i + 1 < script.size() && script[i + 1].k == kind::expect_close;
                if (pending || !c.buffered().empty()) {
                    std::string early = pending ? *pending : c.buffered();
                    return fail(line_ref(d) + "client sent " + quote_for_message(early) +
                                " before the TLS handshake");
                }
                unsigned char first = 0;
                io r = c.peek_byte(first, c.deadline(), err);
                if (r == io::closed && refusal_ok) return c.shutdown();
                if (r != io::ok) return fail_io(d, r, "expected a TLS handshake", err, {});
                if (first != 0x16) { // not a TLS handshake record
                    // With EXPECT-CLOSE next, it judges the line (a QUIT may
                    // be tolerated); otherwise this is the failure.
                    if (refusal_ok) break;
                    std::string sent = c.take_available();
                    record_lines(sent);
                    return fail(line_ref(d) + "client sent " + quote_for_message(sent) +
                                " instead of a TLS handshake");
                }
                r = c.handshake(tls_ctx.get(), err);
                if (r == io::ok) break;
                if (r == io::failed && refusal_ok) {
                    result.tls_failure = err;
                    return c.shutdown();
                }
                if (r == io::failed) return fail(line_ref(d) + err);
                return fail_io(d, r, "TLS handshake", err, {});
            }
            case kind::close:
                return c.shutdown();
            case kind::expect_close:
                return expect_close(c, d, next_line, err);
            case kind::sleep: {
                io r = wait_fd(-1, 0, stop_r, clock::now() + d.ms);
                if (r == io::stopped) return fail_io(d, r, "sleeping", err, {});
                break;
            }
            }
        }
        if (pending) {
            fail("end of script: client sent " + quote_for_message(*pending) + ", which no directive matched");
            return;
        }
        c.shutdown();
    }

    template <class NextLine>
    void expect_close(connection& c, const directive& d, NextLine& next_line, const std::string& err) {
        const auto deadline = c.deadline();
        std::string line;
        bool bare_lf = false;
        io r = next_line(line, deadline, bare_lf);
        switch (r) {
        case io::closed:
            if (!c.buffered().empty()) {
                record_lines(c.buffered());
                return fail(line_ref(d) + "client sent " + quote_for_message(c.buffered()) + " after violation");
            }
            return c.shutdown();
        case io::ok:
            if (!bare_lf && tolerated(d.allowed, line)) return c.shutdown();
            return fail(line_ref(d) + "client sent " + quote_for_message(line) + " after violation");
        case io::timeout:
            return fail(line_ref(d) + "client did not close the connection within " +
                        std::to_string(opts.timeout.count()) + " ms" +
                        (c.buffered().empty() ? std::string()
                                              : " (and sent " + quote_for_message(c.buffered()) + ")"));
        default: return fail_io(d, r, "expected the client to close", err, {});
        }
    }
};

script_server::script_server(std::string transcript, script_options opts)
    : impl_(std::make_unique<impl>(std::move(transcript), std::move(opts))) {}

script_server script_server::from_file(const std::string& path, script_options opts) {
    std::string full = !path.empty() && path.front() == '/' ? path : std::string(PIGEON_SOURCE_DIR "/tests/scripts/") + path;
    std::ifstream in(full, std::ios::binary);
    if (!in) throw std::runtime_error("script_server: cannot read " + full);
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return script_server(text.str(), std::move(opts));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(full + ": " + e.what());
    }
}

script_server::script_server(script_server&&) noexcept = default;
script_server& script_server::operator=(script_server&&) noexcept = default;
script_server::~script_server() = default;

unsigned short script_server::port() const { return impl_->port; }

const std::string& script_server::ca_pem() const { return impl_->ca(); }

std::string script_server::write_ca_file() const {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/pigeon-ca-XXXXXX.pem";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemps(name.data(), 4);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemps " + tmpl);
    const std::string& pem = ca_pem();
    std::size_t off = 0;
    while (off < pem.size()) {
        ssize_t n = ::write(fd, pem.data() + off, pem.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            ::close(fd);
            ::unlink(name.data());
            throw std::system_error(e, std::generic_category(), "write CA file");
        }
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    std::string path(name.data());
    std::lock_guard<std::mutex> lock(impl_->files_mu);
    impl_->files.push_back(path);
    return path;
}

script_result script_server::wait() {
    if (impl_->thread.joinable()) impl_->thread.join();
    return impl_->result;
}

} // namespace pigeon::test
