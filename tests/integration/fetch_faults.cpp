// pigeon fetch under faults, against the lab's Dovecot (issue 8, "Faults"):
// the connection cut at many byte offsets (a cutting proxy in front of
// IMAPS and POP3S), kill -9 of pigeon at random moments, a destination that
// fills up (a small tmpfs in this process's private mount namespace, which
// the pigeon children inherit), and two runs of one account at once. Each
// ends with every server message in the destination exactly once: the
// multiset of SHA-256 of the LF-normalised files equals that of the sent
// messages. The server side is checked through a second connection.
//
// The state of an account is keyed by its name: the runs through the proxy
// and the clean runs without it use one config account ("faults") whose
// source changes, so they share the state and the lock as one account does.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "pigeon/imap/client.hpp"
#include "send_lab.hpp"
#include "support/cutting_proxy.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

extern char** environ;

using namespace pigeon;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;
using pigeon::test::cutting_proxy;
using pigeon::test::process_result;
using namespace pigeon::test::send_lab;

namespace {

using ms = std::chrono::milliseconds;

std::string to_lf(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out.push_back(s[i]);
    }
    return out;
}

/// A second connection to set up and check the server side.
struct admin {
    imap::client c;
    explicit admin(const lab::account& who) {
        imap::client_options o;
        o.net = lab::session_options();
        c.connect(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), o);
        c.authenticate(lab::creds(who));
    }
    void recreate(const std::string& folder) {
        remove(folder);
        c.create(folder);
    }
    void remove(const std::string& folder) {
        try {
            c.delete_mailbox(folder);
        } catch (const core::command_error&) {
        }
    }
    void append(const std::string& folder, const std::string& msg) { c.append(folder, msg); }
    std::uint32_t count(const std::string& folder) { return c.status(folder).messages.value_or(0); }
    /// SHA-256 of every message in the folder (LF line ends).
    std::multiset<std::string> hashes(const std::string& folder) {
        std::multiset<std::string> out;
        c.examine(folder);
        auto all = c.search(imap::search_query::all());
        if (!all.empty()) {
            for (auto& m : c.fetch(all, imap::fetch_items::whole_message()))
                if (const auto* s = m.find_section("")) out.insert(sha256_hex(to_lf(s->bytes)));
        }
        c.close_mailbox();
        return out;
    }
    void clear(const std::string& folder) {
        c.select(folder);
        auto all = c.search(imap::search_query::all());
        if (!all.empty()) {
            c.store(all, imap::store_action::add, {"\\Deleted"});
            c.expunge();
        }
        c.close_mailbox();
    }
};

/// Message i of a test run, about `size` bytes; every one distinct.
std::string message(const std::string& token, int i, std::size_t size = 0) {
    std::string m = "From: Alice <alice@lab.test>\r\nTo: fetch@lab.test\r\nSubject: fault test " + std::to_string(i) +
                    " " + token + "\r\nMessage-ID: <" + token + "." + std::to_string(i) +
                    "@faults.lab.test>\r\nDate: Sun, 06 Dec 2026 07:00:00 +0000\r\n\r\nBody " + std::to_string(i) +
                    "\r\n";
    std::size_t line = 0;
    while (m.size() + 70 <= size)
        m += "line " + std::to_string(line++) + " of message " + std::to_string(i) +
             " ......................................\r\n";
    return m;
}

std::vector<std::string> messages(const std::string& token, int n, std::size_t size_base, std::size_t size_step) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(message(token, i, size_base + size_step * static_cast<std::size_t>(i)));
    return v;
}

std::multiset<std::string> hashes_of(const std::vector<std::string>& msgs) {
    std::multiset<std::string> out;
    for (const auto& m : msgs) out.insert(sha256_hex(to_lf(m)));
    return out;
}

/// SHA-256 of every message file of a Maildir folder (new/ and cur/).
std::multiset<std::string> maildir_hashes(const std::string& dir) {
    std::multiset<std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(dir) / sub, ec), end; !ec && it != end; it.increment(ec))
            out.insert(sha256_hex(read_file(it->path().string())));
    }
    return out;
}

/// What is wrong with `got` for "each of `want` exactly once", "" if nothing.
std::string exactly_once(const std::multiset<std::string>& got, const std::multiset<std::string>& want) {
    std::string why;
    std::size_t missing = 0, extra = 0, dup = 0;
    for (const auto& h : want)
        if (!got.count(h)) ++missing;
    for (const auto& h : std::set<std::string>(got.begin(), got.end())) {
        if (!want.count(h)) ++extra;
        else if (got.count(h) > want.count(h)) dup += got.count(h) - want.count(h);
    }
    if (missing) why += std::to_string(missing) + " missing; ";
    if (dup) why += std::to_string(dup) + " duplicated; ";
    if (extra) why += std::to_string(extra) + " not from the server; ";
    return why;
}

