// pigeon fetch against the lab's Dovecot (IMAPS and POP3S), in the fetch
// users' own mailboxes (lab/README.md): first and incremental fetches,
// several folders and patterns, --jobs, the delete and mark-seen policies,
// a UIDVALIDITY change, Maildir flags, mbox and MDA destinations, the
// account lock, and the JSON Lines contract. Every check of the server side
// goes through a second connection (pigeon's IMAP client) and every check
// of the destination reads the files.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "pigeon/imap/client.hpp"
#include "send_lab.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

using namespace pigeon;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;
using pigeon::test::process_result;
using namespace pigeon::test::send_lab;

namespace {

/// A second connection for setting up and checking the server side.
struct admin {
    imap::client c;
    explicit admin(const lab::account& who = lab::fetch_user) {
        imap::client_options o;
        o.net = lab::session_options();
        c.connect(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), o);
        c.authenticate(lab::creds(who));
        auto l = c.list("", "INBOX");
        if (!l.empty() && l[0].entry.delimiter) delim = std::string(1, *l[0].entry.delimiter);
    }
    std::string delim = "/";   ///< the server's hierarchy delimiter
    void recreate(const std::string& folder) {
        try {
            c.delete_mailbox(folder);
        } catch (const core::command_error&) {
        }
        c.create(folder);
    }
    void remove(const std::string& folder) {
        try {
            c.delete_mailbox(folder);
        } catch (const core::command_error&) {
        }
    }
    void append(const std::string& folder, const std::string& msg, std::vector<std::string> flags = {}) {
        imap::append_options ao;
        ao.flags = std::move(flags);
        c.append(folder, msg, ao);
    }
    std::uint32_t count(const std::string& folder) {
        auto st = c.status(folder);
        return st.messages.value_or(0);
    }
    std::vector<std::string> flags_of_all(const std::string& folder) {
        c.examine(folder);
        std::vector<std::string> out;
        imap::fetch_items fi;
        fi.flags = true;
        for (auto& m : c.fetch(c.search(imap::search_query::all()), fi)) {
            std::string f;
            for (const auto& x : m.flags.value_or(std::vector<std::string>{})) f += x + " ";
            out.push_back(f);
        }
        c.close_mailbox();
        return out;
    }
    void clear_inbox() {
        c.select("INBOX");
        auto all = c.search(imap::search_query::all());
        if (!all.empty()) {
            c.store(all, imap::store_action::add, {"\\Deleted"});
            c.expunge();
        }
        c.close_mailbox();
    }
};

std::string message(const std::string& token, int i, const std::string& body_extra = {}) {
    std::string id = "<" + token + "." + std::to_string(i) + "@fetch.lab.test>";
    return "From: Alice <alice@lab.test>\r\nTo: fetch@lab.test\r\nSubject: fetch test " + std::to_string(i) +
           " " + token + "\r\nMessage-ID: " + id + "\r\nDate: Sun, 06 Dec 2026 07:00:00 +0000\r\n\r\nBody " +
           std::to_string(i) + "\r\n" + body_extra + "line two\r\n";
}

std::string to_lf(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out.push_back(s[i]);
    }
    return out;
}

/// Every message file of a Maildir folder (new/ and cur/): name -> content.
std::map<std::string, std::string> maildir_files(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(dir) / sub, ec), end; !ec && it != end; it.increment(ec))
            out[std::string(sub) + "/" + it->path().filename().string()] = read_file(it->path().string());
    }
    return out;
}

std::multiset<std::string> hashes(const std::map<std::string, std::string>& files) {
    std::multiset<std::string> out;
    for (const auto& [n, c] : files) out.insert(sha256_hex(c));
    return out;
}

std::string url(const lab::account& who, const std::string& scheme, std::uint16_t port, const std::string& path) {
    std::string user(who.name);
    auto at = user.find('@');
    user = user.substr(0, at) + "%40" + user.substr(at + 1);
    return scheme + "://" + user + "@localhost:" + std::to_string(port) + "/" + path;
}

process_result fetch(const temp_dir& dir, std::vector<std::string> args, const lab::account& who = lab::fetch_user,
                     std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "fetch");
    args.insert(args.end(), {"--state-dir", dir.path() + "/state", "--tls-ca", lab::ca_file()});
    env["PIGEON_PASSWORD"] = std::string(who.password);
    return run_pigeon(dir, args, env);
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) v.push_back(nlohmann::json::parse(line));
    return v;
}

} // namespace

