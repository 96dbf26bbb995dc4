// The outbox (pigeon send --queue, sendmail's spool, pigeon queue) against
// the lab's Postfix, which is shared and never stopped: "server down" is a
// cutting_proxy in front of the submission port that closes every
// connection at once, "back" is the same proxy forwarding. A 4xx for one
// recipient comes from a small fake server below (its answers differ per
// connection, which a transcript cannot do). Delivery is checked in the lab
// Maildir itself, not through pigeon.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "integration/send_lab.hpp"
#include "pigeon/account/error.hpp"
#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/outbox/send.hpp"
#include "support/cutting_proxy.hpp"

using namespace pigeon::test;
using namespace pigeon::test::send_lab;

namespace {

/// A plain-text SMTP server on 127.0.0.1: refuses `refused` with 550 and
/// defers `deferred` with 450 on its first connection only; records the
/// RCPT TO addresses of each connection and counts messages.
class flaky_server {
public:
    /// refused_later: deferred on the first connection, refused with 550 on the others.
    flaky_server(std::set<std::string> deferred, std::set<std::string> refused, std::set<std::string> refused_later = {})
        : deferred_(std::move(deferred)), refused_(std::move(refused)), refused_later_(std::move(refused_later)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("flaky_server: cannot listen");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~flaky_server() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    std::uint16_t port() const { return port_; }
    std::vector<std::vector<std::string>> rcpts() {
        std::lock_guard<std::mutex> l(m_);
        return rcpts_;
    }
    int messages() const { return messages_; }

private:
    void serve() {
        while (!stop_) {
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            timeval tv{5, 0};
            ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            {
                std::lock_guard<std::mutex> l(m_);
                rcpts_.emplace_back();
            }
            session(c, rcpts_.size() == 1);
            ::close(c);
        }
    }
    void session(int c, bool first) {
        std::string buf;
        auto send = [c](const std::string& s) { return ::send(c, s.data(), s.size(), MSG_NOSIGNAL) >= 0; };
        auto line = [&](std::string& out) {
            for (;;) {
                const auto nl = buf.find("\r\n");
                if (nl != std::string::npos) {
                    out = buf.substr(0, nl);
                    buf.erase(0, nl + 2);
                    return true;
                }
                char tmp[4096];
                const ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
                if (n <= 0) return false;
                buf.append(tmp, static_cast<std::size_t>(n));
            }
        };
        send("220 flaky.lab.test ESMTP\r\n");
        std::string l;
        while (line(l)) {
            const std::string verb = l.substr(0, 4);
            if (verb == "EHLO") send("250-flaky.lab.test\r\n250 ENHANCEDSTATUSCODES\r\n");
            else if (verb == "MAIL" || verb == "RSET" || verb == "NOOP") send("250 2.0.0 Ok\r\n");
            else if (verb == "RCPT") {
                const auto lt = l.find('<'), gt = l.find('>');
                const std::string addr = l.substr(lt + 1, gt - lt - 1);
                {
                    std::lock_guard<std::mutex> g(m_);
                    rcpts_.back().push_back(addr);
                }
                if (refused_.count(addr) || (!first && refused_later_.count(addr)))
                    send("550 5.1.1 <" + addr + ">: no such user\r\n");
                else if (first && (deferred_.count(addr) || refused_later_.count(addr)))
                    send("450 4.2.0 <" + addr + ">: mailbox busy\r\n");
                else send("250 2.1.5 Ok\r\n");
            } else if (verb == "DATA") {
                send("354 go ahead\r\n");
                while (line(l) && l != ".") {
                }
                ++messages_;
                send("250 2.0.0 Ok: queued as F" + std::to_string(messages_.load()) + "\r\n");
            } else if (verb == "QUIT") {
                send("221 2.0.0 Bye\r\n");
                return;
            } else send("502 5.5.2 what?\r\n");
        }
    }

    std::set<std::string> deferred_, refused_, refused_later_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> messages_{0};
    std::mutex m_;
    std::vector<std::vector<std::string>> rcpts_;
};

/// Starts `pigeon queue run ARGS... --state-dir STATE` in the background,
/// HOME in dir, standard error discarded; returns its pid.
pid_t start_queue_run(const temp_dir& dir, const std::string& state, std::vector<std::string> args) {
    args.insert(args.begin(), {"pigeon", "queue", "run"});
    args.insert(args.end(), {"--state-dir", state});
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("HOME", dir.path().c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir.path() + "/xdg").c_str(), 1);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(pigeon_cli().c_str(), argv.data());
        ::_exit(127);
    }
    return pid;
}