/// What is wrong with "nothing lost, nothing twice" in the middle of a
/// series: every message on the server or in the destination, none twice
/// in the destination, nothing else there.
std::string nothing_lost(const std::multiset<std::string>& dest, const std::multiset<std::string>& server,
                         const std::multiset<std::string>& want) {
    std::string why;
    std::size_t lost = 0, dup = 0, extra = 0;
    for (const auto& h : want)
        if (!dest.count(h) && !server.count(h)) ++lost;
    for (const auto& h : std::set<std::string>(dest.begin(), dest.end())) {
        if (!want.count(h)) ++extra;
        else if (dest.count(h) > 1) dup += dest.count(h) - 1;
    }
    if (lost) why += std::to_string(lost) + " lost (neither on the server nor stored); ";
    if (dup) why += std::to_string(dup) + " stored twice; ";
    if (extra) why += std::to_string(extra) + " stored but not from the server; ";
    return why;
}

std::string percent_user(const lab::account& who) {
    std::string user(who.name);
    auto at = user.find('@');
    return user.substr(0, at) + "%40" + user.substr(at + 1);
}

/// A config with the one account "faults" fetching `source` into `dest`;
/// written to dir/<file> (replacing it).
std::string account_config(const temp_dir& dir, const std::string& file, const lab::account& who,
                           const std::string& source, const std::string& dest) {
    std::string cfg = "[accounts.faults]\nuser = \"" + std::string(who.name) + "\"\n";
    cfg += "tls_ca = \"" + lab::ca_file() + "\"\n";
    cfg += "[accounts.faults.fetch]\nsource = \"" + source + "\"\n";
    cfg += "destination = \"" + dest + "\"\n";
    return dir.write(file, cfg);
}

std::map<std::string, std::string> pigeon_env(const temp_dir& dir, const lab::account& who) {
    return {{"HOME", dir.path()},
            {"XDG_CONFIG_HOME", dir.path() + "/xdg"},
            {"PIGEON_CONFIG", ""},
            {"PIGEON_ACCOUNT", ""},
            {"PIGEON_PASSWORD", std::string(who.password)},
            {"PIGEON_PASSWORD_COMMAND", ""},
            {"PIGEON_USER", ""},
            {"PIGEON_TLS", ""},
            {"PIGEON_TLS_CA", ""}};
}

/// The arguments of `pigeon fetch faults` with this config and state.
std::vector<std::string> account_args(const std::string& config, const std::string& state,
                                      std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"fetch", "faults", "--config", config, "--state-dir", state, "--timeout", "10"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

process_result run_account(const temp_dir& dir, const lab::account& who, const std::string& config,
                           const std::string& state, std::vector<std::string> extra = {}) {
    return run_pigeon(dir, account_args(config, state, std::move(extra)), pigeon_env(dir, who), {},
                      std::chrono::seconds(60));
}

/// Starts pigeon without waiting; its output goes to out_file.
pid_t spawn_pigeon(const temp_dir& dir, const lab::account& who, const std::vector<std::string>& args,
                   const std::string& out_file) {
    std::vector<std::string> argv_s{pigeon::test::pigeon_cli()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    auto add = pigeon_env(dir, who);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos && add.count(kv.substr(0, eq))) continue;
        env_s.push_back(kv);
    }
    for (const auto& [k, v] : add) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv_s[0].c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE_MESSAGE(rc == 0, "posix_spawn: " << std::strerror(rc));
    return pid;
}

/// waitpid; the exit code, or 128 + signal.
int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