TEST_CASE("fetch: IMAP first and incremental fetch into a Maildir, flags in the file names, JSON Lines") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("f1");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    std::vector<std::string> sent;
    for (int i = 0; i < 5; ++i) sent.push_back(message(token, i));
    a.append(folder, sent[0]);
    a.append(folder, sent[1], {"\\Seen"});
    a.append(folder, sent[2], {"\\Seen", "\\Flagged"});
    a.append(folder, sent[3], {"\\Answered"});
    a.append(folder, sent[4]);
    std::string root = dir.path() + "/Mail";
    std::string md = root + "/." + folder;   // a Maildir++ subfolder per IMAP folder

    auto r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, folder), "--into", "maildir:" + root, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto files = maildir_files(md);
    REQUIRE(files.size() == 5);
    std::multiset<std::string> want;
    for (const auto& m : sent) want.insert(sha256_hex(to_lf(m)));
    CHECK(hashes(files) == want);
    // Flags: unflagged ones in new/, the others in cur/ with their info.
    std::set<std::string> infos;
    int in_new = 0;
    for (const auto& [name, content] : files) {
        if (name.rfind("new/", 0) == 0) ++in_new;
        auto colon = name.find(":2,");
        if (colon != std::string::npos) infos.insert(name.substr(colon + 3));
    }
    CHECK(in_new == 2);
    CHECK(infos == std::set<std::string>{"S", "FS", "R"});
    // JSON: one line per message with the contract's fields, then a summary.
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 6);
    std::set<std::uint32_t> uids;
    for (std::size_t i = 0; i < 5; ++i) {
        const auto& j = lines[i];
        CHECK(j["account"].is_string());
        CHECK(j["folder"] == folder);
        CHECK(j["uidvalidity"].get<std::uint32_t>() > 0);
        uids.insert(j["uid"].get<std::uint32_t>());
        CHECK(j["message_id"].get<std::string>().find(token) != std::string::npos);
        CHECK(j["size"].get<std::uint64_t>() > 0);
        CHECK(j["destination"] == "maildir:" + root);
        CHECK(j["location"].get<std::string>().rfind("." + folder + "/", 0) == 0);
    }
    CHECK(uids == std::set<std::uint32_t>{1, 2, 3, 4, 5});
    CHECK(lines[5]["summary"] == true);
    CHECK(lines[5]["delivered"] == 5);
    CHECK(lines[5]["exit_code"] == 0);

    // Incremental: two more; only they arrive.
    sent.push_back(message(token, 5));
    sent.push_back(message(token, 6));
    a.append(folder, sent[5]);
    a.append(folder, sent[6]);
    r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, folder), "--into", "maildir:" + root});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("2 messages") != std::string::npos);
    files = maildir_files(md);
    CHECK(files.size() == 7);
    want.insert(sha256_hex(to_lf(sent[5])));
    want.insert(sha256_hex(to_lf(sent[6])));
    CHECK(hashes(files) == want);
    // Nothing new: exit 0, nothing written.
    r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, folder), "--into", "maildir:" + root});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("no new mail") != std::string::npos);
    CHECK(maildir_files(md).size() == 7);
    // The server still has everything (keep is the default), flags untouched.
    CHECK(a.count(folder) == 7);
    auto fl = a.flags_of_all(folder);
    CHECK(std::count_if(fl.begin(), fl.end(), [](const std::string& f) { return f.find("\\Seen") != std::string::npos; }) ==
          2);
    a.remove(folder);
}

TEST_CASE("fetch: several folders by pattern, Maildir++ subfolders, --jobs 2, --mark-seen, --delete") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("f2");
    std::string base = "fetch-" + token;
    const std::string one = base + a.delim + "one", two = base + a.delim + "two";
    a.recreate(base);
    a.recreate(one);
    a.recreate(two);
    for (int i = 0; i < 3; ++i) a.append(one, message(token, i));
    for (int i = 3; i < 7; ++i) a.append(two, message(token, i));
    std::string md = dir.path() + "/Mail";
    auto r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, ""), "--folder", one, "--folder", two,
                         "--into", "maildir:" + md, "--jobs", "2", "--mark-seen"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_files(md + "/." + base + ".one").size() == 3);
    CHECK(maildir_files(md + "/." + base + ".two").size() == 4);
    CHECK(fs::exists(md + "/." + base + ".one/maildirfolder"));
    for (const auto& f : a.flags_of_all(two)) CHECK(f.find("\\Seen") != std::string::npos);

    // A pattern, with --delete: the new message arrives, then all are gone
    // from the server (each one stored first).
    a.append(one, message(token, 7));
    r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, base + a.delim + "*"), "--into",
                    "maildir:" + md, "--delete"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_files(md + "/." + base + ".one").size() == 4);
    CHECK(a.count(one) == 0);
    CHECK(a.count(two) == 0);
    INFO(r.out);
    CHECK(r.out.find("8 deleted") != std::string::npos);
    a.remove(one);
    a.remove(two);
    a.remove(base);
}

