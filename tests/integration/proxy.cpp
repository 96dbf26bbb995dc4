// Proxies against the real lab: SMTP, POP3, IMAP and NNTP (STARTTLS and
// implicit TLS) through a real SOCKS5 server (Debian's microsocks) and a
// real HTTP CONNECT proxy (tinyproxy), both started here on free 127.0.0.1
// ports with temporary configurations and stopped at the end. Each proxy's
// own log shows the traffic went through it; TLS is verified against the
// lab server's name and certificate; the refusals of real proxies; and the
// CLI: --proxy, PIGEON_PROXY_PASSWORD, an account's proxy, ALL_PROXY only
// when asked for.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "integration/send_lab.hpp"
#include "pigeon/imap/client.hpp"
#include "pigeon/net/connect.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/pop3/client.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/code_of.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

using namespace pigeon;
using namespace std::chrono_literals;
namespace lab = pigeon::test::lab;
namespace sl = pigeon::test::send_lab;

namespace {

// ---- the proxy daemons --------------------------------------------------------

unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ::close(fd);
    return ntohs(sa.sin_port);
}

bool accepts(unsigned short port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

/// A proxy process: its standard output and error go to log_file; it dies
/// with the test (PR_SET_PDEATHSIG) if the destructor does not stop it.
class daemon_process {
public:
    daemon_process(const std::vector<std::string>& argv, const std::string& log_file, unsigned short port) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
            }
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!accepts(port)) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL(argv[0] << " exited at start; log: " << sl::read_file(log_file));
            }
            if (std::chrono::steady_clock::now() > deadline) FAIL(argv[0] << " did not listen on port " << port);
            std::this_thread::sleep_for(20ms);
        }
    }
    ~daemon_process() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(20ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;

private:
    pid_t pid_ = -1;
};

constexpr const char* socks_user = "bob";
constexpr const char* socks_password = "s0cks-Secret-42";
constexpr const char* http_user = "carol";
constexpr const char* http_password = "httP-Secret-77";

/// microsocks (SOCKS5 with username/password) and tinyproxy (CONNECT with
/// Basic authentication), started once for this test program.
struct proxies {
    sl::temp_dir dir;
    unsigned short socks_port = free_port();
    unsigned short http_port = free_port();
    std::string socks_log = dir.path() + "/microsocks.log";
    std::string http_log = dir.path() + "/tinyproxy.log";
    std::unique_ptr<daemon_process> socks, http;

    proxies() {
        socks = std::make_unique<daemon_process>(
            std::vector<std::string>{"microsocks", "-i", "127.0.0.1", "-p", std::to_string(socks_port), "-u",
                                     socks_user, "-P", socks_password},
            socks_log, socks_port);
        std::string conf = "Port " + std::to_string(http_port) +
                           "\nListen 127.0.0.1\nTimeout 60\nLogLevel Connect\nMaxClients 50\nAllow 127.0.0.1\n"
                           "LogFile \"" + http_log + "\"\nBasicAuth " + http_user + " " + http_password + "\n";
        std::string conf_file = dir.write("tinyproxy.conf", conf);
        http = std::make_unique<daemon_process>(std::vector<std::string>{"tinyproxy", "-d", "-c", conf_file},
                                                dir.path() + "/tinyproxy.out", http_port);
    }

    std::string log_of(net::proxy_kind k) const { return sl::read_file(k == net::proxy_kind::http ? http_log : socks_log); }

    net::proxy_options options(net::proxy_kind k, bool with_password = true) const {
        net::proxy_options p;
        p.kind = k;
        p.host = "127.0.0.1";
        p.port = k == net::proxy_kind::http ? http_port : socks_port;
        p.user = k == net::proxy_kind::http ? http_user : socks_user;
        if (with_password) p.password = k == net::proxy_kind::http ? http_password : socks_password;
        return p;
    }
    std::string url(net::proxy_kind k, bool with_password = true) const {
        auto p = options(k);
        std::string u = std::string(net::to_string(k)) + "://" + p.user;
        if (with_password) u += ":" + p.password;
        return u + "@" + p.where();
    }
};