/// A tmpfs of `size` on `dir`, in this process's private mount namespace
/// (made on first use; the pigeon children inherit it and nothing shows
/// outside). Needs root: fails the test with the reason otherwise.
class small_tmpfs {
public:
    small_tmpfs(std::string dir, const std::string& size) : dir_(std::move(dir)) {
        static const bool private_ns = [] {
            if (::unshare(CLONE_NEWNS) != 0) return false;
            return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
        }();
        REQUIRE_MESSAGE(private_ns, "cannot make a private mount namespace (unshare(CLONE_NEWNS) needs root): "
                                        << std::strerror(errno));
        fs::create_directories(dir_);
        const std::string opts = "size=" + size + ",mode=0700";
        REQUIRE_MESSAGE(::mount("tmpfs", dir_.c_str(), "tmpfs", 0, opts.c_str()) == 0,
                        "cannot mount a tmpfs on " << dir_ << ": " << std::strerror(errno));
        mounted_ = true;
    }
    ~small_tmpfs() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    small_tmpfs(const small_tmpfs&) = delete;
    small_tmpfs& operator=(const small_tmpfs&) = delete;
    /// Makes room: the same file system, larger (files stay).
    void grow(const std::string& size) {
        const std::string opts = "size=" + size + ",mode=0700";
        REQUIRE_MESSAGE(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0,
                        "cannot remount the tmpfs: " << std::strerror(errno));
    }

private:
    std::string dir_;
    bool mounted_ = false;
};

/// Byte offsets spread over [0, total): n of them, one per equal slice, at
/// a pseudo-random place in it; the first inside the server's first TLS
/// flight (well under 600 bytes with its certificate).
std::vector<std::uint64_t> spread_offsets(std::uint64_t total, int n, std::mt19937_64& rng) {
    std::vector<std::uint64_t> v{rng() % 600};
    for (int i = 1; i < n; ++i) {
        std::uint64_t lo = total * static_cast<std::uint64_t>(i) / static_cast<std::uint64_t>(n);
        std::uint64_t hi = total * static_cast<std::uint64_t>(i + 1) / static_cast<std::uint64_t>(n);
        v.push_back(lo + (hi > lo ? rng() % (hi - lo) : 0));
    }
    return v;
}

std::uint64_t seed_of_run() {
    if (const char* s = std::getenv("PIGEON_FAULT_SEED"); s && *s) return std::strtoull(s, nullptr, 10);
    return std::random_device{}();
}

} // namespace

TEST_CASE("fetch faults: IMAP connection cut at 25 byte offsets, each run 75 or complete, then exactly once") {
    temp_dir dir;
    admin a(lab::fetch_user);
    const std::string token = unique_token("cut-imap");
    const std::string folder = "faults-" + token;
    a.recreate(folder);
    const auto sent = messages(token, 30, 600, 40);
    for (const auto& m : sent) a.append(folder, m);
    const auto want = hashes_of(sent);
    const std::uint64_t seed = seed_of_run();
    std::mt19937_64 rng(seed);
    INFO("PIGEON_FAULT_SEED=" << seed);

    cutting_proxy proxy(lab::imaps_port);
    const std::string via_proxy =
        "imaps://localhost:" + std::to_string(proxy.port()) + "/" + folder;
    const std::string direct = "imaps://localhost:" + std::to_string(lab::imaps_port) + "/" + folder;

    // The whole transfer, measured through the proxy without a cut.
    std::string md = dir.path() + "/measure";
    auto cfg = account_config(dir, "p.toml", lab::fetch_user, via_proxy, "maildir:" + md);
    auto r = run_account(dir, lab::fetch_user, cfg, dir.path() + "/state-measure");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(proxy.wait_idle());
    const std::uint64_t total = proxy.last_bytes();
    CHECK(exactly_once(maildir_hashes(md + "/." + folder), want) == "");
    REQUIRE(total > 30 * 600);

    // Each offset: a fresh account state and Maildir, a run cut there, a
    // second run cut elsewhere, then a clean run without the proxy.
    const auto offsets = spread_offsets(total, 25, rng);
    int tempfail = 0;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const std::string root = dir.path() + "/Mail" + std::to_string(i), state = dir.path() + "/state" + std::to_string(i);
        const std::string sub = root + "/." + folder;
        auto pcfg = account_config(dir, "p.toml", lab::fetch_user, via_proxy, "maildir:" + root);
        for (std::uint64_t cut : {offsets[i], offsets[(i * 7 + 3) % offsets.size()]}) {
            proxy.set_cut(cut);
            auto rc = run_account(dir, lab::fetch_user, pcfg, state);
            REQUIRE(proxy.wait_idle());
            INFO("cut after " << cut << " of " << total << " bytes; exit " << rc.exit_code << "; stderr: " << rc.err);
            // A cut is a temporary failure (75); 0 only when nothing was lost
            // to it (it came after the last message and the state).
            CHECK((rc.exit_code == 75 || rc.exit_code == 0));
            if (rc.exit_code == 75) ++tempfail;
            if (rc.exit_code == 75) CHECK(!rc.err.empty());
            auto got = maildir_hashes(sub);
            CHECK(nothing_lost(got, want, want) == "");
            if (rc.exit_code == 0) CHECK(exactly_once(got, want) == "");
            // What arrived whole before the cut is kept (a link that always
            // breaks within the batch thresholds still makes progress).
            if (cut == offsets[i] && cut > total * 6 / 10) CHECK(!got.empty());
        }
        auto dcfg = account_config(dir, "d.toml", lab::fetch_user, direct, "maildir:" + root);
        auto rc = run_account(dir, lab::fetch_user, dcfg, state);
        INFO("clean run after the cut at " << offsets[i] << ": " << rc.err);
        CHECK(rc.exit_code == 0);
        CHECK(exactly_once(maildir_hashes(sub), want) == "");
    }
    CHECK(tempfail >= 25);   // most cuts fall inside the transfer
    CHECK(a.count(folder) == 30);   // keep: the server still has them all
    a.remove(folder);
}

