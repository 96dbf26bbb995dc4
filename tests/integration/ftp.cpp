// The FTP client (src/ftp, libcurl underneath) against the lab's vsftpd:
// explicit and implicit FTPS, listing, a 1 GiB round trip at bounded memory,
// resume after a cut (get and put), refused logins, AUTH TLS refused before
// any password is sent, certificate failures, pins, active mode.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "ftp_lab.hpp"
#include "pigeon/core/error.hpp"
#include "pigeon/ftp/client.hpp"
#include "pigeon/net/error.hpp"

using namespace pigeon;
using namespace pigeon::test;
namespace fs = std::filesystem;

namespace {

// A deterministic byte stream (xorshift64*), so both ends can hash it.
class pattern_source {
public:
    pattern_source(std::uint64_t size, std::uint64_t seed) : left_(size), state_(seed | 1) {}
    std::size_t operator()(char* buf, std::size_t cap) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(cap, left_));
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            std::uint64_t v = next();
            std::memcpy(buf + i, &v, 8);
        }
        if (i < n) {
            std::uint64_t v = next();
            std::memcpy(buf + i, &v, n - i);
        }
        left_ -= n;
        return n;
    }

private:
    std::uint64_t next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1DULL;
    }
    std::uint64_t left_;
    std::uint64_t state_;
};

struct sha256 {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    sha256() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
    ~sha256() { EVP_MD_CTX_free(ctx); }
    sha256(const sha256&) = delete;
    sha256& operator=(const sha256&) = delete;
    void update(std::string_view b) { EVP_DigestUpdate(ctx, b.data(), b.size()); }
    std::string hex() {
        unsigned char md[32];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx, md, &len);
        static const char* d = "0123456789abcdef";
        std::string s;
        for (unsigned i = 0; i < len; ++i) {
            s += d[md[i] >> 4];
            s += d[md[i] & 15];
        }
        return s;
    }
};

std::string hash_of_pattern(std::uint64_t size, std::uint64_t seed) {
    pattern_source src(size, seed);
    sha256 h;
    std::string buf(1 << 16, '\0');
    while (std::size_t n = src(buf.data(), buf.size())) h.update({buf.data(), n});
    return h.hex();
}

std::uint64_t peak_rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

void reset_peak_rss() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
}

// A fresh directory in alice's home for one test case.
std::string scratch(ftp::client& c, const std::string& name) {
    std::string dir = "t-" + name + "-" + std::to_string(::getpid());
    fs::remove_all(ftp_lab::home("alice@lab.test") + "/" + dir);
    c.mkdir(dir);
    return dir;
}

ftp::client connected(net::tls_mode mode = net::tls_mode::starttls, std::uint16_t port = ftp_lab::explicit_port,
                      ftp::client_options o = ftp_lab::options()) {
    ftp::client c;
    c.connect(ftp_lab::endpoint(mode, port), ftp_lab::alice(), o);
    return c;
}

} // namespace

TEST_CASE("explicit FTPS: login, FEAT, listing with LIST (vsftpd has no MLSD) and NLST") {
    auto c = connected();
    CHECK(c.is_connected());
    CHECK(c.tls_active());
    CHECK(c.has_feature("PASV"));
    CHECK(c.has_feature("AUTH"));
    CHECK_FALSE(c.has_feature("MLST"));
    auto entries = c.list("");
    CHECK_FALSE(c.used_mlsd());
    auto it = std::find_if(entries.begin(), entries.end(), [](const ftp::entry& e) { return e.name == "welcome.txt"; });
    REQUIRE(it != entries.end());
    CHECK(it->type == ftp::entry_type::file);
    CHECK(it->size == fs::file_size(ftp_lab::home("alice@lab.test") + "/welcome.txt"));
    CHECK(it->modified.has_value());
    CHECK(it->permissions == "rw-r--r--");
    auto names = c.names("");
    CHECK(std::find(names.begin(), names.end(), "welcome.txt") != names.end());
}

