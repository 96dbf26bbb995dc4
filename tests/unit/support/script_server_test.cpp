// The scripted server against a raw POSIX socket client (and OpenSSL used
// directly for the TLS steps), so that the test support is checked without
// relying on the library it is meant to test.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/script_server.hpp"

using namespace std::chrono_literals;
using pigeon::test::script_options;
using pigeon::test::script_result;
using pigeon::test::script_server;

namespace {

using clock_type = std::chrono::steady_clock;

/// Loads every certificate of a PEM text into a new X509_STORE.
X509_STORE* store_from_pem(const std::string& pem) {
    X509_STORE* store = X509_STORE_new();
    BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, x);
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(b);
    return store;
}

X509* cert_from_pem(const std::string& pem) {
    BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    return x;
}

/// A blocking client on 127.0.0.1 with receive timeouts; optional TLS.
class raw_client {
public:
    explicit raw_client(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
        set_timeout(3000ms);
    }
    ~raw_client() { close(); }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    void set_timeout(std::chrono::milliseconds t) {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(t.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>(t.count() % 1000 * 1000);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

    bool send(std::string_view data) {
        if (ssl_) return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) == static_cast<int>(data.size());
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// Waits until data (or EOF) is there, then does exactly one read.
    /// Empty on EOF, error or timeout.
    std::string recv_some() {
        char buf[65536];
        if (ssl_) {
            int n = SSL_read(ssl_, buf, sizeof buf);
            return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 3000) <= 0) return {};
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

    /// Reads until the received text ends with suffix (or EOF/timeout).
    std::string recv_until(std::string_view suffix) {
        std::string got;
        while (got.size() < suffix.size() || got.compare(got.size() - suffix.size(), suffix.size(), suffix) != 0) {
            std::string more = recv_some();
            if (more.empty()) break;
            got += more;
        }
        return got;
    }

    /// Discards input until the server closes the connection (true) or the
    /// receive timeout passes (false).
    bool at_eof() {
        char buf[4096];
        for (;;) {
            if (ssl_) {
                int n = SSL_read(ssl_, buf, sizeof buf);
                if (n > 0) continue;
                int e = SSL_get_error(ssl_, n);
                return e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno != EAGAIN);
            }
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) continue;
            return n == 0 || errno == ECONNRESET;
        }
    }

    /// TLS handshake trusting the certificates of ca_pem (none: an empty
    /// store), checking host "localhost". Returns the OpenSSL error on failure.
    std::string start_tls(const std::string& ca_pem, int max_version = 0, const std::string& ca_file = {}) {
        ctx_ = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
        if (max_version) SSL_CTX_set_max_proto_version(ctx_, max_version);
        if (!ca_file.empty()) {
            if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) return "cannot load CA file";
        } else {
            SSL_CTX_set_cert_store(ctx_, store_from_pem(ca_pem));
        }
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, "localhost");
        SSL_set1_host(ssl_, "localhost");
        ERR_clear_error();
        if (SSL_connect(ssl_) != 1) {
            char buf[256];
            ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
            SSL_free(ssl_);
            ssl_ = nullptr;
            return buf;
        }
        return {};
    }

    /// TCP segments with data received so far (Linux TCP_INFO).
    unsigned data_segments_in() const {
        tcp_info info{};
        socklen_t len = sizeof info;
        if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
        return info.tcpi_data_segs_in;
    }

    bool tls() const { return ssl_ != nullptr; }
    std::string tls_version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

    void close() {
        if (ssl_) {
            SSL_shutdown(ssl_);
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        if (ctx_) {
            SSL_CTX_free(ctx_);
            ctx_ = nullptr;
        }
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
};

script_options quick(std::chrono::milliseconds t = 500ms) {
    script_options o;
    o.timeout = t;
    o.accept_timeout = t;
    return o;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("script_server: a dialogue that follows the script passes") {
    script_server srv(R"(
        # a comment, and blank lines, are ignored

        S: 220 fake ready
        C: EHLO client.example
        S: 250-fake
        S: 250 SIZE 100
        C: QUIT
        S: 221 bye
    )");
    CHECK(srv.port() != 0);
    raw_client c(srv.port());
    CHECK(c.recv_until("\r\n") == "220 fake ready\r\n");
    c.send("EHLO client.example\r\n");
    CHECK(c.recv_until("SIZE 100\r\n") == "250-fake\r\n250 SIZE 100\r\n");
    c.send("QUIT\r\n");
    CHECK(c.recv_until("\r\n") == "221 bye\r\n");
    CHECK(c.at_eof()); // the server closes after the last directive
    script_result r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.error.empty());
    CHECK(r.client_lines == std::vector<std::string>{"EHLO client.example", "QUIT"});
    // wait() is idempotent.
    CHECK(srv.wait().client_lines.size() == 2);
}

TEST_CASE("script_server: consecutive S: lines go out in one segment, SLEEP splits them") {
    script_server srv(R"(
        S: 220-one
        # comments do not break the batch
        S: 220-two
        S~ 220 three\r\n
        C: NOOP
        S: 250 first
        SLEEP 300
        S: 250 second
    )");
    raw_client c(srv.port());
    CHECK(c.recv_until("three\r\n") == "220-one\r\n220-two\r\n220 three\r\n");
    CHECK(c.data_segments_in() == 1);
    c.send("NOOP\r\n");
    CHECK(c.recv_some() == "250 first\r\n");
    CHECK(c.recv_some() == "250 second\r\n");
    CHECK(c.data_segments_in() == 3);
    CHECK(srv.wait().ok);
}

TEST_CASE("script_server: S~ escapes and no CRLF") {
    script_server srv(R"(S~ a\tb\x00c\\d\r\nno-crlf)");
    raw_client c(srv.port());
    std::string want("a\tb\0c\\d\r\nno-crlf", 16);
    CHECK(c.recv_until("no-crlf") == want);
    CHECK(srv.wait().ok);
}

TEST_CASE("script_server: a mismatch is reported with expected and got, and the connection closed") {
    script_server srv("S: 220 hi\nC: EHLO x\nS: 250 ok\n", quick());
    raw_client c(srv.port());
    c.recv_until("\r\n");
    c.send("HELO x\r\n");
    CHECK(c.at_eof());
    script_result r = srv.wait();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "script line 2: expected \"EHLO x\", got \"HELO x\"");
    CHECK(r.client_lines == std::vector<std::string>{"HELO x"});
}