/// Queues n messages to alice (subjects token-I-end) with send --queue.
void queue_to_alice(const temp_dir& dir, const std::string& cfg, const std::string& state, const std::string& token,
                    int n) {
    for (int i = 0; i < n; ++i) {
        auto r = run_pigeon(dir, {"send", "--queue", "--config", cfg, "--state-dir", state, "--to", "alice@lab.test",
                                  "-s", token + "-" + std::to_string(i) + "-end", "--body", "x\n"});
        REQUIRE(r.exit_code == 0);
    }
}

/// The exit status of a child, 128 + signal when killed.
int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

nlohmann::json queue_list(const temp_dir& dir, const std::string& state) {
    auto r = run_pigeon(dir, {"queue", "list", "--json", "--state-dir", state});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
}

/// Messages in the user's Maildir whose header holds needle, counted
/// independently of pigeon.
int count_mail(std::string_view user, const std::string& needle) {
    int n = 0;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(lab::maildir(user)) / sub, ec), end; !ec && it != end; it.increment(ec)) {
            std::string raw = read_file(it->path().string());
            raw.resize(std::min(raw.find("\n\n"), raw.size()));
            if (raw.find(needle) != std::string::npos) ++n;
        }
    }
    return n;
}

/// A lab config whose server is 127.0.0.1:port through the proxy (STARTTLS,
/// the lab CA, the name "localhost").
std::string proxied_config(const temp_dir& dir, std::uint16_t port) {
    std::string t = read_file(write_lab_config(dir, lab::submission_port, lab::alice));
    const std::string from = "localhost:" + std::to_string(lab::submission_port);
    t.replace(t.find(from), from.size(), "localhost:" + std::to_string(port));
    return dir.write("pigeon.toml", t);
}

} // namespace

TEST_CASE("outbox: server down -> queued (exit 0) -> back -> delivered exactly once, logged") {
    temp_dir dir;
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);  // every connection closed at once: the server is "down"
    const std::string cfg = proxied_config(dir, proxy.port());
    const std::string state = dir.path() + "/state", log = dir.path() + "/delivery.log";
    const std::string token = unique_token("outbox-down");
    auto r = run_pigeon(dir, {"send", "--queue", "--config", cfg, "--state-dir", state, "--log", log, "--to",
                              "alice@lab.test", "-s", token, "--body", "queued while down\n"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("queued as ") != std::string::npos);
    auto list = queue_list(dir, state);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["attempts"] == 1);
    CHECK(list[0]["due"] == false);
    CHECK(list[0]["recipients"][0]["state"] == "pending");
    CHECK(list[0]["server"] == "smtp://localhost:" + std::to_string(proxy.port()));

    // Not due yet: a plain run leaves it; --dry-run changes nothing.
    r = run_pigeon(dir, {"queue", "run", "--state-dir", state});
    CHECK(r.exit_code == 0);
    r = run_pigeon(dir, {"queue", "run", "--all", "--dry-run", "--state-dir", state});
    CHECK(r.out.find("would send " + list[0]["id"].get<std::string>()) != std::string::npos);
    CHECK(queue_list(dir, state)[0]["attempts"] == 1);
    // Still down: --all tries again, backoff grows.
    r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state, "--log", log});
    CHECK(r.exit_code == 0);
    CHECK(queue_list(dir, state)[0]["attempts"] == 2);
    CHECK(count_mail("alice", token) == 0);

    proxy.set_cut(std::nullopt);  // back
    r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state, "--log", log});
    INFO("run stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(queue_list(dir, state).empty());
    REQUIRE_FALSE(wait_for_mail(dir, "alice", token).empty());
    r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state});  // nothing left to send
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(count_mail("alice", token) == 1);
    const std::string logged = read_file(log);
    CHECK(logged.find("status=deferred") != std::string::npos);
    CHECK(logged.find("status=sent") != std::string::npos);
    CHECK(logged.find("auth=") != std::string::npos);
    CHECK(logged.find("tls=TLSv1.") != std::string::npos);
    CHECK(logged.find("recipients=alice@lab.test size=") != std::string::npos);
    CHECK(logged.find("spool_id=" + list[0]["id"].get<std::string>()) != std::string::npos);
}