TEST_CASE("directories, put, stat, rename, delete, names with spaces and non-ASCII") {
    auto c = connected();
    std::string dir = scratch(c, "ops");
    std::string sub = dir + "/sub dir é";
    c.mkdir(sub);
    std::string body = "hello over FTPS\r\nline 2\n";
    std::string file = sub + "/a file.txt";
    CHECK(c.put(file, net::string_source(body)) == body.size());
    auto fi = c.stat(file);
    CHECK(fi.size == body.size());
    REQUIRE(fi.modified.has_value());
    CHECK(std::abs(*fi.modified - static_cast<std::int64_t>(std::time(nullptr))) < 300);
    auto entries = c.list(sub);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].name == "a file.txt");
    CHECK(entries[0].size == body.size());
    auto top = c.list(dir);
    REQUIRE(top.size() == 1);
    CHECK(top[0].name == "sub dir é");
    CHECK(top[0].type == ftp::entry_type::directory);

    c.rename(file, sub + "/renamed.txt");
    std::string back;
    c.get(sub + "/renamed.txt", net::string_sink(back));
    CHECK(back == body);  // binary: no line-end conversion
    CHECK_THROWS_AS(c.stat(file), core::command_error);

    // Absolute paths work too (the chroot makes the home "/").
    std::string abs_back;
    c.get("/" + sub + "/renamed.txt", net::string_sink(abs_back));
    CHECK(abs_back == body);

    c.remove(sub + "/renamed.txt");
    c.rmdir(sub);
    c.rmdir(dir);
    CHECK_FALSE(fs::exists(ftp_lab::home("alice@lab.test") + "/" + dir));
}

// vsftpd wants every data connection to resume the control connection's
// session (require_ssl_reuse); under TLS 1.2 (the default for FTPS, see
// client_options::tls13) that holds after uploads too.
TEST_CASE("a listing and a download after an upload (vsftpd require_ssl_reuse)") {
    std::vector<std::string> info;
    auto o = ftp_lab::options();
    o.trace.hook = [&](net::trace_direction d, std::string_view s) {
        if (d == net::trace_direction::info) info.emplace_back(s);
    };
    auto c = connected(net::tls_mode::starttls, ftp_lab::explicit_port, o);
    std::string dir = scratch(c, "reuse");
    for (int i = 0; i < 3; ++i) {
        c.put(dir + "/f" + std::to_string(i), net::string_source("x"));
        CHECK(c.names(dir).size() == static_cast<std::size_t>(i + 1));
        std::string back;
        c.get(dir + "/f" + std::to_string(i), net::string_sink(back));
        CHECK(back == "x");
    }
    for (int i = 0; i < 3; ++i) c.remove(dir + "/f" + std::to_string(i));
    c.rmdir(dir);
    bool tls12 = false;
    for (const auto& l : info) {
        CHECK(l.find("TLSv1.3") == std::string::npos);
        if (l.find("SSL connection using TLSv1.2") != std::string::npos) tls12 = true;
    }
    CHECK(tls12);
}

TEST_CASE("a missing file, a refused command: command_error with the server's reply, the client stays usable") {
    auto c = connected();
    std::string sink;
    try {
        c.get("no-such-file.bin", net::string_sink(sink));
        FAIL("no error");
    } catch (const core::command_error& e) {
        CHECK(e.server_reply().code == 550);
        CHECK(e.is_permanent());
    }
    CHECK_THROWS_AS(c.rmdir("no-such-dir"), core::command_error);
    CHECK_THROWS_AS(c.mkdir("welcome.txt"), core::command_error);  // exists as a file
    CHECK(c.last_reply().size() >= 1);
    CHECK(c.names("").size() >= 1);  // still works
}