TEST_CASE("script_server: C~ regular expressions") {
    SUBCASE("match") {
        script_server srv("C~ EHLO [a-z]+\\.example\nS: 250 ok\n", quick());
        raw_client c(srv.port());
        c.send("EHLO host.example\r\n");
        CHECK(c.recv_until("\r\n") == "250 ok\r\n");
        CHECK(srv.wait().ok);
    }
    SUBCASE("the whole line must match") {
        script_server srv("C~ EHLO [a-z]+\n", quick());
        raw_client c(srv.port());
        c.send("EHLO host.example\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 1: expected /EHLO [a-z]+/, got \"EHLO host.example\"");
    }
}

TEST_CASE("script_server: C? optional lines") {
    const char* script = "S: 220 hi\nC? RSET\nC: MAIL FROM:<a@b>\nS: 250 ok\n";
    SUBCASE("present") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.send("RSET\r\nMAIL FROM:<a@b>\r\n");
        CHECK(c.recv_until("\r\n") == "250 ok\r\n");
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(r.client_lines.size() == 2);
    }
    SUBCASE("absent: the line is tried against the next directive") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.send("MAIL FROM:<a@b>\r\n");
        CHECK(c.recv_until("\r\n") == "250 ok\r\n");
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(r.client_lines == std::vector<std::string>{"MAIL FROM:<a@b>"});
    }
    SUBCASE("an unmatched line left at the end fails") {
        script_server srv("C? NOOP\n", quick());
        raw_client c(srv.port());
        c.send("RSET\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(contains(r.error, "\"RSET\", which no directive matched"));
    }
}

TEST_CASE("script_server: %b64{} and %any placeholders") {
    script_server srv(R"(
        C: AUTH PLAIN %b64{\x00user\x00pa}ss}
        S: 235 ok
        C: MAIL FROM:<%any> SIZE=%any
        S: 250 ok
        C: 100%% %any
        S: 250 ok
        C: 50% off
    )",
                      quick());
    raw_client c(srv.port());
    // base64("\0user\0pa") is AHVzZXIAcGE=, followed by the literal "ss}".
    c.send("AUTH PLAIN AHVzZXIAcGE=ss}\r\n");
    CHECK(c.recv_until("\r\n") == "235 ok\r\n");
    c.send("MAIL FROM:<x@y> SIZE=12\r\n");
    CHECK(c.recv_until("\r\n") == "250 ok\r\n");
    c.send("100% anything at all\r\n");
    CHECK(c.recv_until("\r\n") == "250 ok\r\n");
    c.send("50% off\r\n");
    script_result r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("script_server: %any does not match a missing literal part") {
    script_server srv("C: MAIL FROM:<%any> SIZE=%any\n", quick());
    raw_client c(srv.port());
    c.send("MAIL FROM:<x@y>\r\n");
    script_result r = srv.wait();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "script line 1: expected \"MAIL FROM:<%any> SIZE=%any\", got \"MAIL FROM:<x@y>\"");
}