TEST_CASE("outbox: a 4xx for one recipient is retried for that recipient only, 5xx never") {
    temp_dir dir;
    flaky_server srv({"b@lab.test"}, {"c@lab.test"});
    const std::string state = dir.path() + "/state";
    auto r = run_pigeon(dir, {"send", "--queue", "--server", "smtp://127.0.0.1:" + std::to_string(srv.port()), "--tls",
                              "none", "--state-dir", state, "--from", "alerts@lab.test", "--to",
                              "a@lab.test,b@lab.test,c@lab.test", "-s", "partial", "--body", "x\n"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);  // kept for b
    CHECK(r.err.find("recipient refused: c@lab.test") != std::string::npos);
    CHECK(r.err.find("550 5.1.1") != std::string::npos);
    auto list = queue_list(dir, state);
    REQUIRE(list.size() == 1);
    const auto& rc = list[0]["recipients"];
    CHECK(rc[0]["state"] == "delivered");
    CHECK(rc[1]["state"] == "pending");
    CHECK(rc[1]["last_reply"] == "450 4.2.0 <b@lab.test>: mailbox busy");
    CHECK(rc[2]["state"] == "failed");
    r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state});
    CHECK(r.exit_code == 0);
    CHECK(queue_list(dir, state).empty());
    const auto seen = srv.rcpts();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == std::vector<std::string>{"a@lab.test", "b@lab.test", "c@lab.test"});
    CHECK(seen[1] == std::vector<std::string>{"b@lab.test"});
    CHECK(srv.messages() == 2);
}

TEST_CASE("outbox: a message refused for good is not queued (exit 67)") {
    temp_dir dir;
    flaky_server srv({}, {"c@lab.test"});
    const std::string state = dir.path() + "/state";
    auto r = run_pigeon(dir, {"send", "--queue", "--json", "--server", "smtp://127.0.0.1:" + std::to_string(srv.port()),
                              "--tls", "none", "--state-dir", state, "--from", "alerts@lab.test", "--to", "c@lab.test",
                              "-s", "refused", "--body", "x\n"});
    CHECK(r.exit_code == 67);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "failed");
    CHECK(j["exit_code"] == 67);
    CHECK(queue_list(dir, state).empty());
}