TEST_CASE("CR or LF in a path is refused before anything is sent") {
    auto c = connected();
    CHECK_THROWS_AS(c.mkdir("x\r\nDELE welcome.txt"), core::request_error);
    CHECK_THROWS_AS(c.remove("a\nb"), core::request_error);
    CHECK(fs::exists(ftp_lab::home("alice@lab.test") + "/welcome.txt"));
    ftp::client never;
    CHECK_THROWS_AS(never.names(""), core::request_error);
}

// Active mode is tested without TLS: with libcurl 7.88 an active-mode TLS
// data connection to vsftpd stalls until the idle timeout (README: FTP).
TEST_CASE("implicit FTPS, active mode, and clear FTP only when asked for") {
    {
        auto c = connected(net::tls_mode::implicit, ftp_lab::implicit_port);
        CHECK(c.names("").size() >= 1);
    }
    {
        auto o = ftp_lab::options();
        o.active = true;
        auto c = connected(net::tls_mode::none, ftp_lab::plain_port, o);
        CHECK(c.names("").size() >= 1);
        std::string dir = scratch(c, "active");
        std::string data(300000, 'a');
        c.put(dir + "/f", net::string_source(data));
        std::string back;
        c.get(dir + "/f", net::string_sink(back));
        CHECK(back == data);
        c.remove(dir + "/f");
        c.rmdir(dir);
    }
    {
        auto c = connected(net::tls_mode::none, ftp_lab::plain_port);
        CHECK_FALSE(c.tls_active());
        CHECK(c.names("").size() >= 1);
    }
}

TEST_CASE("the trace shows commands and replies, PASS masked") {
    auto o = ftp_lab::options();
    std::vector<std::pair<net::trace_direction, std::string>> lines;
    o.trace.hook = [&](net::trace_direction d, std::string_view s) { lines.emplace_back(d, std::string(s)); };
    auto c = connected(net::tls_mode::starttls, ftp_lab::explicit_port, o);
    c.names("");
    bool saw_pass = false, saw_auth = false;
    for (const auto& [d, s] : lines) {
        CHECK(s.find(lab::alice.password) == std::string::npos);
        if (d == net::trace_direction::sent && s == "PASS <redacted>") saw_pass = true;
        if (d == net::trace_direction::sent && s == "AUTH TLS") saw_auth = true;
    }
    CHECK(saw_pass);
    CHECK(saw_auth);
}

TEST_CASE("a refused login is an auth_error") {
    ftp::client c;
    try {
        c.connect(ftp_lab::endpoint(net::tls_mode::starttls, ftp_lab::explicit_port),
                  {std::string(lab::alice.name), "wrong-password"}, ftp_lab::options());
        FAIL("login accepted");
    } catch (const core::auth_error& e) {
        CHECK(e.code() == core::errc::auth_failed);
        CHECK(e.server_reply().code == 530);
    }
    CHECK_FALSE(c.is_connected());
    // UTF-8 password
    ftp::client carol;
    carol.connect(ftp_lab::endpoint(net::tls_mode::implicit, ftp_lab::implicit_port),
                  {std::string(lab::carol.name), std::string(lab::carol.password)}, ftp_lab::options());
    CHECK(carol.names("").size() >= 1);
}

TEST_CASE("ftp:// to a server without AUTH TLS: refused before USER or PASS is sent") {
    auto o = ftp_lab::options();
    std::vector<std::string> sent;
    o.trace.hook = [&](net::trace_direction d, std::string_view s) {
        if (d == net::trace_direction::sent) sent.emplace_back(s);
    };
    const auto log_before = ftp_lab::file_size(ftp_lab::log_file());
    ftp::client c;
    try {
        c.connect(ftp_lab::endpoint(net::tls_mode::starttls, ftp_lab::plain_port), ftp_lab::alice(), o);
        FAIL("connected without TLS");
    } catch (const core::protocol_error& e) {
        CHECK(e.code() == core::errc::starttls_refused);
    }
    REQUIRE_FALSE(sent.empty());
    CHECK(sent.front() == "AUTH TLS");
    for (const auto& s : sent) {
        CHECK(s.rfind("USER", 0) != 0);
        CHECK(s.rfind("PASS", 0) != 0);
    }
    // The server's side: vsftpd logs every command; this connection sent
    // AUTH and no USER or PASS.
    std::string log = ftp_lab::read_from(ftp_lab::log_file(), log_before);
    INFO("vsftpd log: " << log);
    CHECK(log.find("\"AUTH TLS\"") != std::string::npos);
    CHECK(log.find("\"PASS") == std::string::npos);
    CHECK(log.find("\"USER") == std::string::npos);
}