proxies& the_proxies() {
    static proxies p;
    return p;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

/// What a proxy logs for one tunnel to the lab port: microsocks names the
/// destination as it was sent (the name with socks5h, the address with
/// socks5), tinyproxy logs the request line.
std::string log_line_for(net::proxy_kind k, std::uint16_t port) {
    switch (k) {
    case net::proxy_kind::socks5h: return "connected to localhost:" + std::to_string(port);
    case net::proxy_kind::socks5: return "connected to 127.0.0.1:" + std::to_string(port);
    case net::proxy_kind::http: return "CONNECT localhost:" + std::to_string(port) + " HTTP/1.1";
    case net::proxy_kind::none: break;
    }
    return "?";
}

/// Runs f and checks that the proxy logged one more tunnel to port.
template <class F> void through(net::proxy_kind k, std::uint16_t port, F&& f) {
    auto& px = the_proxies();
    const std::string needle = log_line_for(k, port);
    const std::size_t before = count(px.log_of(k), needle);
    f();
    // The proxy writes its line before relaying; allow for a slow write.
    std::size_t after = before;
    for (int i = 0; i < 100 && after == before; ++i) {
        after = count(px.log_of(k), needle);
        if (after == before) std::this_thread::sleep_for(20ms);
    }
    CHECK_MESSAGE(after == before + 1, "no \"" << needle << "\" in the " << net::to_string(k) << " proxy's log");
}

const net::proxy_kind all_kinds[] = {net::proxy_kind::socks5h, net::proxy_kind::socks5, net::proxy_kind::http};

/// Options for the lab through proxy k: the lab CA only, and no server_name
/// (TLS checks the endpoint's own name, "localhost").
net::session_options via(net::proxy_kind k) {
    net::session_options o;
    o.tls.ca_file = lab::ca_file();
    o.tls.ca_file_only = true;
    o.connect.connect_timeout = 10s;
    o.connect.io_timeout = 20s;
    o.proxy = the_proxies().options(k);
    return o;
}

net::endpoint lab_ep(net::protocol proto, std::uint16_t port, net::tls_mode mode) {
    net::endpoint e;
    e.proto = proto;
    e.host = "localhost";
    e.port = port;
    e.tls = mode;
    return e;
}

void check_lab_tls(const net::tls_info* t) {
    REQUIRE(t != nullptr);
    CHECK(t->verified);
    CHECK(t->sha256_fingerprint == lab::server_cert_sha256());  // the server's certificate, end to end
}

} // namespace

TEST_CASE("proxy: SMTP submission (STARTTLS, AUTH, a message delivered) and submissions through each proxy") {
    for (auto k : all_kinds) {
        CAPTURE(net::to_string(k));
        const std::string token = sl::unique_token("pigeon-proxy-smtp");
        through(k, lab::submission_port, [&] {
            smtp::client_options o;
            o.net = via(k);
            smtp::client c;
            c.connect(lab_ep(net::protocol::smtp, lab::submission_port, net::tls_mode::starttls), o);
            check_lab_tls(c.channel().tls());
            c.authenticate(lab::creds(lab::alice));
            smtp::envelope env;
            env.from = std::string(lab::alice.name);
            env.recipients.push_back({std::string(lab::alice.name), smtp::notify::none, {}});
            const std::string msg = "From: alice@lab.test\r\nTo: alice@lab.test\r\nSubject: " + token +
                                    "\r\nMessage-ID: <" + token + "@lab.test>\r\n\r\nThrough a proxy.\r\n";
            CHECK(c.send(env, msg).all_accepted());
            c.quit();
        });
        sl::temp_dir copy;
        CHECK_MESSAGE(!sl::wait_for_mail(copy, lab::alice.name, token, 30s).empty(), "message " << token << " not delivered");
        through(k, lab::submissions_port, [&] {
            smtp::client_options o;
            o.net = via(k);
            smtp::client c;
            c.connect(lab_ep(net::protocol::smtp, lab::submissions_port, net::tls_mode::implicit), o);
            check_lab_tls(c.channel().tls());
            c.authenticate(lab::creds(lab::bob));
            c.quit();
        });
    }
}