TEST_CASE("script_server: a client line ending in a bare LF fails") {
    script_server srv("C: NOOP\n", quick());
    raw_client c(srv.port());
    c.send("NOOP\n");
    script_result r = srv.wait();
    CHECK_FALSE(r.ok);
    CHECK(contains(r.error, "bare LF"));
}

TEST_CASE("script_server: EXPECT-CLOSE") {
    const char* script = "S: 220 hi\nC: STARTTLS\nS: 502 no\nEXPECT-CLOSE QUIT LOGOUT\n";
    SUBCASE("the client closes: pass") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.close();
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
    }
    SUBCASE("a tolerated QUIT: pass, and the server closes") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.send("quit\r\n");
        CHECK(c.at_eof());
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(r.client_lines.back() == "quit");
    }
    SUBCASE("a tagged LOGOUT is tolerated") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.send("STARTTLS\r\na9 LOGOUT\r\n");
        CHECK(c.at_eof());
        CHECK(srv.wait().ok);
    }
    SUBCASE("any other line is a failure") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.send("AUTH PLAIN AHUAcA==\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 4: client sent \"AUTH PLAIN AHUAcA==\" after violation");
    }
    SUBCASE("an incomplete line before closing is a failure") {
        script_server srv(script, quick());
        raw_client c(srv.port());
        c.send("STARTTLS\r\nUSER x");
        c.recv_until("502 no\r\n");
        c.close();
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(contains(r.error, "client sent \"USER x\" after violation"));
    }
    SUBCASE("a client that stays connected fails after the timeout") {
        script_server srv(script, quick(300ms));
        raw_client c(srv.port());
        c.send("STARTTLS\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(contains(r.error, "did not close the connection within 300 ms"));
    }
}

TEST_CASE("script_server: CLOSE closes the connection") {
    script_server srv("S: 421 going away\nCLOSE\n", quick());
    raw_client c(srv.port());
    CHECK(c.recv_until("\r\n") == "421 going away\r\n");
    CHECK(c.at_eof());
    CHECK(srv.wait().ok);
}

TEST_CASE("script_server: timeouts never hang") {
    SUBCASE("a silent client") {
        script_server srv("S: 220 hi\nC: EHLO x\n", quick(300ms));
        raw_client c(srv.port());
        auto t0 = clock_type::now();
        script_result r = srv.wait();
        CHECK(clock_type::now() - t0 < 3s);
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 2: expected \"EHLO x\", but nothing came within 300 ms");
    }
    SUBCASE("a client that closes early") {
        script_server srv("S: 220 hi\nC: EHLO x\n", quick());
        {
            raw_client c(srv.port());
            c.recv_until("\r\n"); // nothing unread: the close is a FIN, not a reset
            c.send("EHL");
        }
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error ==
              "script line 2: expected \"EHLO x\", but the client closed the connection after sending an "
              "incomplete line \"EHL\"");
    }
    SUBCASE("no client at all") {
        script_server srv("S: 220 hi\n", quick(200ms));
        auto t0 = clock_type::now();
        script_result r = srv.wait();
        CHECK(clock_type::now() - t0 < 3s);
        CHECK_FALSE(r.ok);
        CHECK(r.error == "no client connected within 200 ms");
    }
    SUBCASE("the destructor interrupts a long accept, read and sleep") {
        script_options o;
        o.timeout = 60s;
        o.accept_timeout = 60s;
        auto t0 = clock_type::now();
        { script_server srv("S: 220 hi\n", o); }
        // The clients outlive the servers: nothing but the destructor can
        // end the read and the sleep.
        std::unique_ptr<raw_client> reader, sleeper;
        {
            script_server srv("C: NOOP\n", o);
            reader = std::make_unique<raw_client>(srv.port());
            std::this_thread::sleep_for(50ms);
        }
        {
            script_server srv("SLEEP 60000\nS: late\n", o);
            sleeper = std::make_unique<raw_client>(srv.port());
            std::this_thread::sleep_for(50ms);
        }
        CHECK(clock_type::now() - t0 < 5s);
    }
}