TEST_CASE("certificates: wrong host, untrusted issuer, pins") {
    {
        ftp::client c;
        try {
            c.connect(ftp_lab::endpoint(net::tls_mode::implicit, ftp_lab::wrong_host_port), ftp_lab::alice(),
                      ftp_lab::options());
            FAIL("accepted a certificate for wrong.example");
        } catch (const net::tls_error& e) {
            CHECK(e.code() == net::tls_errc::hostname_mismatch);
        }
    }
    {
        auto o = ftp_lab::options();
        o.tls.ca_file.clear();  // the system store does not know the lab CA
        ftp::client c;
        try {
            c.connect(ftp_lab::endpoint(net::tls_mode::starttls, ftp_lab::explicit_port), ftp_lab::alice(), o);
            FAIL("accepted an unknown issuer");
        } catch (const net::tls_error& e) {
            CHECK(e.code() == net::tls_errc::untrusted_issuer);
        }
    }
    {
        // The right pin replaces the chain check (no CA given); the data
        // connections reuse the session.
        auto o = ftp_lab::options();
        o.tls.ca_file.clear();
        o.tls.pins = {lab::server_cert_sha256()};
        auto c = connected(net::tls_mode::starttls, ftp_lab::explicit_port, o);
        CHECK(c.names("").size() >= 1);
    }
    {
        auto o = ftp_lab::options();
        o.tls.pins = {"sha256:" + std::string(64, 'a')};
        ftp::client c;
        try {
            c.connect(ftp_lab::endpoint(net::tls_mode::implicit, ftp_lab::implicit_port), ftp_lab::alice(), o);
            FAIL("accepted a certificate that does not match the pin");
        } catch (const net::tls_error& e) {
            CHECK(e.code() == net::tls_errc::pin_mismatch);
        }
        o.tls.pins = {"not a pin"};
        CHECK_THROWS_AS(c.connect(ftp_lab::endpoint(net::tls_mode::implicit, ftp_lab::implicit_port), ftp_lab::alice(), o),
                        net::tls_error);
    }
    {
        // --insecure accepts the wrong host.
        auto o = ftp_lab::options();
        o.tls.verify = false;
        auto c = connected(net::tls_mode::implicit, ftp_lab::wrong_host_port, o);
        CHECK(c.names("").size() >= 1);
    }
}