TEST_CASE("outbox::send through a configured account: one call, the account's server, TLS and password_command") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("account-send");
    auto msg = pigeon::mime::message_builder{}
                   .from("alice@lab.test")
                   .to("alice@lab.test")
                   .bcc("bob@lab.test")
                   .subject(token)
                   .text("sent by outbox::send with an account\n")
                   .build();
    // The default account ("lab": default = true), then the same by name.
    auto r = pigeon::outbox::send(pigeon::outbox::account_ref("", cfg), msg);
    REQUIRE(r.recipients.size() == 2);
    for (const auto& rc : r.recipients) CHECK(rc.accepted());
    REQUIRE_FALSE(wait_for_mail(dir, "alice", token).empty());
    REQUIRE_FALSE(wait_for_mail(dir, "bob", token).empty());
    r = pigeon::outbox::send(pigeon::outbox::account_ref("lab", cfg), msg);
    CHECK(r.recipients.size() == 2);

    // What cannot work says so, as account::error (the CLI's exit 78).
    auto config_error = [&](const pigeon::outbox::account_ref& ref, const std::string& says) {
        try {
            pigeon::outbox::send(ref, msg);
            FAIL("no error for " << says);
        } catch (const pigeon::account::error& e) {
            CHECK(e.code() == pigeon::account::errc::config);
            CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
        }
    };
    config_error(pigeon::outbox::account_ref("nosuch", cfg), "no account named nosuch");
    config_error(pigeon::outbox::account_ref("", dir.path() + "/missing.toml"), "cannot open");
    const std::string bad_pw = dir.write("bad.toml", "[accounts.x]\nserver = \"smtp://localhost:" +
                                                       std::to_string(lab::submission_port) + "\"\ntls_ca = \"" +
                                                       lab::ca_file() + "\"\nuser = \"alice@lab.test\"\n"
                                                       "password_command = \"exit 3\"\n");
    config_error(pigeon::outbox::account_ref("x", bad_pw), "password_command");
    // A wrong password is the server's answer: an auth error, not a config one.
    const std::string wrong = dir.write("wrong.toml", "[accounts.w]\nserver = \"smtp://localhost:" +
                                                        std::to_string(lab::submission_port) + "\"\ntls_ca = \"" +
                                                        lab::ca_file() + "\"\nuser = \"alice@lab.test\"\n"
                                                        "password_command = \"echo wrong-password\"\n");
    CHECK_THROWS_AS(pigeon::outbox::send(pigeon::outbox::account_ref("w", wrong), msg),
                    pigeon::smtp::auth_error);
}

TEST_CASE("delivery log to syslog: a mail-facility line per message, warning when it failed") {
    temp_dir dir;
    // A datagram socket standing in for the syslog daemon's /dev/log.
    const std::string sock_path = dir.path() + "/log.sock";
    int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(s >= 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    REQUIRE(sock_path.size() < sizeof sa.sun_path);
    std::memcpy(sa.sun_path, sock_path.c_str(), sock_path.size() + 1);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    timeval tv{5, 0};
    ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto next_record = [&] {
        char buf[8192];
        ssize_t n = ::recv(s, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    };
    const std::string wrapper = std::string(PIGEON_SOURCE_DIR) + "/tests/support/with-dev-log.sh";
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("syslog");
    process_options o;
    o.env = {{"HOME", dir.path()}, {"XDG_CONFIG_HOME", dir.path() + "/xdg"}, {"PIGEON_CONFIG", ""},
             {"PIGEON_LOG", ""}};
    o.timeout = std::chrono::seconds(60);

    auto r = run_process(wrapper, {sock_path, pigeon_cli(), "send", "--config", cfg, "--log", "syslog", "--to",
                                   "alice@lab.test", "-s", token, "--body", "to syslog\n"},
                         o);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    std::string rec = next_record();
    INFO("record: " << rec);
    // <22>: facility mail (2) * 8 + info (6); the ident and pid; the fields.
    CHECK(rec.rfind("<22>", 0) == 0);
    CHECK(rec.find("pigeon[") != std::string::npos);
    CHECK(rec.find("account=lab") != std::string::npos);
    CHECK(rec.find("recipients=alice@lab.test") != std::string::npos);
    CHECK(rec.find("tls=") != std::string::npos);
    CHECK(rec.find(" status=sent ") != std::string::npos);
    CHECK(rec.find("queue_id=") != std::string::npos);
    CHECK(rec.find('\n') == std::string::npos);
    REQUIRE_FALSE(wait_for_mail(dir, "alice", token).empty());

    // Refused for good (5xx): logged at warning, <20> = mail * 8 + warning (4).
    flaky_server srv({}, {"c@lab.test"});
    r = run_process(wrapper, {sock_path, pigeon_cli(), "send", "--server", "smtp://127.0.0.1:" + std::to_string(srv.port()),
                              "--tls", "none", "--from", "alerts@lab.test", "--to", "c@lab.test", "-s", "refused",
                              "--body", "x\n", "--log", "syslog"},
                    o);
    CHECK(r.exit_code == 67);
    rec = next_record();
    INFO("record: " << rec);
    CHECK(rec.rfind("<20>", 0) == 0);
    CHECK(rec.find("recipients=c@lab.test") != std::string::npos);
    CHECK(rec.find(" status=sent ") == std::string::npos);
    ::close(s);
}

TEST_CASE("outbox: sendmail keeps what the server cannot take now, --no-queue does not, drop") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string state = dir.path() + "/state";
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);  // closes every connection at once
    const std::string down = "smtp://localhost:" + std::to_string(proxy.port());
    const std::string msg = "To: alice@lab.test\nSubject: spooled\n\nbody\n";
    auto r = run_pigeon(dir, {"sendmail", "--config", cfg, "--server", down, "--state-dir", state, "-t"}, {}, msg);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("queued as ") != std::string::npos);
    auto list = queue_list(dir, state);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["from"] == "alice@lab.test");
    r = run_pigeon(dir, {"sendmail", "--config", cfg, "--server", down, "--state-dir", state, "--no-queue", "-t"}, {},
                   msg);
    CHECK(r.exit_code == 75);
    CHECK(queue_list(dir, state).size() == 1);
    const std::string id = list[0]["id"];
    r = run_pigeon(dir, {"queue", "drop", id, "--state-dir", state});
    CHECK(r.exit_code == 0);
    CHECK(queue_list(dir, state).empty());
    r = run_pigeon(dir, {"queue", "drop", id, "--state-dir", state});
    CHECK(r.exit_code == 66);
    // Up: sendmail delivers at once and leaves nothing behind.
    const std::string token = unique_token("outbox-sendmail");
    r = run_pigeon(dir, {"sendmail", "--config", cfg, "--state-dir", state, "-t"}, {},
                   "To: alice@lab.test\nSubject: " + token + "\n\nbody\n");
    CHECK(r.exit_code == 0);
    CHECK(queue_list(dir, state).empty());
    CHECK_FALSE(wait_for_mail(dir, "alice", token).empty());
}