TEST_CASE("proxy: IMAP, POP3 and NNTP, STARTTLS and implicit TLS, through each proxy") {
    for (auto k : all_kinds) {
        CAPTURE(net::to_string(k));
        for (auto mode : {net::tls_mode::starttls, net::tls_mode::implicit}) {
            CAPTURE(net::to_string(mode));
            const auto imap_port = lab::port_of(net::protocol::imap, mode);
            through(k, imap_port, [&] {
                imap::client_options o;
                o.net = via(k);
                imap::client c;
                c.connect(lab_ep(net::protocol::imap, imap_port, mode), o);
                check_lab_tls(c.channel().tls());
                CHECK(c.info().starttls_used == (mode == net::tls_mode::starttls));
                c.authenticate(lab::creds(lab::alice));
                CHECK(c.select("INBOX").exists.has_value());
                c.logout();
            });
            const auto pop3_port = lab::port_of(net::protocol::pop3, mode);
            through(k, pop3_port, [&] {
                pop3::client_options o;
                o.net = via(k);
                pop3::client c;
                c.connect(lab_ep(net::protocol::pop3, pop3_port, mode), o);
                check_lab_tls(c.channel().tls());
                c.authenticate(lab::creds(lab::bob));
                (void)c.stat();
                c.quit();
            });
            const auto nntp_port = lab::port_of(net::protocol::nntp, mode);
            through(k, nntp_port, [&] {
                nntp::client_options o;
                o.net = via(k);
                nntp::client c;
                c.connect(lab_ep(net::protocol::nntp, nntp_port, mode), o);
                check_lab_tls(c.channel().tls());
                CHECK(c.group(lab::newsgroup).name == lab::newsgroup);
                c.quit();
            });
        }
    }
}

TEST_CASE("proxy: the certificate is checked against the server, not the proxy") {
    for (auto k : all_kinds) {
        CAPTURE(net::to_string(k));
        // Postfix's port with a certificate for wrong.example (lab CA).
        auto o = via(k);
        auto ec = test::code_of([&] {
            net::open_channel(lab_ep(net::protocol::smtp, lab::smtps_wrong_host_port, net::tls_mode::implicit), o);
        });
        CHECK(ec == net::tls_errc::hostname_mismatch);
        // The lab certificate names localhost, not the name asked for here.
        o.tls.server_name = "mail.example.org";
        ec = test::code_of([&] {
            net::open_channel(lab_ep(net::protocol::imap, lab::imaps_port, net::tls_mode::implicit), o);
        });
        CHECK(ec == net::tls_errc::hostname_mismatch);
        // STARTTLS too.
        pop3::client_options po;
        po.net = via(k);
        po.net.tls.server_name = "mail.example.org";
        pop3::client c;
        ec = test::code_of([&] { c.connect(lab_ep(net::protocol::pop3, lab::pop3_port, net::tls_mode::starttls), po); });
        CHECK(ec == net::tls_errc::hostname_mismatch);
    }
}

TEST_CASE("proxy: refusals of the real proxies are clear errors naming them") {
    auto& px = the_proxies();
    auto fails = [](const net::endpoint& ep, const net::session_options& o) {
        try {
            net::open_channel(ep, o);
        } catch (const std::system_error& e) {
            return std::make_pair(e.code(), std::string(e.what()));
        }
        return std::make_pair(std::error_code(), std::string("connected"));
    };
    const auto smtp_ep = lab_ep(net::protocol::smtp, lab::submission_port, net::tls_mode::starttls);
    const std::string socks_at = "proxy 127.0.0.1:" + std::to_string(px.socks_port) + ": ";
    const std::string http_at = "proxy 127.0.0.1:" + std::to_string(px.http_port) + ": ";

    auto o = via(net::proxy_kind::socks5h);
    o.proxy.password = "wrong";
    auto [ec, what] = fails(smtp_ep, o);
    CHECK(ec == net::errc::proxy_auth_failed);
    CHECK_MESSAGE(what.rfind(socks_at + "SOCKS5 proxy refused the user name or password", 0) == 0, what);

    o = via(net::proxy_kind::socks5h);
    o.proxy.user.clear();
    std::tie(ec, what) = fails(smtp_ep, o);
    CHECK(ec == net::errc::proxy_auth_failed);
    CHECK_MESSAGE(what.find("wants authentication") != std::string::npos, what);

    o = via(net::proxy_kind::http);
    o.proxy.user.clear();
    std::tie(ec, what) = fails(smtp_ep, o);
    CHECK(ec == net::errc::proxy_auth_failed);
    CHECK_MESSAGE(what.rfind(http_at + "HTTP CONNECT answered 407", 0) == 0, what);

    // Nothing listens on 127.0.0.1:1.
    for (auto k : all_kinds) {
        std::tie(ec, what) = fails(lab_ep(net::protocol::smtp, 1, net::tls_mode::starttls), via(k));
        CHECK(ec == net::errc::proxy_unreachable);
        CHECK_MESSAGE(what.rfind("proxy 127.0.0.1:", 0) == 0, what);
    }

    // A SOCKS5 URL for the HTTP proxy and the other way round: errors, not hangs.
    o = via(net::proxy_kind::socks5h);
    o.proxy.port = px.http_port;
    o.connect.io_timeout = 2s;
    auto t0 = std::chrono::steady_clock::now();
    std::tie(ec, what) = fails(smtp_ep, o);
    CHECK(ec);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK_MESSAGE(what.rfind(http_at, 0) == 0, what);
    o = via(net::proxy_kind::http);
    o.proxy.port = px.socks_port;
    o.connect.io_timeout = 2s;
    t0 = std::chrono::steady_clock::now();
    std::tie(ec, what) = fails(smtp_ep, o);
    CHECK(ec);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK_MESSAGE(what.rfind(socks_at, 0) == 0, what);
}

