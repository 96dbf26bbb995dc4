// OAuth2 end to end against the lab (issue 11 part 4): a local HTTPS token
// endpoint (tests/support/oauth2_server.py, the lab's certificate) issues,
// refreshes, expires and refuses tokens; the lab's Dovecot checks them
// through its oauth2 passdb and introspection endpoint, for IMAP, POP3 and
// Postfix submission (Dovecot SASL). The CLI gets its refresh token by the
// device flow and the loopback redirect with PKCE, sends and fetches with
// OAUTHBEARER and XOAUTH2, refreshes a token the server rejects exactly
// once, exits 77 with the provider's words on a refused refresh, keeps the
// token out of traces, and reaches the token endpoint through a proxy.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "integration/send_lab.hpp"
#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/outbox/send.hpp"
#include "support/lab.hpp"

using namespace std::chrono_literals;
namespace lab = pigeon::test::lab;
namespace sl = pigeon::test::send_lab;
using pigeon::test::process_result;

namespace {

/// A process started in the background through /bin/sh (its PID echoed),
/// killed by the destructor.
class background {
public:
    background(const std::string& command, const std::string& log) {
        auto r = pigeon::test::run_process("/bin/sh", {"-c", command + " >>" + log + " 2>&1 & echo $!"});
        REQUIRE(r.exit_code == 0);
        pid_ = std::stoi(r.out);
    }
    ~background() {
        if (pid_ > 0) ::kill(pid_, SIGTERM);
    }
    background(const background&) = delete;
    background& operator=(const background&) = delete;

private:
    int pid_ = -1;
};

/// The first line "ready PORT" a server writes to its log.
unsigned short wait_ready(const std::string& log) {
    for (int i = 0; i < 250; ++i) {
        std::string text = sl::read_file(log);
        if (auto p = text.find("ready "); p != std::string::npos && text.find('\n', p) != std::string::npos)
            return static_cast<unsigned short>(std::stoi(text.substr(p + 6)));
        std::this_thread::sleep_for(20ms);
    }
    FAIL("the server did not start: " << sl::read_file(log));
    return 0;
}

/// One token endpoint, a config with account "o" using it, a state dir.
struct provider {
    sl::temp_dir dir;
    std::string log = dir.path() + "/server.log";
    std::string stats = dir.path() + "/stats.json";
    std::unique_ptr<background> server;
    unsigned short port = 0;
    std::string config;
    std::string state = dir.path() + "/state";

    explicit provider(const std::string& server_args = {}, std::string user = "alice@lab.test") {
        const std::string certs = lab::dir() + "/certs";
        server = std::make_unique<background>(
            "exec /usr/bin/python3 " + std::string(PIGEON_SOURCE_DIR) + "/tests/support/oauth2_server.py token" +
                " --cert " + certs + "/server.pem --key " + certs + "/server.key --secret-file " + lab::dir() +
                "/oauth2/secret --user " + user + " --client-id pigeon-it --client-secret s3cret --stats " + stats +
                " " + server_args,
            log);
        port = wait_ready(log);
        require_lab_oauth2();
        const std::string base = "https://localhost:" + std::to_string(port);
        config = dir.write("pigeon.toml",
                           "[accounts.o]\nserver = \"smtp://localhost:" + std::to_string(lab::submission_port) +
                               "\"\nuser = \"" + user + "\"\nfrom = \"" + user + "\"\ntls_ca = \"" + lab::ca_file() +
                               "\"\n[accounts.o.oauth2]\ntoken_endpoint = \"" + base +
                               "/token\"\ndevice_endpoint = \"" + base + "/device\"\nauthorization_endpoint = \"" +
                               base + "/authorize\"\nclient_id = \"pigeon-it\"\nclient_secret = \"s3cret\"\n"
                               "scopes = [\"mail\"]\n[accounts.o.fetch]\nsource = \"imaps://localhost:" +
                               std::to_string(lab::imaps_port) + "/INBOX\"\ndestination = \"maildir:" + dir.path() +
                               "/Maildir\"\n");
    }