TEST_CASE("resume a get after a cut (REST) and a put after a cut (APPE)") {
    auto c = connected();
    std::string dir = scratch(c, "resume");
    const std::uint64_t size = 24 * 1024 * 1024 + 12345;
    const std::string file = dir + "/data.bin";
    const std::string want = hash_of_pattern(size, 7);

    // put, cut by the source after ~10 MB
    {
        pattern_source src(size, 7);
        std::uint64_t given = 0;
        auto cutting = [&](char* buf, std::size_t cap) -> std::size_t {
            if (given > 10 * 1024 * 1024) throw std::runtime_error("cut");
            std::size_t n = src(buf, cap);
            given += n;
            return n;
        };
        CHECK_THROWS_WITH_AS(c.put(file, cutting), "cut", std::runtime_error);
    }
    // The server goes on writing what it had received before the cut (the
    // socket buffers) after libcurl dropped the connection: resume only
    // once its size stands still, as a later run of the command would.
    c.close();
    c = connected();
    std::uint64_t have = c.size(file);
    for (int i = 0; i < 50; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::uint64_t now = c.size(file);
        if (now == have) break;
        have = now;
    }
    CHECK(have > 0);
    CHECK(have < size);
    {
        // skip what the server has, append the rest
        pattern_source src(size, 7);
        std::string skip(1 << 16, '\0');
        for (std::uint64_t left = have; left > 0;)
            left -= src(skip.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, skip.size())));
        std::uint64_t last_done = 0;
        ftp::put_options po;
        po.append = true;
        po.offset = have;
        po.size = size - have;
        std::optional<std::uint64_t> bad_total;
        po.progress = [&](const ftp::transfer_progress& p) {
            last_done = p.done;
            if (p.total && *p.total != size) bad_total = p.total;
            return true;
        };
        CHECK(c.put(file, std::ref(src), po) == size - have);
        CHECK(last_done == size);
        CHECK_FALSE(bad_total);
    }
    CHECK(c.size(file) == size);

    // get, stopped by the progress callback past 8 MB
    sha256 h;
    std::uint64_t received = 0;
    auto sink = [&](std::string_view b) {
        h.update(b);
        received += b.size();
    };
    ftp::get_options go;
    std::optional<std::uint64_t> bad_total;
    go.progress = [&](const ftp::transfer_progress& p) {
        if (p.total && *p.total != size) bad_total = p.total;
        return p.done < 8 * 1024 * 1024;
    };
    try {
        c.get(file, sink, go);
        FAIL("not stopped");
    } catch (const net::transport_error& e) {
        CHECK(e.code() == net::errc::cancelled);
    }
    CHECK(received >= 8 * 1024 * 1024);
    CHECK(received < size);
    ftp::get_options rest;
    rest.offset = received;
    std::uint64_t final_done = 0;
    rest.progress = [&](const ftp::transfer_progress& p) {
        final_done = p.done;
        if (p.total && *p.total != size) bad_total = p.total;
        return true;
    };
    CHECK(c.get(file, sink, rest) == size - received);
    CHECK(final_done == size);
    CHECK_FALSE(bad_total);
    CHECK(h.hex() == want);

    // a sink that throws: the exception comes back unchanged
    CHECK_THROWS_WITH_AS(c.get(file, [](std::string_view) { throw std::logic_error("full"); }), "full",
                         std::logic_error);
    c.remove(file);
    c.rmdir(dir);
}

TEST_CASE("1 GiB round trip over explicit FTPS: equal SHA-256, peak RSS under 64 MB") {
    auto c = connected();
    std::string dir = scratch(c, "big");
    const std::uint64_t size = std::uint64_t{1} << 30;
    const std::string file = dir + "/1g.bin";
    reset_peak_rss();
    const auto rss_before = peak_rss_kb();

    sha256 sent;
    pattern_source src(size, 42);
    auto t0 = std::chrono::steady_clock::now();
    ftp::put_options po;
    po.size = size;
    std::uint64_t put_bytes = c.put(file, [&](char* buf, std::size_t cap) {
        std::size_t n = src(buf, cap);
        sent.update({buf, n});
        return n;
    }, po);
    auto t1 = std::chrono::steady_clock::now();
    CHECK(put_bytes == size);
    CHECK(c.size(file) == size);

    sha256 got;
    std::uint64_t got_bytes = c.get(file, [&](std::string_view b) { got.update(b); });
    auto t2 = std::chrono::steady_clock::now();
    CHECK(got_bytes == size);
    CHECK(got.hex() == sent.hex());
    const auto peak = peak_rss_kb();
    MESSAGE("1 GiB put " << std::chrono::duration<double>(t1 - t0).count() << " s, get "
                         << std::chrono::duration<double>(t2 - t1).count() << " s, peak RSS " << peak / 1024
                         << " MB (before: " << rss_before / 1024 << " MB)");
    CHECK(peak < 64 * 1024);
    c.remove(file);
    c.rmdir(dir);
}