// ---- the command line -----------------------------------------------------------

namespace {

test::process_result run_cli(const sl::temp_dir& dir, std::vector<std::string> args,
                            std::map<std::string, std::string> env = {}, const std::string& input = {}) {
    for (const char* v : {"ALL_PROXY", "all_proxy", "PIGEON_PROXY", "PIGEON_PROXY_PASSWORD"})
        env.emplace(v, "");
    return sl::run_pigeon(dir, args, env, input, 60s);
}

} // namespace

TEST_CASE("proxy CLI: probe --proxy, the password masked, PIGEON_PROXY_PASSWORD") {
    auto& px = the_proxies();
    sl::temp_dir dir;
    const std::string imap = "imap://localhost:" + std::to_string(lab::imap_port);
    test::process_result r;
    through(net::proxy_kind::socks5h, lab::imap_port, [&] {
        r = run_cli(dir, {"probe", imap, "--tls-ca", lab::ca_file(), "--json", "-v", "--proxy",
                         px.url(net::proxy_kind::socks5h)});
    });
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["proxy"] == "socks5h://bob@127.0.0.1:" + std::to_string(px.socks_port));
    CHECK(j["tls"]["verified"] == true);
    CHECK(j["tls"]["certificate"]["sha256"] == lab::server_cert_sha256());
    CHECK(r.err.find("SOCKS5 login as bob, password <redacted>") != std::string::npos);
    CHECK(r.err.find(socks_password) == std::string::npos);
    CHECK(r.out.find(socks_password) == std::string::npos);

    // The password from the environment; the trace of the HTTP proxy masks Basic.
    const std::string pop3s = "pop3s://localhost:" + std::to_string(lab::pop3s_port);
    through(net::proxy_kind::http, lab::pop3s_port, [&] {
        r = run_cli(dir, {"probe", pop3s, "--tls-ca", lab::ca_file(), "-v", "--proxy", px.url(net::proxy_kind::http, false)},
                   {{"PIGEON_PROXY_PASSWORD", http_password}});
    });
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("proxy:       http://carol@127.0.0.1:" + std::to_string(px.http_port)) != std::string::npos);
    CHECK(r.err.find("-> Proxy-Authorization: Basic <redacted>") != std::string::npos);
    for (const auto& needle : sl::base64_needles(http_password)) CHECK(r.err.find(needle) == std::string::npos);
    // Without it: refused (tinyproxy says 401 rather than 407), exit 77 (EX_NOPERM).
    r = run_cli(dir, {"probe", pop3s, "--tls-ca", lab::ca_file(), "--proxy", px.url(net::proxy_kind::http, false)});
    CHECK(r.exit_code == 77);
    CHECK(r.err.find("proxy 127.0.0.1:" + std::to_string(px.http_port) + ": HTTP CONNECT answered 401") !=
          std::string::npos);
    // A bad URL is a usage error.
    r = run_cli(dir, {"probe", pop3s, "--proxy", "socks4://u:hidden@127.0.0.1:1"});
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("hidden") == std::string::npos);
}

TEST_CASE("proxy CLI: ALL_PROXY is honoured only when asked for") {
    auto& px = the_proxies();
    sl::temp_dir dir;
    const std::string nntp = "nntp://localhost:" + std::to_string(lab::nntp_port);
    const std::string dead = "socks5h://127.0.0.1:" + std::to_string(free_port());
    // Set but not asked for: a direct connection (the dead proxy is never tried).
    auto r = run_cli(dir, {"probe", nntp, "--tls-ca", lab::ca_file(), "--json"}, {{"ALL_PROXY", dead}, {"all_proxy", dead}});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)["proxy"].is_null());
    // Asked for: --proxy env, and PIGEON_PROXY=env; all_proxy when ALL_PROXY is unset.
    through(net::proxy_kind::socks5h, lab::nntp_port, [&] {
        r = run_cli(dir, {"probe", nntp, "--tls-ca", lab::ca_file(), "--proxy", "env"},
                   {{"ALL_PROXY", px.url(net::proxy_kind::socks5h)}});
    });
    CHECK(r.exit_code == 0);
    through(net::proxy_kind::http, lab::nntp_port, [&] {
        r = run_cli(dir, {"probe", nntp, "--tls-ca", lab::ca_file()},
                   {{"PIGEON_PROXY", "env"}, {"all_proxy", px.url(net::proxy_kind::http)}});
    });
    CHECK(r.exit_code == 0);
    // Asked for, pointing nowhere: it fails (it does not fall back to a direct connection).
    r = run_cli(dir, {"probe", nntp, "--tls-ca", lab::ca_file(), "--proxy", "env", "--timeout", "5"}, {{"ALL_PROXY", dead}});
    CHECK(r.exit_code == 75);
    CHECK(r.err.find("cannot connect to proxy 127.0.0.1") != std::string::npos);
}