    process_result pigeon(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin() + (args.size() > 1 && args[0] == "oauth2" ? 2 : 1), {"--config", config});
        std::map<std::string, std::string> e{{"XDG_STATE_HOME", state}, {"BROWSER", ""}};
        for (const auto& [k, v] : env) e[k] = v;
        return sl::run_pigeon(dir, args, e, {}, 60s);
    }
    int stat(const char* key) const {
        std::string text = sl::read_file(stats);
        if (text.empty()) return 0;
        return nlohmann::json::parse(text).value(key, 0);
    }
    std::string refresh_file() const { return state + "/pigeon/oauth2/o.refresh_token"; }
    std::string cache_file() const { return state + "/pigeon/oauth2/o.access_token"; }
    /// The access token in the cache.
    std::string cached_token() const {
        std::string text = sl::read_file(cache_file());
        auto p = text.find("access_token ");
        return p == std::string::npos ? std::string() : text.substr(p + 13, text.find('\n', p) - p - 13);
    }
    /// Fails clearly when the lab's Dovecot runs without its oauth2 passdb
    /// (a lab started from a checkout without it: run lab/lab.sh start).
    static void require_lab_oauth2() {
        static const bool offered = [] {
            pigeon::test::process_options o;
            o.input = "a LOGOUT\r\n";
            o.timeout = 10s;
            auto r = pigeon::test::run_process(
                "/usr/bin/openssl", {"s_client", "-quiet", "-connect", "127.0.0.1:" + std::to_string(lab::imaps_port)}, o);
            return r.out.find("AUTH=OAUTHBEARER") != std::string::npos;
        }();
        REQUIRE_MESSAGE(offered, "the lab's Dovecot offers no OAUTHBEARER: start the lab with this lab/lab.sh");
    }
    void authorize() {
        auto r = pigeon({"oauth2", "authorize", "o", "--device"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    process_result send(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"send", "--account", "o", "--to", "bob@lab.test", "-s",
                                      sl::unique_token("oauth2"), "--body", "sent with a bearer token"};
        args.insert(args.end(), extra.begin(), extra.end());
        return pigeon(args);
    }
};

mode_t mode_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

} // namespace

TEST_CASE("oauth2: device flow, then submission with OAUTHBEARER and XOAUTH2, no token in the trace") {
    provider p;
    auto a = p.pigeon({"oauth2", "authorize", "o", "--device"});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    CHECK(a.err.find("enter the code WDJB-MJHT") != std::string::npos);
    CHECK(p.stat("device_poll") == 2);  // pending once, then approved
    CHECK(mode_of(p.refresh_file()) == 0600);
    CHECK(mode_of(p.cache_file()) == 0600);
    CHECK(mode_of(p.state + "/pigeon/oauth2") == 0700);

    auto r = p.send({"-v"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.err.find("-> AUTH OAUTHBEARER <redacted>") != std::string::npos);
    CHECK(r.err.find("235 2.7.0") != std::string::npos);
    const std::string token = p.cached_token();
    REQUIRE(token.size() > 20);
    CHECK(r.err.find(token) == std::string::npos);
    for (const auto& needle : sl::base64_needles(token)) CHECK(r.err.find(needle) == std::string::npos);
    CHECK(p.stat("refresh") == 0);  // the device flow's token was cached

    auto x = p.send({"-v", "--auth-mech", "XOAUTH2"});
    REQUIRE_MESSAGE(x.exit_code == 0, x.err);
    CHECK(x.err.find("-> AUTH XOAUTH2 <redacted>") != std::string::npos);

    // --trace-secrets shows it (base64 in the AUTH line).
    auto s = p.send({"-v", "--trace-secrets"});
    REQUIRE(s.exit_code == 0);
    bool found = false;
    for (const auto& needle : sl::base64_needles(token)) found = found || s.err.find(needle) != std::string::npos;
    CHECK(found);
}

TEST_CASE("oauth2: sendmail mode logs in with the token too") {
    provider p;
    p.authorize();
    const std::string subject = sl::unique_token("oauth2-sendmail");
    auto r = sl::run_pigeon(p.dir, {"sendmail", "--config", p.config, "-t", "-i"},
                            {{"XDG_STATE_HOME", p.state}, {"PIGEON_ACCOUNT", "o"}},
                            "To: bob@lab.test\nSubject: " + subject + "\n\nfrom cron\n", 60s);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK_FALSE(sl::wait_for_mail(p.dir, "bob", subject).empty());
}

TEST_CASE("oauth2: IMAP and POP3 logins with the token (fetch)") {
    provider p;
    p.authorize();
    auto imap = p.pigeon({"fetch", "o", "--keep", "--limit", "1", "-v"});
    CHECK_MESSAGE(imap.exit_code == 0, imap.err);
    CHECK(imap.err.find("AUTHENTICATE OAUTHBEARER <redacted>") != std::string::npos);
    CHECK(imap.err.find("Logged in") != std::string::npos);
    // The account with a pop3s source logs in with XOAUTH2 when asked to.
    std::string cfg = sl::read_file(p.config);
    cfg.replace(cfg.find("imaps://localhost:" + std::to_string(lab::imaps_port) + "/INBOX"),
                ("imaps://localhost:" + std::to_string(lab::imaps_port) + "/INBOX").size(),
                "pop3s://localhost:" + std::to_string(lab::pop3s_port));
    p.dir.write("pigeon.toml", cfg);
    auto pop2 = p.pigeon({"fetch", "o", "--keep", "--limit", "1", "-v", "--auth-mech", "XOAUTH2"});
    CHECK_MESSAGE(pop2.exit_code == 0, pop2.err);
    CHECK(pop2.err.find("-> AUTH XOAUTH2 <redacted>") != std::string::npos);
    CHECK(pop2.err.find(p.cached_token()) == std::string::npos);
}

TEST_CASE("oauth2: a token that died early is refreshed once and the login retried") {
    // Tokens live 2 s but the answers claim an hour: the cache trusts them.
    provider p("--lifetime 2 --expires-in 3600");
    p.authorize();
    const std::string first = p.cached_token();
    std::this_thread::sleep_for(2500ms);
    auto r = p.send({"-v"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(count(r.err, "-> AUTH OAUTHBEARER") == 2);
    CHECK(r.err.find("535") != std::string::npos);
    CHECK(p.stat("refresh") == 1);
    CHECK(r.err.find("=== OAuth2: cached access token") != std::string::npos);
    CHECK(r.err.find("=== OAuth2: the server rejected the access token: refreshing it once") != std::string::npos);
    CHECK(r.err.find("=== OAuth2: new access token from https://localhost:") != std::string::npos);
    CHECK(r.err.find(p.cached_token()) == std::string::npos);
    // The new token is cached for the next run.
    CHECK(p.cached_token() != first);
    CHECK(p.cached_token().rfind("at.", 0) == 0);
}

TEST_CASE("oauth2: outbox::send through an OAuth2 account refreshes a dead token and logs in with it") {
    // The library's one call with the account's oauth2 section: the cached
    // token (2 s of life, claimed an hour) is rejected, refreshed once, and
    // the login retried, as the CLI does.
    provider p("--lifetime 2 --expires-in 3600");
    p.authorize();
    const std::string first = p.cached_token();
    std::this_thread::sleep_for(2500ms);
    const std::string token = sl::unique_token("oauth2-outbox");
    auto msg = pigeon::mime::message_builder{}
                   .from("alice@lab.test")
                   .to("bob@lab.test")
                   .subject(token)
                   .text("one call, a bearer token\n")
                   .build();
    auto r = pigeon::outbox::send(
        pigeon::outbox::account_ref("o", p.config, p.state + "/pigeon"), msg);
    REQUIRE(r.recipients.size() == 1);
    CHECK(r.recipients[0].accepted());
    CHECK(p.stat("refresh") == 1);
    CHECK(p.cached_token() != first);
    REQUIRE_FALSE(sl::wait_for_mail(p.dir, "bob", token).empty());
}

TEST_CASE("oauth2: a token rejected right after its refresh is not refreshed again") {
    provider p("--lifetime 0 --expires-in 3600");  // every token is dead on arrival
    p.authorize();
    auto r = p.send({"-v"});
    CHECK(r.exit_code == 77);
    CHECK(count(r.err, "-> AUTH OAUTHBEARER") == 2);
    CHECK(p.stat("refresh") == 1);
}

TEST_CASE("oauth2: a rotated refresh token replaces the stored one") {
    provider p("--rotate");
    p.authorize();
    const std::string first = sl::read_file(p.refresh_file());
    ::unlink(p.cache_file().c_str());
    REQUIRE(p.send().exit_code == 0);
    const std::string second = sl::read_file(p.refresh_file());
    CHECK(second != first);
    CHECK(second.rfind("rt.", 0) == 0);
    CHECK(mode_of(p.refresh_file()) == 0600);
    ::unlink(p.cache_file().c_str());
    REQUIRE(p.send().exit_code == 0);
    CHECK(p.stat("refresh") == 2);
    CHECK(p.stat("refused") == 0);
}

TEST_CASE("oauth2: the client secret from a command, run only when a token is needed") {
    provider p;
    std::string cfg = sl::read_file(p.config);
    const std::string lit = "client_secret = \"s3cret\"";
    cfg.replace(cfg.find(lit), lit.size(), "client_secret_command = \"cat " + p.dir.path() + "/secret.txt\"");
    p.dir.write("pigeon.toml", cfg);
    // A dry run needs no token: the command is not run (the file is missing).
    auto dry = p.pigeon({"send", "--account", "o", "--to", "bob@lab.test", "--body", "x", "--dry-run"});
    CHECK_MESSAGE(dry.exit_code == 0, dry.err);
    auto missing = p.pigeon({"oauth2", "authorize", "o", "--device"});
    CHECK(missing.exit_code == 78);
    CHECK(missing.err.find("oauth2.client_secret_command") != std::string::npos);
    p.dir.write("secret.txt", "s3cret\n");
    p.authorize();
    ::unlink(p.cache_file().c_str());
    CHECK(p.send().exit_code == 0);
    CHECK(p.stat("refresh") == 1);
    // A wrong secret: the provider's invalid_client, exit 77.
    p.dir.write("secret.txt", "wrong\n");
    ::unlink(p.cache_file().c_str());
    auto wrong = p.send();
    CHECK(wrong.exit_code == 77);
    CHECK(wrong.err.find("invalid_client") != std::string::npos);
}

TEST_CASE("oauth2: a client secret in a file others can read is refused") {
    provider p;
    ::chmod(p.config.c_str(), 0644);
    auto r = p.pigeon({"oauth2", "token", "o"});
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("oauth2: a refused refresh exits 77 with the provider's words") {
    provider p;
    p.authorize();
    p.dir.write("state/pigeon/oauth2/o.refresh_token", "rt.revoked.x\n");
    ::unlink(p.cache_file().c_str());
    auto r = p.send();
    CHECK(r.exit_code == 77);
    CHECK(r.err.find("invalid_grant: Token has been expired or revoked.") != std::string::npos);
    CHECK(r.err.find("pigeon oauth2 authorize o") != std::string::npos);
    // The same from fetch and from `pigeon oauth2 token`.
    auto f = p.pigeon({"fetch", "o", "--keep", "--limit", "1"});
    CHECK(f.exit_code == 77);
    CHECK(f.err.find("Token has been expired or revoked.") != std::string::npos);
    auto t = p.pigeon({"oauth2", "token", "o"});
    CHECK(t.exit_code == 77);
    CHECK(t.out.empty());
    // No refresh token at all: a configuration problem, with the remedy.
    ::unlink(p.refresh_file().c_str());
    auto none = p.send();
    CHECK(none.exit_code == 78);
    CHECK(none.err.find("run: pigeon oauth2 authorize o") != std::string::npos);
    // A refresh token file others can read is refused.
    p.dir.write("state/pigeon/oauth2/o.refresh_token", "rt.x.y\n", 0644);
    auto open = p.send();
    CHECK(open.exit_code == 78);
    CHECK(open.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("oauth2: the loopback redirect with PKCE, and a denial") {
    provider p;
    const std::string browser = "curl -s --cacert " + lab::ca_file() + " -L -o /dev/null";
    auto a = p.pigeon({"oauth2", "authorize", "o", "--browser", browser, "--wait", "30"});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    CHECK(a.err.find("code_challenge_method=S256") != std::string::npos);
    CHECK(p.stat("code") == 1);
    CHECK(mode_of(p.refresh_file()) == 0600);
    auto t = p.pigeon({"oauth2", "token", "o"});
    REQUIRE(t.exit_code == 0);
    CHECK(t.out == p.cached_token() + "\n");
    CHECK(p.send().exit_code == 0);

    provider no("--deny");
    auto d = no.pigeon({"oauth2", "authorize", "o", "--browser", browser, "--wait", "30"});
    CHECK(d.exit_code == 77);
    CHECK(d.err.find("access_denied: The user said no") != std::string::npos);
    auto dd = no.pigeon({"oauth2", "authorize", "o", "--device"});
    CHECK(dd.exit_code == 77);
    CHECK(dd.err.find("The user said no") != std::string::npos);
}

TEST_CASE("oauth2: the token endpoint's certificate is verified") {
    provider p;
    // Without the lab CA the endpoint's certificate is not trusted.
    std::string cfg = sl::read_file(p.config);
    cfg.replace(cfg.find("tls_ca = "), cfg.find('\n', cfg.find("tls_ca = ")) - cfg.find("tls_ca = "), "");
    p.dir.write("pigeon.toml", cfg);
    auto r = p.pigeon({"oauth2", "authorize", "o", "--device"});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("certificate") != std::string::npos);
    CHECK(p.stat("device") == 0);
    // A certificate for another name, from the lab CA: refused too.
    const std::string certs = lab::dir() + "/certs";
    provider wrong("--cert " + certs + "/wrong-host.pem --key " + certs + "/wrong-host.key");
    auto w = wrong.pigeon({"oauth2", "authorize", "o", "--device"});
    CHECK(w.exit_code == 69);
    CHECK(w.err.find("certificate") != std::string::npos);
    CHECK(wrong.stat("device") == 0);
}

TEST_CASE("oauth2: the HTTPS calls go through the configured proxy") {
    provider p;
    sl::temp_dir d;
    const std::string plog = d.path() + "/microsocks.log";
    // A free port: the redirect listener's trick, through the shell.
    auto port_r = pigeon::test::run_process(
        "/usr/bin/python3", {"-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"});
    const std::string pport = port_r.out.substr(0, port_r.out.find('\n'));
    background socks("exec microsocks -i 127.0.0.1 -p " + pport, plog);
    std::this_thread::sleep_for(300ms);
    auto a = p.pigeon({"oauth2", "authorize", "o", "--device", "--proxy", "socks5h://127.0.0.1:" + pport});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    CHECK(count(sl::read_file(plog), "connected to localhost:" + std::to_string(p.port)) >= 3);
    // The account's proxy is used for the refresh as for the mail server.
    ::unlink(p.cache_file().c_str());
    const std::size_t before = count(sl::read_file(plog), "connected to localhost:" + std::to_string(p.port));
    auto s = p.send({"--proxy", "socks5h://127.0.0.1:" + pport});
    REQUIRE_MESSAGE(s.exit_code == 0, s.err);
    CHECK(count(sl::read_file(plog), "connected to localhost:" + std::to_string(p.port)) == before + 1);
    CHECK(count(sl::read_file(plog), "connected to localhost:" + std::to_string(lab::submission_port)) >= 1);
    // An HTTP CONNECT proxy with Basic authentication (tinyproxy), the
    // password from PIGEON_PROXY_PASSWORD.
    auto hport_r = pigeon::test::run_process(
        "/usr/bin/python3", {"-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"});
    const std::string hport = hport_r.out.substr(0, hport_r.out.find('\n'));
    const std::string hlog = d.path() + "/tinyproxy.log";
    const std::string conf = d.write("tinyproxy.conf", "Port " + hport +
                                                           "\nListen 127.0.0.1\nTimeout 60\nLogLevel Connect\n"
                                                           "Allow 127.0.0.1\nLogFile \"" + hlog +
                                                           "\"\nBasicAuth carol httP-Secret-77\n");
    background http("exec tinyproxy -d -c " + conf, d.path() + "/tinyproxy.out");
    std::this_thread::sleep_for(300ms);
    ::unlink(p.cache_file().c_str());
    auto h = p.pigeon({"oauth2", "token", "o", "--proxy", "http://carol@127.0.0.1:" + hport},
                      {{"PIGEON_PROXY_PASSWORD", "httP-Secret-77"}});
    REQUIRE_MESSAGE(h.exit_code == 0, h.err);
    CHECK(count(sl::read_file(hlog), "CONNECT localhost:" + std::to_string(p.port)) == 1);
    // A wrong proxy password: refused, the proxy named, the password not shown.
    ::unlink(p.cache_file().c_str());
    auto hw = p.pigeon({"oauth2", "token", "o", "--proxy", "http://carol@127.0.0.1:" + hport},
                       {{"PIGEON_PROXY_PASSWORD", "wrong-pass"}});
    CHECK(hw.exit_code == 77);
    CHECK(hw.err.find("127.0.0.1:" + hport) != std::string::npos);
    CHECK(hw.err.find("wrong-pass") == std::string::npos);

    // A proxy that is not there: a clear error naming it, no hang.
    auto bad = p.pigeon({"oauth2", "authorize", "o", "--device", "--proxy", "socks5h://127.0.0.1:1"});
    CHECK(bad.exit_code != 0);
    CHECK(bad.err.find("127.0.0.1:1") != std::string::npos);
}