TEST_CASE("outbox: a damaged entry is moved aside with a clear message, the others still go") {
    temp_dir dir;
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);
    const std::string cfg = proxied_config(dir, proxy.port());
    const std::string state = dir.path() + "/state";
    const std::string token = unique_token("outbox-corrupt");
    std::vector<std::string> ids;
    queue_to_alice(dir, cfg, state, token, 2);
    auto list = queue_list(dir, state);
    REQUIRE(list.size() == 2);
    const std::string bad = list[0]["id"];
    const bool bad_is_0 = read_file(state + "/outbox/" + bad + ".msg").find(token + "-0-end") != std::string::npos;
    const std::string bad_subject = token + (bad_is_0 ? "-0-end" : "-1-end");
    const std::string good_subject = token + (bad_is_0 ? "-1-end" : "-0-end");
    const std::string meta = state + "/outbox/" + bad + ".meta";
    const std::string text = read_file(meta);
    dir.write("state/outbox/" + bad + ".meta", text.substr(0, text.size() - 10));
    CHECK(queue_list(dir, state)[0]["damaged"] == true);
    proxy.set_cut(std::nullopt);
    auto r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state});
    CHECK(r.err.find("outbox entry " + bad + " is damaged") != std::string::npos);
    CHECK(r.err.find("moved to " + state + "/outbox/corrupt/" + bad + ".meta") != std::string::npos);
    CHECK(fs::exists(state + "/outbox/corrupt/" + bad + ".msg"));
    CHECK(queue_list(dir, state).empty());
    CHECK_FALSE(wait_for_mail(dir, "alice", good_subject).empty());
    CHECK(count_mail("alice", bad_subject) == 0);
}