TEST_CASE("fetch: a UIDVALIDITY change re-baselines by Message-ID and size instead of fetching again") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("f3");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    for (int i = 0; i < 4; ++i) a.append(folder, message(token, i));
    std::string root = dir.path() + "/Mail", md = root + "/." + folder;
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    auto r = fetch(dir, {u, "--into", "maildir:" + root});
    REQUIRE(r.exit_code == 0);
    REQUIRE(maildir_files(md).size() == 4);
    // Recreate the folder (new UIDVALIDITY) with the same messages and one more.
    a.recreate(folder);
    for (int i = 0; i < 5; ++i) a.append(folder, message(token, i));
    r = fetch(dir, {u, "--into", "maildir:" + root, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("UIDVALIDITY changed") != std::string::npos);
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 2);   // the one new message and the summary
    CHECK(lines[0]["message_id"].get<std::string>().find(token + ".4@") != std::string::npos);
    CHECK(lines[1]["rebaselined"] == 4);
    CHECK(maildir_files(md).size() == 5);
    // And the next run sees nothing new.
    r = fetch(dir, {u, "--into", "maildir:" + root});
    CHECK(r.exit_code == 0);
    CHECK(maildir_files(md).size() == 5);
    a.remove(folder);
}

TEST_CASE("fetch: mbox destination (mboxrd quoting) and an MDA that defers (75) then accepts") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("f4");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    a.append(folder, message(token, 0, "From the start of a line\r\n>From quoted once\r\n"));
    a.append(folder, message(token, 1));
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    std::string mbox = dir.path() + "/mail.mbox";
    auto r = fetch(dir, {u, "--into", "mbox:" + mbox});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string text = read_file(mbox);
    CHECK(text.rfind("From ", 0) == 0);
    CHECK(text.find("\n>From the start of a line\n") != std::string::npos);
    CHECK(text.find("\n>>From quoted once\n") != std::string::npos);
    std::size_t froms = 0;
    for (std::size_t p = 0; (p = text.find("\nFrom ", p)) != std::string::npos; ++p) ++froms;
    CHECK(froms + 1 == 2);   // two messages: the first at offset 0

    // MDA: exit 75 keeps everything on the server and records nothing.
    std::string out = dir.path() + "/mda";
    fs::create_directories(out);
    std::string state2 = "--state-dir";
    auto r2 = run_pigeon(dir, {"fetch", u, "--into", "mda:exit 75", "--state-dir", dir.path() + "/state-mda",
                               "--tls-ca", lab::ca_file()},
                         {{"PIGEON_PASSWORD", std::string(lab::fetch_user.password)}});
    CHECK(r2.exit_code == 75);
    auto r3 = run_pigeon(dir,
                         {"fetch", u, "--into", "mda:cat > \"" + out + "/$PIGEON_FOLDER.$$\"", "--state-dir",
                          dir.path() + "/state-mda", "--tls-ca", lab::ca_file()},
                         {{"PIGEON_PASSWORD", std::string(lab::fetch_user.password)}});
    INFO(r3.err);
    CHECK(r3.exit_code == 0);
    std::size_t n = 0;
    for (auto& e : fs::directory_iterator(out)) {
        (void)e;
        ++n;
    }
    CHECK(n == 2);
    a.remove(folder);
}