TEST_CASE("script_server: serves one connection by default, more on request") {
    SUBCASE("a second connection is refused") {
        script_server srv("S: 220 hi\n", quick());
        {
            raw_client c(srv.port());
            CHECK(c.recv_until("\r\n") == "220 hi\r\n");
            CHECK(c.at_eof());
        }
        CHECK(srv.wait().ok);
        CHECK_THROWS(raw_client(srv.port())); // the listening socket is gone
    }
    SUBCASE("connections = 2 plays the script twice") {
        script_options o = quick();
        o.connections = 2;
        script_server srv("S: 220 hi\nC: QUIT\n", o);
        for (int i = 0; i < 2; ++i) {
            raw_client c(srv.port());
            CHECK(c.recv_until("\r\n") == "220 hi\r\n");
            c.send("QUIT\r\n");
            CHECK(c.at_eof());
        }
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(r.client_lines == std::vector<std::string>{"QUIT", "QUIT"});
    }
}

TEST_CASE("script_server: syntax errors are reported with their line") {
    auto error_of = [](const std::string& script) -> std::string {
        try {
            script_server srv(script);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(error_of("S: a\nX: b\n") == "script line 2: unknown directive: X: b");
    CHECK(error_of("S~ bad \\q escape") == "script line 1: unknown escape \\q");
    CHECK(error_of("S~ \\x4") == "script line 1: \\x needs two hex digits");
    CHECK(error_of("S:nospace") == "script line 1: a space must follow S:");
    CHECK(contains(error_of("C~ ([a-z"), "script line 1: bad regex"));
    CHECK(error_of("SLEEP soon") == "script line 1: SLEEP needs milliseconds (0-999999)");
    CHECK(error_of("SLEEP") == "script line 1: SLEEP needs milliseconds (0-999999)");
    CHECK(error_of("TLS now") == "script line 1: TLS takes no arguments");
    CHECK(error_of("QUIT") == "script line 1: unknown directive: QUIT");
    CHECK(error_of("SLEEP -5") == "script line 1: SLEEP needs milliseconds (0-999999)");
    CHECK(error_of("C: %b64{abc") == "script line 1: %b64{ without a closing }");
    CHECK(error_of("CLOSE\nS: more") == "script line 2: nothing may follow CLOSE or EXPECT-CLOSE");
    CHECK(error_of("EXPECT-CLOSE\n# fine\n\n") == "no error");
}

TEST_CASE("script_server: from_file") {
    SUBCASE("relative paths are under tests/scripts/") {
        try {
            script_server::from_file("no/such/script.txt");
            FAIL("no exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) ==
                  std::string("script_server: cannot read " PIGEON_SOURCE_DIR "/tests/scripts/no/such/script.txt"));
        }
    }
    SUBCASE("an absolute path is read as is") {
        char name[] = "/tmp/pigeon-script-XXXXXX";
        int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        ::close(fd);
        std::ofstream(name) << "S: 220 from file\r\nC: QUIT\r\n";
        {
            script_server srv = script_server::from_file(name, quick());
            raw_client c(srv.port());
            CHECK(c.recv_until("\r\n") == "220 from file\r\n");
            c.send("QUIT\r\n");
            CHECK(srv.wait().ok);
        }
        std::remove(name);
    }
}

TEST_CASE("script_server: a moved server keeps running") {
    script_server a("S: 220 moved\nC: QUIT\n", quick());
    unsigned short port = a.port();
    script_server b = std::move(a);
    CHECK(b.port() == port);
    raw_client c(port);
    CHECK(c.recv_until("\r\n") == "220 moved\r\n");
    c.send("QUIT\r\n");
    CHECK(b.wait().ok);
}

// ---- TLS --------------------------------------------------------------------------

TEST_CASE("script_server: STARTTLS with the generated certificate") {
    script_server srv(R"(
        S: 220 hi
        C: STARTTLS
        S: 220 go ahead
        TLS
        S: 220-secure
        S: 220 banner
        C: EHLO x
        S: 250 ok
    )");
    raw_client c(srv.port());
    c.recv_until("\r\n");
    c.send("STARTTLS\r\n");
    CHECK(c.recv_until("\r\n") == "220 go ahead\r\n");
    REQUIRE(c.start_tls(srv.ca_pem()) == "");
    CHECK(c.tls_version() == "TLSv1.3");
    // The batch after TLS arrives in one record, i.e. one read.
    CHECK(c.recv_some() == "220-secure\r\n220 banner\r\n");
    c.send("EHLO x\r\n");
    CHECK(c.recv_some() == "250 ok\r\n");
    script_result r = srv.wait();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(r.tls_failure.empty());
}

TEST_CASE("script_server: implicit TLS trusting write_ca_file()") {
    std::string ca_path;
    {
        script_server srv("TLS\nS: * OK ready\nC: a1 LOGOUT\n", quick(2000ms));
        ca_path = srv.write_ca_file();
        std::ifstream in(ca_path);
        std::stringstream text;
        text << in.rdbuf();
        CHECK(text.str() == srv.ca_pem());
        raw_client c(srv.port());
        REQUIRE(c.start_tls({}, 0, ca_path) == "");
        CHECK(c.recv_some() == "* OK ready\r\n");
        c.send("a1 LOGOUT\r\n");
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
    }
    // The destructor removed the CA file.
    CHECK_FALSE(std::ifstream(ca_path).good());
}

TEST_CASE("script_server: a client that refuses the certificate") {
    SUBCASE("TLS then EXPECT-CLOSE passes") {
        script_server srv("S: 220 hi\nTLS\nEXPECT-CLOSE\n", quick(2000ms));
        raw_client c(srv.port());
        c.recv_until("\r\n");
        std::string err = c.start_tls(""); // trusts nothing
        CHECK(contains(err, "certificate verify failed"));
        c.close();
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
        CHECK(contains(r.tls_failure, "alert"));
    }
    SUBCASE("TLS followed by anything else fails") {
        script_server srv("S: 220 hi\nTLS\nC: EHLO x\n", quick(2000ms));
        raw_client c(srv.port());
        c.recv_until("\r\n");
        CHECK(c.start_tls("") != "");
        c.close();
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(contains(r.error, "script line 2: TLS handshake failed"));
    }
    SUBCASE("closing instead of a handshake passes with EXPECT-CLOSE") {
        script_server srv("S: 220 hi\nTLS\nEXPECT-CLOSE\n", quick(2000ms));
        raw_client c(srv.port());
        c.recv_until("\r\n");
        c.close();
        CHECK(srv.wait().ok);
    }
}

TEST_CASE("script_server: plain text where a TLS handshake belongs") {
    SUBCASE("a command after the go-ahead, with EXPECT-CLOSE") {
        script_server srv("C: STARTTLS\nS: 220 go\nTLS\nEXPECT-CLOSE QUIT\n", quick(2000ms));
        raw_client c(srv.port());
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.send("AUTH LOGIN\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 4: client sent \"AUTH LOGIN\" after violation");
        CHECK(r.client_lines.back() == "AUTH LOGIN");
    }
    SUBCASE("a tolerated QUIT instead of the handshake") {
        script_server srv("C: STARTTLS\nS: 220 go\nTLS\nEXPECT-CLOSE QUIT\n", quick(2000ms));
        raw_client c(srv.port());
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.send("QUIT\r\n");
        CHECK(c.at_eof());
        script_result r = srv.wait();
        CHECK_MESSAGE(r.ok, r.error);
    }
    SUBCASE("a command after the go-ahead, without EXPECT-CLOSE") {
        script_server srv("C: STARTTLS\nS: 220 go\nTLS\nC: EHLO x\n", quick(2000ms));
        raw_client c(srv.port());
        c.send("STARTTLS\r\n");
        c.recv_until("\r\n");
        c.send("EHLO x\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 3: client sent \"EHLO x\\r\\n\" instead of a TLS handshake");
    }
    SUBCASE("pipelined with STARTTLS, before the go-ahead") {
        script_server srv("C: STARTTLS\nS: 220 go\nTLS\n", quick(2000ms));
        raw_client c(srv.port());
        c.send("STARTTLS\r\nEHLO x\r\n");
        script_result r = srv.wait();
        CHECK_FALSE(r.ok);
        CHECK(r.error == "script line 3: client sent \"EHLO x\\r\\n\" before the TLS handshake");
    }
}

TEST_CASE("script_server: TLS version limits") {
    script_options o = quick(2000ms);
    o.tls_max_version = TLS1_2_VERSION;
    script_server srv("TLS\nS: hi\n", o);
    raw_client c(srv.port());
    REQUIRE(c.start_tls(srv.ca_pem()) == "");
    CHECK(c.tls_version() == "TLSv1.2");
    CHECK(c.recv_some() == "hi\r\n");
    CHECK(srv.wait().ok);

    o.tls_max_version = TLS1_1_VERSION;
    script_server old("TLS\nEXPECT-CLOSE\n", o);
    raw_client c2(old.port());
    CHECK(c2.start_tls(old.ca_pem()) != ""); // the client insists on TLS >= 1.2
    c2.close();
    script_result r = old.wait();
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(!r.tls_failure.empty());
}

TEST_CASE("script_server: a CA-signed certificate given in the options") {
    pigeon::test::cert_spec ca_spec;
    ca_spec.common_name = "Pigeon Test CA";
    ca_spec.dns_names.clear();
    ca_spec.ip_addresses.clear();
    ca_spec.is_ca = true;
    auto ca = pigeon::test::make_test_cert(ca_spec);
    pigeon::test::cert_spec leaf_spec;
    leaf_spec.issuer = &ca;
    auto leaf = pigeon::test::make_test_cert(leaf_spec);

    script_options o = quick(2000ms);
    o.cert_pem = leaf.cert_pem + ca.cert_pem;
    o.key_pem = leaf.key_pem;
    o.ca_pem = ca.cert_pem;
    script_server srv("TLS\nS: hi\n", o);
    CHECK(srv.ca_pem() == ca.cert_pem);
    raw_client c(srv.port());
    REQUIRE(c.start_tls(ca.cert_pem) == "");
    CHECK(c.recv_some() == "hi\r\n");
    CHECK(srv.wait().ok);
}

TEST_CASE("make_test_cert: names, validity and issuer") {
    const auto& dflt = pigeon::test::default_test_cert();
    CHECK(&dflt == &pigeon::test::default_test_cert()); // generated once
    CHECK(contains(dflt.cert_pem, "BEGIN CERTIFICATE"));
    CHECK(contains(dflt.key_pem, "BEGIN PRIVATE KEY"));

    auto verify = [](const std::string& cert_pem, const std::string& trusted_pem, const char* host) {
        X509_STORE* store = store_from_pem(trusted_pem);
        X509* cert = cert_from_pem(cert_pem);
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, cert, nullptr);
        X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
        int ok = X509_verify_cert(ctx);
        int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
        X509_STORE_CTX_free(ctx);
        X509_free(cert);
        X509_STORE_free(store);
        return err;
    };

    CHECK(verify(dflt.cert_pem, dflt.cert_pem, "localhost") == X509_V_OK);
    CHECK(verify(dflt.cert_pem, "", "localhost") == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    CHECK(verify(dflt.cert_pem, dflt.cert_pem, "other.example") == X509_V_ERR_HOSTNAME_MISMATCH);

    pigeon::test::cert_spec ca_spec;
    ca_spec.is_ca = true;
    ca_spec.common_name = "CA";
    auto ca = pigeon::test::make_test_cert(ca_spec);

    pigeon::test::cert_spec s;
    s.issuer = &ca;
    s.dns_names = {"mail.example"};
    s.ip_addresses.clear();
    auto leaf = pigeon::test::make_test_cert(s);
    CHECK(verify(leaf.cert_pem, ca.cert_pem, "mail.example") == X509_V_OK);
    CHECK(verify(leaf.cert_pem, dflt.cert_pem, "mail.example") == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);

    s.not_before = -std::chrono::hours(48);
    s.not_after = -std::chrono::hours(24);
    auto expired = pigeon::test::make_test_cert(s);
    CHECK(verify(expired.cert_pem, ca.cert_pem, "mail.example") == X509_V_ERR_CERT_HAS_EXPIRED);

    s.not_before = std::chrono::hours(24);
    s.not_after = std::chrono::hours(48);
    auto future = pigeon::test::make_test_cert(s);
    CHECK(verify(future.cert_pem, ca.cert_pem, "mail.example") == X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_CASE("quote_for_message") {
    CHECK(pigeon::test::quote_for_message(std::string("a\r\n\t\"\\\x01\xff", 8)) ==
          "\"a\\r\\n\\t\\\"\\\\\\x01\\xFF\"");
}