TEST_CASE("outbox: kill -9 in the middle of a run -> nothing lost, nothing sent twice") {
    temp_dir dir;
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);
    const std::string cfg = proxied_config(dir, proxy.port());
    const std::string state = dir.path() + "/state";
    const std::string token = unique_token("outbox-kill");
    constexpr int n = 12;
    queue_to_alice(dir, cfg, state, token, n);
    REQUIRE(queue_list(dir, state).size() == n);
    proxy.set_cut(std::nullopt);
    // Each round starts a run and kills it with SIGKILL a few milliseconds
    // after it has finished an entry (the entry count went down): in the
    // middle of the next entry's connection, handshake or data. (A kill in
    // the instant between the server's final 250 and the moment the runner
    // has read it cannot be told from a lost reply by any SMTP client
    // (RFC 1047): that message would be sent again. The runner records the
    // reply before QUIT with a rename, narrowing that to the reply's time on
    // the wire, which this test does not aim at.)
    auto entries = [&] {
        std::size_t k = 0;
        std::error_code ec;
        for (fs::directory_iterator it(state + "/outbox", ec), end; !ec && it != end; it.increment(ec))
            k += it->path().extension() == ".meta";
        return k;
    };
    int kills = 0;
    for (int round = 0; round < 4; ++round) {
        const std::size_t before = entries();
        if (before < 2) break;
        const pid_t pid = start_queue_run(dir, state, {"--all"});
        REQUIRE(pid > 0);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (entries() >= before && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + 6 * round));
        if (::kill(pid, SIGKILL) == 0) ++kills;
        const int code = wait_exit(pid);
        CHECK((code == 128 + SIGKILL || code == 0));
    }
    CHECK(kills >= 3);
    CHECK(entries() > 0);  // the kills stopped runs with work left
    auto r = run_pigeon(dir, {"queue", "run", "--all", "--state-dir", state});
    INFO("stderr: " << r.err);
    CHECK(queue_list(dir, state).empty());
    for (int i = 0; i < n; ++i) REQUIRE_FALSE(wait_for_mail(dir, "alice", token + "-" + std::to_string(i) + "-end").empty());
    std::this_thread::sleep_for(std::chrono::seconds(2));  // anything sent twice has arrived by now
    for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(count_mail("alice", token + "-" + std::to_string(i) + "-end") == 1);
    }
}

TEST_CASE("send: DSN options reach the server (--notify, --ret, --envid)") {
    temp_dir dir;
    const std::string cfg = write_lab_config(dir, lab::submission_port, lab::alice);
    const std::string token = unique_token("dsn");
    const std::string log = dir.path() + "/delivery.log";
    auto r = run_pigeon(dir, {"send", "--config", cfg, "-v", "--to", "alice@lab.test", "-s", token, "--body", "x\n",
                              "--notify", "failure,delay", "--ret", "hdrs", "--envid", "env-" + token},
                        {{"PIGEON_LOG", log}});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    const std::string logged = read_file(log);  // the log of a send without the outbox
    CHECK(logged.find(" account=lab host=localhost:10587 tls=TLSv1.") != std::string::npos);
    CHECK(logged.find(" from=alice@lab.test recipients=alice@lab.test size=") != std::string::npos);
    CHECK(logged.find(" status=sent queue_id=") != std::string::npos);
    CHECK(logged.find(" spool_id=- reply=\"250 ") != std::string::npos);
    CHECK(logged.find("auth=SCRAM-SHA-256") != std::string::npos);
    CHECK(r.err.find("RET=HDRS ENVID=env-" + token) != std::string::npos);
    CHECK(r.err.find("NOTIFY=FAILURE,DELAY") != std::string::npos);
    CHECK_FALSE(wait_for_mail(dir, "alice", token).empty());
    r = run_pigeon(dir, {"send", "--config", cfg, "--to", "alice@lab.test", "--body", "x", "--notify", "sometimes"});
    CHECK(r.exit_code == 64);
}