TEST_CASE("proxy CLI: send with an account's proxy, --proxy none, sendmail --proxy") {
    auto& px = the_proxies();
    sl::temp_dir dir;
    const std::string account_proxy = "proxy = \"" + px.url(net::proxy_kind::socks5h) + "\"\n";
    const std::string cfg = sl::write_lab_config(dir, lab::submission_port, lab::alice, account_proxy);
    std::string token = sl::unique_token("pigeon-proxy-send");
    test::process_result r;
    through(net::proxy_kind::socks5h, lab::submission_port, [&] {
        r = run_cli(dir, {"send", "--config", cfg, "--to", std::string(lab::alice.name), "--subject", token, "--body", "x"});
    });
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(!sl::wait_for_mail(dir, lab::alice.name, token, 30s).empty());

    // --proxy overrides the account (here: none at all).
    const std::string before = px.log_of(net::proxy_kind::socks5h);
    token = sl::unique_token("pigeon-proxy-none");
    r = run_cli(dir, {"send", "--config", cfg, "--proxy", "none", "--to", std::string(lab::alice.name), "--subject",
                     token, "--body", "x"});
    CHECK(r.exit_code == 0);
    CHECK(px.log_of(net::proxy_kind::socks5h) == before);

    // sendmail, implicit TLS through the HTTP proxy.
    const std::string cfg2 = sl::write_lab_config(dir, lab::submissions_port, lab::bob);
    token = sl::unique_token("pigeon-proxy-sendmail");
    through(net::proxy_kind::http, lab::submissions_port, [&] {
        r = run_cli(dir, {"sendmail", "--config", cfg2, "--proxy", px.url(net::proxy_kind::http), "-t"}, {},
                   "To: bob@lab.test\nSubject: " + token + "\n\nthrough tinyproxy\n");
    });
    CHECK(r.exit_code == 0);
    CHECK(!sl::wait_for_mail(dir, lab::bob.name, token, 30s).empty());
}

TEST_CASE("proxy CLI: the account's proxy in the configuration file") {
    auto& px = the_proxies();
    sl::temp_dir dir;
    // A proxy password makes the file secret: refused when others can read it.
    std::string text = "[accounts.a]\nserver = \"smtp://localhost:" + std::to_string(lab::submission_port) +
                       "\"\nproxy = \"" + px.url(net::proxy_kind::socks5h) + "\"\n";
    auto path = dir.write("open.toml", text, 0644);
    auto r = run_cli(dir, {"send", "--config", path, "--dry-run", "--to", "x@example.org", "--body", "x"});
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("readable by group or others") != std::string::npos);
    // A bad proxy value, without echoing its password.
    path = dir.write("bad.toml", "[accounts.a]\nproxy = \"socks4://u:hidden@h\"\n", 0600);
    r = run_cli(dir, {"send", "--config", path, "--dry-run", "--to", "x@example.org", "--body", "x"});
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("accounts.a.proxy") != std::string::npos);
    CHECK(r.err.find("hidden") == std::string::npos);
    // proxy = "env" reads ALL_PROXY; an empty ALL_PROXY means no proxy.
    const std::string cfg = sl::write_lab_config(dir, lab::submission_port, lab::alice, "proxy = \"env\"\n");
    std::string token = sl::unique_token("pigeon-proxy-env");
    through(net::proxy_kind::http, lab::submission_port, [&] {
        r = run_cli(dir, {"send", "--config", cfg, "--to", std::string(lab::alice.name), "--subject", token, "--body", "x"},
                   {{"ALL_PROXY", px.url(net::proxy_kind::http)}});
    });
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
}