/// Messages of fetch2's INBOX whose Subject has token, after waiting up to
/// 20 s for `want` of them (Postfix delivers asynchronously).
std::size_t arrived(const std::string& token, std::size_t want) {
    admin b(lab::fetch2_user);
    std::size_t n = 0;
    for (int i = 0; i < 200; ++i) {
        b.c.examine("INBOX");
        n = static_cast<std::size_t>(b.c.search(imap::search_query::subject(token)).count().value_or(0));
        b.c.close_mailbox();
        if (n >= want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return n;
}

TEST_CASE("fetch: forwarding into Dovecot's LMTP socket and through Postfix by SMTP, exactly once") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("fw");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    for (int i = 0; i < 3; ++i) a.append(folder, message(token, i, std::string("8-bit body: caf\xC3\xA9\r\n")));
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    const std::string socket = lab::dir() + "/dovecot/lmtp";
    const std::string spec = "lmtp:" + socket + "?to=" + std::string(lab::fetch2_user.name);

    auto r = fetch(dir, {u, "--into", spec, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["destination"] == spec);
    CHECK(lines[0]["location"].get<std::string>().rfind("250 ", 0) == 0);
    CHECK(arrived(token, 3) == 3);
    // The next run forwards nothing again.
    auto again = fetch(dir, {u, "--into", spec, "--json"});
    CHECK(again.exit_code == 0);
    CHECK(json_lines(again.out).size() == 1);

    // SMTP to the lab's Postfix (STARTTLS, verified with --tls-ca as the
    // source is), which relays to the same mailbox: the sender comes from
    // the message's From.
    a.append(folder, message(token, 3));
    temp_dir fresh;
    auto s = fetch(fresh, {u, "--into", "smtp://localhost:" + std::to_string(lab::smtp_port) + "?to=" +
                                          std::string(lab::fetch2_user.name)});
    INFO(s.err);
    CHECK(s.exit_code == 0);
    // All four went through Postfix this time (a fresh state), on top of
    // the three from LMTP.
    CHECK(arrived(token, 7) == 7);
    a.remove(folder);
}

TEST_CASE("fetch: forwarding that the receiver refuses (5xx), cannot reach, or a spec without recipients") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("fr");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    a.append(folder, message(token, 0));
    a.append(folder, message(token, 1));
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    const std::string socket = lab::dir() + "/dovecot/lmtp";

    // Dovecot's LMTP refuses an unknown user: kept on the server, exit 69,
    // nothing recorded (the next run tries again).
    auto refused = fetch(dir, {u, "--into", "lmtp:" + socket + "?to=" + std::string(lab::unknown_address)});
    CHECK(refused.exit_code == 69);
    CHECK(refused.err.find("refused") != std::string::npos);
    CHECK(a.count(folder) == 2);
    // Nothing listens on port 1: exit 75, the connection error named.
    auto down = fetch(dir, {u, "--into", "lmtp://127.0.0.1:1?to=fetch2@lab.test&tls=none"});
    CHECK(down.exit_code == 75);
    CHECK(down.err.find("cannot be reached") != std::string::npos);
    // Then a working receiver gets both messages: nothing was recorded by
    // the failed runs.
    auto ok = fetch(dir, {u, "--into", "lmtp:" + socket + "?to=" + std::string(lab::fetch2_user.name), "--json"});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(json_lines(ok.out).size() == 3);
    CHECK(arrived(token, 2) == 2);

    auto bad = fetch(dir, {u, "--into", "lmtp:" + socket});
    CHECK(bad.exit_code == 64);
    CHECK(bad.err.find("?to=") != std::string::npos);
    auto bad2 = fetch(dir, {u, "--into", "smtp://localhost:25?to=not-an-address"});
    CHECK(bad2.exit_code == 64);
    a.remove(folder);
}

TEST_CASE("fetch: POP3 into a Maildir, incremental, --delete only after storing, UIDL state") {
    temp_dir dir;
    admin a(lab::fetch2_user);
    a.clear_inbox();
    std::string token = unique_token("f5");
    std::vector<std::string> sent;
    for (int i = 0; i < 3; ++i) {
        sent.push_back(message(token, i));
        a.append("INBOX", sent.back());
    }
    std::string md = dir.path() + "/Mail";
    std::string u = url(lab::fetch2_user, "pop3s", lab::pop3s_port, "");
    auto r = fetch(dir, {u, "--into", "maildir:" + md, "--json"}, lab::fetch2_user);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["uidl"].is_string());
    CHECK_FALSE(lines[0].contains("uid"));
    std::multiset<std::string> want;
    for (const auto& m : sent) want.insert(sha256_hex(to_lf(m)));
    CHECK(hashes(maildir_files(md)) == want);
    sent.push_back(message(token, 3));
    a.append("INBOX", sent.back());
    want.insert(sha256_hex(to_lf(sent.back())));
    r = fetch(dir, {u, "--into", "maildir:" + md, "--delete"}, lab::fetch2_user);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("1 message") != std::string::npos);
    CHECK(r.out.find("4 deleted") != std::string::npos);
    CHECK(hashes(maildir_files(md)) == want);
    CHECK(a.count("INBOX") == 0);
}