TEST_CASE("outbox: the lifetime ends in a report on stderr and in the log, the entry removed") {
    temp_dir dir;
    const std::string state = dir.path() + "/state", log = dir.path() + "/delivery.log";
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);
    const std::string down = "smtp://127.0.0.1:" + std::to_string(proxy.port());
    auto r = run_pigeon(dir, {"send", "--queue", "--server", down, "--tls", "none", "--state-dir", state, "--from",
                              "alerts@lab.test", "--to", "ops@lab.test", "-s", "doomed", "--body", "x\n"});
    REQUIRE(r.exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    r = run_pigeon(dir, {"queue", "run", "--all", "--lifetime", "0.00001", "--state-dir", state, "--log", log});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("gave up on ops@lab.test") != std::string::npos);
    CHECK(r.err.find("(outbox entry ") != std::string::npos);
    CHECK(queue_list(dir, state).empty());
    CHECK(read_file(log).find("status=expired") != std::string::npos);
}

TEST_CASE("outbox: queue run --watch retries when the backoff is over, stops on SIGTERM") {
    temp_dir dir;
    flaky_server srv({"b@lab.test"}, {});
    const std::string state = dir.path() + "/state";
    auto r = run_pigeon(dir, {"send", "--queue", "--retry-delay", "1", "--server",
                              "smtp://127.0.0.1:" + std::to_string(srv.port()), "--tls", "none", "--state-dir", state,
                              "--from", "alerts@lab.test", "--to", "a@lab.test,b@lab.test", "-s", "w", "--body", "x\n"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(queue_list(dir, state).size() == 1);
    const pid_t pid = start_queue_run(dir, state, {"--watch", "--interval", "0.2"});
    REQUIRE(pid > 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (srv.messages() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(pid, SIGTERM);
    CHECK(wait_exit(pid) == 0);
    CHECK(srv.messages() == 2);
    CHECK(srv.rcpts().back() == std::vector<std::string>{"b@lab.test"});
    CHECK(queue_list(dir, state).empty());
}

TEST_CASE("outbox: three concurrent runs send every message exactly once") {
    temp_dir dir;
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);
    const std::string cfg = proxied_config(dir, proxy.port());
    const std::string state = dir.path() + "/state";
    const std::string token = unique_token("outbox-concurrent");
    constexpr int n = 8;
    queue_to_alice(dir, cfg, state, token, n);
    proxy.set_cut(std::nullopt);
    std::vector<pid_t> runs;
    for (int k = 0; k < 3; ++k) runs.push_back(start_queue_run(dir, state, {"--all"}));
    for (pid_t pid : runs) CHECK(wait_exit(pid) == 0);
    CHECK(queue_list(dir, state).empty());
    for (int i = 0; i < n; ++i) REQUIRE_FALSE(wait_for_mail(dir, "alice", token + "-" + std::to_string(i) + "-end").empty());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(count_mail("alice", token + "-" + std::to_string(i) + "-end") == 1);
    }
}

TEST_CASE("outbox: sendmail -q runs what is due, an unusable state directory falls back to sending directly") {
    temp_dir dir;
    flaky_server srv({"b@lab.test"}, {});
    const std::string state = dir.path() + "/state";
    const std::string server = "smtp://127.0.0.1:" + std::to_string(srv.port());
    auto r = run_pigeon(dir, {"sendmail", "--server", server, "--tls", "none", "--state-dir", state, "-f",
                              "alerts@lab.test", "a@lab.test", "b@lab.test"},
                        {}, "Subject: q\n\nx\n");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(queue_list(dir, state).size() == 1);
    r = run_pigeon(dir, {"sendmail", "-q", "--state-dir", state});  // not due yet
    CHECK(r.exit_code == 0);
    CHECK(srv.messages() == 1);
    r = run_pigeon(dir, {"queue", "run", "--all", "--dry-run", "--state-dir", state});
    CHECK(r.out.find(" to b@lab.test via " + server) != std::string::npos);
    // Make it due (as time would), then -q sends it.
    const std::string id = queue_list(dir, state)[0]["id"];
    const std::string meta_path = state + "/outbox/" + id + ".meta";
    std::string meta = read_file(meta_path);
    const auto at = meta.find("\nnext\t");
    meta.replace(at, meta.find('\n', at + 1) - at, "\nnext\t0");
    dir.write("state/outbox/" + id + ".meta", meta);
    r = run_pigeon(dir, {"sendmail", "-q", "--state-dir", state});
    CHECK(r.exit_code == 0);
    CHECK(srv.messages() == 2);
    CHECK(srv.rcpts().back() == std::vector<std::string>{"b@lab.test"});
    CHECK(queue_list(dir, state).empty());

    dir.write("not-a-dir", "x");
    r = run_pigeon(dir, {"sendmail", "--server", server, "--tls", "none", "--state-dir", dir.path() + "/not-a-dir/s",
                         "-f", "alerts@lab.test", "a@lab.test"},
                   {}, "Subject: direct\n\nx\n");
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("sending without the outbox") != std::string::npos);
    CHECK(srv.messages() == 3);
}

TEST_CASE("outbox: --bounce reports a message given up to its sender, never a report about a report") {
    temp_dir dir;
    cutting_proxy proxy(lab::submission_port);
    proxy.set_cut(0);
    const std::string state = dir.path() + "/state";
    const std::string down = "smtp://127.0.0.1:" + std::to_string(proxy.port());
    auto r = run_pigeon(dir, {"send", "--queue", "--server", down, "--tls", "none", "--state-dir", state, "--from",
                              "alerts@lab.test", "--to", "ops@lab.test", "-s", "doomed alert", "--body", "x\n"});
    REQUIRE(r.exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    r = run_pigeon(dir, {"queue", "run", "--all", "--bounce", "--lifetime", "0.00002", "--state-dir", state});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("a report to alerts@lab.test waits in the outbox") != std::string::npos);
    auto list = queue_list(dir, state);  // the report itself waits: the server is still down
    REQUIRE(list.size() == 1);
    CHECK(list[0]["from"] == "alerts@lab.test");
    CHECK(list[0]["recipients"][0]["address"] == "alerts@lab.test");
    const std::string report = read_file(state + "/outbox/" + list[0]["id"].get<std::string>() + ".msg");
    CHECK(report.find("Subject: Undelivered mail: outbox entry ") != std::string::npos);
    CHECK(report.find("Auto-Submitted: auto-replied") != std::string::npos);
    CHECK(report.find("  ops@lab.test") != std::string::npos);
    CHECK(report.find("text/rfc822-headers") != std::string::npos);
    CHECK(report.find("Subject: doomed alert") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    r = run_pigeon(dir, {"queue", "run", "--all", "--bounce", "--lifetime", "0.00002", "--state-dir", state});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("a report") == std::string::npos);
    CHECK(queue_list(dir, state).empty());
}

TEST_CASE("outbox: --bounce after a 5xx in the background: the report reaches the sender") {
    temp_dir dir;
    flaky_server srv({}, {}, {"c@lab.test"});
    const std::string state = dir.path() + "/state";
    auto r = run_pigeon(dir, {"send", "--queue", "--server", "smtp://127.0.0.1:" + std::to_string(srv.port()), "--tls",
                              "none", "--state-dir", state, "--from", "alerts@lab.test", "--to", "a@lab.test,c@lab.test",
                              "-s", "half", "--body", "x\n"});
    REQUIRE(r.exit_code == 0);  // a got it, c is deferred
    r = run_pigeon(dir, {"queue", "run", "--all", "--bounce", "--state-dir", state});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 67);
    CHECK(r.err.find("recipient refused: c@lab.test: 550 5.1.1") != std::string::npos);
    CHECK(r.err.find("a report went back to alerts@lab.test") != std::string::npos);
    CHECK(queue_list(dir, state).empty());
    const auto seen = srv.rcpts();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1] == std::vector<std::string>{"c@lab.test"});
    CHECK(seen[2] == std::vector<std::string>{"alerts@lab.test"});
    CHECK(srv.messages() == 2);  // the message to a, then the report
}