TEST_CASE("fetch faults: POP3 --delete cut at 25 byte offsets: nothing lost, server emptied only of what is stored") {
    temp_dir dir;
    admin a(lab::fetch2_user);
    const std::string token = unique_token("cut-pop3");
    const auto sent = messages(token, 30, 600, 40);
    const auto want = hashes_of(sent);
    auto refill = [&] {
        a.clear("INBOX");
        for (const auto& m : sent) a.append("INBOX", m);
    };
    const std::uint64_t seed = seed_of_run();
    std::mt19937_64 rng(seed);
    INFO("PIGEON_FAULT_SEED=" << seed);

    cutting_proxy proxy(lab::pop3s_port);
    const std::string user = percent_user(lab::fetch2_user);
    const std::string via_proxy = "pop3s://" + user + "@localhost:" + std::to_string(proxy.port());
    const std::string direct = "pop3s://" + user + "@localhost:" + std::to_string(lab::pop3s_port);

    refill();
    std::string md = dir.path() + "/measure";
    auto cfg = account_config(dir, "p.toml", lab::fetch2_user, via_proxy, "maildir:" + md);
    auto r = run_account(dir, lab::fetch2_user, cfg, dir.path() + "/state-measure", {"--delete"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(proxy.wait_idle());
    const std::uint64_t total = proxy.last_bytes();
    CHECK(exactly_once(maildir_hashes(md), want) == "");
    CHECK(a.count("INBOX") == 0);
    REQUIRE(total > 30 * 600);

    const auto offsets = spread_offsets(total, 25, rng);
    int tempfail = 0;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        refill();
        const std::string root = dir.path() + "/Mail" + std::to_string(i), state = dir.path() + "/state" + std::to_string(i);
        auto pcfg = account_config(dir, "p.toml", lab::fetch2_user, via_proxy, "maildir:" + root);
        for (std::uint64_t cut : {offsets[i], offsets[(i * 7 + 3) % offsets.size()]}) {
            proxy.set_cut(cut);
            auto rc = run_account(dir, lab::fetch2_user, pcfg, state, {"--delete"});
            REQUIRE(proxy.wait_idle());
            INFO("cut after " << cut << " of " << total << " bytes; exit " << rc.exit_code << "; stderr: " << rc.err);
            CHECK((rc.exit_code == 75 || rc.exit_code == 0));
            if (rc.exit_code == 75) ++tempfail;
            auto got = maildir_hashes(root);
            auto server = a.hashes("INBOX");
            CHECK(nothing_lost(got, server, want) == "");
            if (rc.exit_code == 0) CHECK(exactly_once(got, want) == "");
            if (cut == offsets[i] && cut > total * 6 / 10) CHECK(!got.empty());
        }
        auto dcfg = account_config(dir, "d.toml", lab::fetch2_user, direct, "maildir:" + root);
        auto rc = run_account(dir, lab::fetch2_user, dcfg, state, {"--delete"});
        INFO("clean run after the cut at " << offsets[i] << ": " << rc.err);
        CHECK(rc.exit_code == 0);
        CHECK(exactly_once(maildir_hashes(root), want) == "");
        CHECK(a.count("INBOX") == 0);
    }
    CHECK(tempfail >= 25);
}

TEST_CASE("fetch faults: kill -9 of pigeon at random moments over 30 runs (some with --delete), then a clean run") {
    temp_dir dir;
    admin a(lab::fetch_user);
    const std::string token = unique_token("kill");
    const std::string folder = "faults-" + token;
    a.recreate(folder);
    // 20 messages, and 3 more before each run (new mail keeps arriving),
    // so that every run has work to be killed in.
    auto sent = messages(token, 110, 2000, 100);
    for (int i = 0; i < 20; ++i) a.append(folder, sent[static_cast<std::size_t>(i)]);
    std::size_t on_server = 20;
    const std::uint64_t seed = seed_of_run();
    std::mt19937_64 rng(seed);
    INFO("PIGEON_FAULT_SEED=" << seed);

    const std::string root = dir.path() + "/Mail", sub = root + "/." + folder;
    auto cfg = account_config(dir, "k.toml", lab::fetch_user,
                              "imaps://localhost:" + std::to_string(lab::imaps_port) + "/" + folder, "maildir:" + root);
    // How long a whole run takes (its own state and Maildir): the kills fall
    // anywhere from the start of the process to a little after that.
    auto t0 = std::chrono::steady_clock::now();
    auto mcfg = account_config(dir, "m.toml", lab::fetch_user,
                               "imaps://localhost:" + std::to_string(lab::imaps_port) + "/" + folder,
                               "maildir:" + dir.path() + "/measure");
    auto r = run_account(dir, lab::fetch_user, mcfg, dir.path() + "/state-measure");
    const auto full = std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - t0);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto span = std::max<ms>(ms(50), full);
    MESSAGE("a whole run takes " << full.count() << " ms; kills within " << span.count() << " ms");

    int killed = 0, completed = 0;
    bool any_delete = false;
    for (int run = 0; run < 30; ++run) {
        for (int k = 0; k < 3; ++k) a.append(folder, sent[on_server++]);
        const std::multiset<std::string> want = hashes_of({sent.begin(), sent.begin() + static_cast<std::ptrdiff_t>(on_server)});
        const bool del = run % 3 == 2;
        any_delete = any_delete || del;
        std::vector<std::string> extra;
        if (del) extra.push_back("--delete");
        const std::string log = dir.path() + "/run" + std::to_string(run) + ".log";
        pid_t pid = spawn_pigeon(dir, lab::fetch_user, account_args(cfg, dir.path() + "/state", extra), log);
        auto wait = ms(static_cast<long long>(rng() % static_cast<std::uint64_t>(span.count() + 1)));
        std::this_thread::sleep_for(wait);
        ::kill(pid, SIGKILL);
        int code = reap(pid);
        INFO("run " << run << (del ? " --delete" : "") << ", kill after " << wait.count() << " ms: " << code << ": "
                    << read_file(log));
        CHECK((code == 128 + SIGKILL || code == 0));
        if (code == 0) ++completed;
        else ++killed;
        if (del || run % 5 == 0) CHECK(nothing_lost(maildir_hashes(sub), a.hashes(folder), want) == "");
    }
    MESSAGE(killed << " runs killed, " << completed << " completed before the kill");
    CHECK(killed >= 15);
    REQUIRE(on_server == sent.size());
    const auto want = hashes_of(sent);
    r = run_account(dir, lab::fetch_user, cfg, dir.path() + "/state", {"--delete"});
    INFO("clean run: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(exactly_once(maildir_hashes(sub), want) == "");
    CHECK(a.count(folder) == 0);
    CHECK(any_delete);
    a.remove(folder);
}

TEST_CASE("fetch faults: a destination that fills up: exit 74, nothing deleted, with room, the rest exactly once") {
    temp_dir dir;
    small_tmpfs space(dir.path() + "/small", "256k");
    const std::string root = dir.path() + "/small/Mail";
    const std::string token = unique_token("full");
    // 12 messages of 40-60 KiB: about twice the space.
    const auto sent = messages(token, 12, 40 * 1024, 2 * 1024);
    const auto want = hashes_of(sent);

    SUBCASE("IMAP") {
        admin a(lab::fetch_user);
        const std::string folder = "faults-" + token;
        a.recreate(folder);
        for (const auto& m : sent) a.append(folder, m);
        auto cfg = account_config(dir, "f.toml", lab::fetch_user,
                                  "imaps://localhost:" + std::to_string(lab::imaps_port) + "/" + folder,
                                  "maildir:" + root);
        auto r = run_account(dir, lab::fetch_user, cfg, dir.path() + "/state", {"--delete"});
        INFO(r.err);
        CHECK(r.exit_code == 74);
        CHECK(r.err.find("space") != std::string::npos);
        CHECK(r.err.find("nothing more was deleted") != std::string::npos);
        CHECK(a.count(folder) == 12);
        auto got = maildir_hashes(root + "/." + folder);
        CHECK(!got.empty());
        CHECK(got.size() < 12);
        CHECK(nothing_lost(got, want, want) == "");
        // A second run into the full file system: again 74, nothing deleted.
        r = run_account(dir, lab::fetch_user, cfg, dir.path() + "/state", {"--delete"});
        CHECK(r.exit_code == 74);
        CHECK(a.count(folder) == 12);

        space.grow("4m");
        r = run_account(dir, lab::fetch_user, cfg, dir.path() + "/state", {"--delete"});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(exactly_once(maildir_hashes(root + "/." + folder), want) == "");
        CHECK(a.count(folder) == 0);
        a.remove(folder);
    }
    SUBCASE("POP3") {
        admin a(lab::fetch2_user);
        a.clear("INBOX");
        for (const auto& m : sent) a.append("INBOX", m);
        auto cfg = account_config(dir, "f.toml", lab::fetch2_user,
                                  "pop3s://localhost:" + std::to_string(lab::pop3s_port), "maildir:" + root);
        auto r = run_account(dir, lab::fetch2_user, cfg, dir.path() + "/state", {"--delete"});
        INFO(r.err);
        CHECK(r.exit_code == 74);
        CHECK(r.err.find("space") != std::string::npos);
        CHECK(a.count("INBOX") == 12);
        auto got = maildir_hashes(root);
        CHECK(!got.empty());
        CHECK(got.size() < 12);
        CHECK(nothing_lost(got, want, want) == "");

        space.grow("4m");
        r = run_account(dir, lab::fetch2_user, cfg, dir.path() + "/state", {"--delete"});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(exactly_once(maildir_hashes(root), want) == "");
        CHECK(a.count("INBOX") == 0);
    }
}

TEST_CASE("fetch faults: two runs of one account at once: 75 without --wait, --wait --delete waits, exactly once") {
    temp_dir dir;
    admin a(lab::fetch_user);
    const std::string token = unique_token("twice");
    const std::string folder = "faults-" + token;
    a.recreate(folder);
    const auto sent = messages(token, 30, 600, 40);
    for (const auto& m : sent) a.append(folder, m);
    const auto want = hashes_of(sent);
    const std::string root = dir.path() + "/Mail", state = dir.path() + "/state";

    // The first run is slowed down by the proxy (each chunk from the server
    // 60 ms late) so that the others start while it holds the lock.
    cutting_proxy slow(lab::imaps_port);
    slow.set_delay(ms(60));
    auto slow_cfg = account_config(dir, "slow.toml", lab::fetch_user,
                                   "imaps://localhost:" + std::to_string(slow.port()) + "/" + folder, "maildir:" + root);
    auto cfg = account_config(dir, "d.toml", lab::fetch_user,
                              "imaps://localhost:" + std::to_string(lab::imaps_port) + "/" + folder, "maildir:" + root);
    const std::string log = dir.path() + "/first.log";
    pid_t first = spawn_pigeon(dir, lab::fetch_user, account_args(slow_cfg, state, {"--delete"}), log);
    // It connects only once it holds the lock.
    for (int i = 0; i < 500 && slow.connections() == 0; ++i) std::this_thread::sleep_for(ms(10));
    REQUIRE(slow.connections() == 1);

    auto busy = run_account(dir, lab::fetch_user, cfg, state, {"--delete"});
    CHECK(busy.exit_code == 75);
    CHECK(busy.err.find("another pigeon") != std::string::npos);
    CHECK(busy.err.find("--wait") != std::string::npos);
    int status = 0;
    CHECK(::waitpid(first, &status, WNOHANG) == 0);   // still running: the refusal was the lock's

    auto waited = run_account(dir, lab::fetch_user, cfg, state, {"--delete", "--wait"});
    // --wait returned only after the first had finished.
    int first_code = -1;
    if (::waitpid(first, &status, WNOHANG) == first) {
        first_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else {
        FAIL_CHECK("--wait returned while the first run was still going");
        first_code = reap(first);
    }
    INFO("first: " << read_file(log));
    INFO("waited: " << waited.err);
    CHECK(first_code == 0);
    CHECK(waited.exit_code == 0);
    CHECK(waited.out.find("no new mail") != std::string::npos);
    CHECK(exactly_once(maildir_hashes(root + "/." + folder), want) == "");
    CHECK(a.count(folder) == 0);
    a.remove(folder);
}