TEST_CASE("fetch: POP3 --delete-older-than deletes what was delivered long enough ago, keeps the rest") {
    temp_dir dir;
    admin a(lab::fetch2_user);
    a.clear_inbox();
    std::string token = unique_token("f9");
    a.append("INBOX", message(token, 0));
    a.append("INBOX", message(token, 1));
    std::string md = dir.path() + "/Mail";
    std::string u = url(lab::fetch2_user, "pop3s", lab::pop3s_port, "");
    auto r = fetch(dir, {u, "--into", "maildir:" + md}, lab::fetch2_user);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_files(md).size() == 2);
    // 0.00002 days is 1.7 s: the two delivered above become old enough,
    // the one delivered by the second run does not.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    a.append("INBOX", message(token, 2));
    r = fetch(dir, {u, "--into", "maildir:" + md, "--delete-older-than", "0.00002"}, lab::fetch2_user);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("2 deleted") != std::string::npos);
    CHECK(maildir_files(md).size() == 3);
    REQUIRE(a.count("INBOX") == 1);
    a.c.examine("INBOX");
    CHECK(a.c.search(imap::search_query::subject("fetch test 2 " + token)).count().value_or(0) == 1);
    a.c.close_mailbox();
    // Later, that one is old enough too.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    r = fetch(dir, {u, "--into", "maildir:" + md, "--delete-older-than", "0.00002"}, lab::fetch2_user);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(a.count("INBOX") == 0);
    CHECK(maildir_files(md).size() == 3);
}

TEST_CASE("fetch: a second run of the same account exits 75, --wait waits for the first") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("f6");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    a.append(folder, message(token, 0));
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    // The first run's MDA sleeps; the second starts meanwhile.
    pid_t pid = ::fork();
    if (pid == 0) {
        auto r = fetch(dir, {u, "--into", "mda:sleep 3; cat >/dev/null"});
        ::_exit(r.exit_code);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto second = fetch(dir, {u, "--into", "mda:cat >/dev/null"});
    CHECK(second.exit_code == 75);
    CHECK(second.err.find("another pigeon") != std::string::npos);
    auto waited = fetch(dir, {u, "--into", "mda:cat >/dev/null", "--wait"});
    CHECK(waited.exit_code == 0);
    CHECK(waited.out.find("no new mail") != std::string::npos);   // the first delivered it
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WEXITSTATUS(status) == 0);
    a.remove(folder);
}

TEST_CASE("fetch: errors are clear: unknown folder, wrong password, no destination, unwritable destination") {
    temp_dir dir;
    std::string md = dir.path() + "/Mail";
    auto r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, "no-such-folder-xyz"), "--into",
                         "maildir:" + md});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("no-such-folder-xyz") != std::string::npos);
    r = run_pigeon(dir, {"fetch", url(lab::fetch_user, "imaps", lab::imaps_port, "INBOX"), "--into", "maildir:" + md,
                         "--state-dir", dir.path() + "/s", "--tls-ca", lab::ca_file()},
                   {{"PIGEON_PASSWORD", "wrong"}});
    CHECK(r.exit_code == 77);
    r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, "INBOX")});
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("--into") != std::string::npos);
    r = fetch(dir, {url(lab::fetch_user, "imaps", lab::imaps_port, "INBOX"), "--into", "maildir:/proc/nope/Mail"});
    CHECK(r.exit_code == 73);
}

TEST_CASE("fetch: accounts from the configuration, every account with a fetch section, one summary line each") {
    temp_dir dir;
    admin a;
    admin b(lab::fetch2_user);
    std::string token = unique_token("f7");
    std::string folder = "fetch-" + token;
    a.recreate(folder);
    b.recreate(folder);
    a.append(folder, message(token, 0));
    b.append(folder, message(token, 1));
    b.append(folder, message(token, 2));
    std::string pw1 = dir.write("pw1", std::string(lab::fetch_user.password) + "\n");
    std::string pw2 = dir.write("pw2", std::string(lab::fetch2_user.password) + "\n");
    std::string cfg;
    cfg += "[accounts.one]\nuser = \"fetch@lab.test\"\npassword_command = \"cat " + pw1 + "\"\n";
    cfg += "tls_ca = \"" + lab::ca_file() + "\"\n";
    cfg += "[accounts.one.fetch]\nsource = \"imaps://localhost:10993\"\nfolders = [\"" + folder + "\"]\n";
    cfg += "destination = \"maildir:" + dir.path() + "/one\"\n";
    cfg += "[accounts.two]\nuser = \"fetch2@lab.test\"\npassword_command = \"cat " + pw2 + "\"\n";
    cfg += "tls_ca = \"" + lab::ca_file() + "\"\n";
    cfg += "[accounts.two.fetch]\nsource = \"imaps://localhost:10993/" + folder + "\"\n";
    cfg += "destination = \"maildir:" + dir.path() + "/two\"\n";
    cfg += "[accounts.sendonly]\nserver = \"smtp://localhost:10587\"\n";
    std::string file = dir.write("pigeon.toml", cfg);
    auto r = run_pigeon(dir, {"fetch", "--config", file, "--state-dir", dir.path() + "/state", "--jobs", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_files(dir.path() + "/one/." + folder).size() == 1);
    CHECK(maildir_files(dir.path() + "/two/." + folder).size() == 2);
    CHECK(r.out.find("one: 1 message") != std::string::npos);
    CHECK(r.out.find("two: 2 messages") != std::string::npos);
    // Only one account by name.
    b.append(folder, message(token, 3));
    r = run_pigeon(dir, {"fetch", "two", "--config", file, "--state-dir", dir.path() + "/state", "-q"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(maildir_files(dir.path() + "/two/." + folder).size() == 3);
    a.remove(folder);
    b.remove(folder);
}

TEST_CASE("watch: IDLE brings a new message at once, --exec sees it, SIGTERM ends with 0") {
    temp_dir dir;
    admin a;
    std::string token = unique_token("w1");
    std::string folder = "watch-" + token;
    a.recreate(folder);
    a.append(folder, message(token, 0));   // there before: fetched at start
    std::string root = dir.path() + "/Mail";
    std::string log = dir.path() + "/exec.log";
    std::string u = url(lab::fetch_user, "imaps", lab::imaps_port, folder);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::setenv("PIGEON_PASSWORD", std::string(lab::fetch_user.password).c_str(), 1);
        ::setenv("HOME", dir.path().c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir.path() + "/xdg").c_str(), 1);
        std::string exec = "printf '%s|%s|%s\\n' \"$PIGEON_SUBJECT\" \"$PIGEON_FOLDER\" \"$PIGEON_MESSAGE_PATH\" >> " + log;
        std::vector<std::string> args = {pigeon::test::pigeon_cli(), "watch", u, "--into", "maildir:" + root,
                                         "--state-dir", dir.path() + "/state", "--tls-ca", lab::ca_file(),
                                         "--exec", exec, "-q"};
        std::vector<char*> argv;
        for (auto& s : args) argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    auto lines_in_log = [&] {
        std::string t = read_file(log);
        return static_cast<std::size_t>(std::count(t.begin(), t.end(), '\n'));
    };
    auto wait_for = [&](std::size_t n, int seconds) {
        for (int i = 0; i < seconds * 20 && lines_in_log() < n; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return lines_in_log();
    };
    CHECK(wait_for(1, 20) == 1);
    // Arrives while pigeon waits in IDLE: fetched within seconds.
    auto t0 = std::chrono::steady_clock::now();
    a.append(folder, message(token, 1));
    CHECK(wait_for(2, 20) == 2);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(secs < 10);
    std::string text = read_file(log);
    CHECK(text.find("fetch test 1 " + token + "|" + folder + "|" + root + "/." + folder + "/new/") !=
          std::string::npos);
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (::waitpid(pid, &status, WNOHANG) == 0 && !WIFEXITED(status)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        FAIL("pigeon watch did not end within 10 s of SIGTERM");
    }
    INFO("wait status " << status << (WIFSIGNALED(status) ? " signal " + std::to_string(WTERMSIG(status)) : ""));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(maildir_files(root + "/." + folder).size() == 2);
    a.remove(folder);
}
