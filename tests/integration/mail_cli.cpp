// The mail commands (pigeon folders, list, search, read, flag, copy, move,
// delete, append, wait) against the lab's Dovecot, IMAP and POP3. Each test
// works in folders of its own in alice's account (seeded with APPEND through
// the library, with known internal dates and flags) and checks what the
// command did from a second connection: flags, folder contents, bytes.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/run_process.hpp"

using namespace pigeon;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string unique(const char* what) {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::string(what) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000000);
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

imap::client login() {
    imap::client_options o;
    o.net = lab::session_options();
    auto c = test::connected<imap::client>(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), o);
    c.login(std::string(lab::alice.name), std::string(lab::alice.password));
    return c;
}

std::string base_url() { return "imaps://alice%40lab.test@127.0.0.1:" + std::to_string(lab::imaps_port); }
std::string pop3_url() { return "pop3s://alice%40lab.test@127.0.0.1:" + std::to_string(lab::pop3s_port); }

test::process_result cli(std::vector<std::string> args, const std::string& input = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    args.insert(args.end(), {"--tls-ca", lab::ca_file()});
    test::process_options o;
    o.env["PIGEON_PASSWORD"] = std::string(lab::alice.password);
    o.env["NO_COLOR"] = "1";
    o.input = input;
    o.timeout = timeout;
    return test::run_process(test::pigeon_cli(), args, o);
}

imap::date_time on_day(int y, unsigned m, unsigned d) {
    using namespace std::chrono;
    return {sys_days(year(y) / month(m) / std::chrono::day(d)) + hours(12), minutes(0)};
}

struct seeded {
    std::string folder;
    std::string url;
    std::uint32_t uidvalidity = 0;
    std::vector<std::string> bytes;  // by UID - 1
};

// Five messages with known answers (UIDs 1..5 in a new folder):
//   1 alice "disk full on db1"    2026-01-05  X-Alert-Id 42
//   2 bob   "weekly report"       2025-12-20  \Seen, 1.2 MB
//   3 alice "Grüße" (RFC 2047)    2026-02-01  \Flagged
//   4 carol "disk full again"     2026-03-01  X-Alert-Id 43, \Seen \Answered
//   5 a name and subject with an ESC (terminal escape) 2026-03-02
seeded seed(const char* what) {
    seeded s;
    s.folder = unique(what);
    s.url = base_url() + "/" + s.folder;
    auto c = login();
    c.create(s.folder);
    auto msg = [&](const std::string& from, const std::string& subject, const std::string& date,
                   const std::string& extra, const std::string& body) {
        return "From: " + from + "\r\nTo: Dave <dave@lab.test>\r\nSubject: " + subject + "\r\nDate: " + date +
               "\r\nMessage-ID: <" + unique("m") + "@lab.test>\r\n" + extra + "\r\n" + body;
    };
    std::string big;
    for (int i = 0; i < 30000; ++i) big += "weekly figures line " + std::to_string(i) + " ............ \r\n";
    struct item {
        std::string bytes;
        imap::date_time when;
        std::vector<std::string> flags;
    };
    std::vector<item> items = {
        {msg("Alice <alice@lab.test>", "disk full on db1", "Mon, 05 Jan 2026 10:00:00 +0000", "X-Alert-Id: 42\r\n",
             "db1 is full\r\n"),
         on_day(2026, 1, 5), {}},
        {msg("bob@lab.test", "weekly report", "Sat, 20 Dec 2025 09:00:00 +0000", "", big), on_day(2025, 12, 20),
         {"\\Seen"}},
        {msg("Alice <alice@lab.test>", "=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Sun, 01 Feb 2026 08:00:00 +0100", "",
             "hallo\r\n"),
         on_day(2026, 2, 1), {"\\Flagged"}},
        {msg("carol@lab.test", "disk full again", "Sun, 01 Mar 2026 07:00:00 +0000", "X-Alert-Id: 43\r\n",
             "again\r\n"),
         on_day(2026, 3, 1), {"\\Seen", "\\Answered"}},
        {msg("=?utf-8?q?Evil=1B=5B31m?= <evil@lab.test>", "red\x1b[31malert",
             "Mon, 02 Mar 2026 07:00:00 +0000", "", "x\r\n"),
         on_day(2026, 3, 2), {}},
    };
    for (auto& it : items) {
        imap::append_options ao;
        ao.flags = it.flags;
        ao.internal_date = it.when;
        auto r = c.append(s.folder, it.bytes, ao);
        REQUIRE(r);
        s.uidvalidity = r->uidvalidity;
        s.bytes.push_back(it.bytes);
    }
    c.logout();
    return s;
}

void drop_folder(const std::string& folder) {
    try {
        auto c = login();
        c.delete_mailbox(folder);
        c.logout();
    } catch (...) {
    }
}

std::vector<std::string> flags_of(const std::string& folder, std::uint32_t uid) {
    auto c = login();
    c.examine(folder);
    imap::fetch_items fi;
    fi.flags = true;
    auto v = c.fetch(imap::uid_set::from_numbers({uid}), fi);
    c.logout();
    REQUIRE(v.size() == 1);
    return v[0].flags.value_or(std::vector<std::string>{});
}

bool has(const std::vector<std::string>& v, const std::string& x) {
    for (const auto& e : v)
        if (e == x) return true;
    return false;
}

std::set<std::uint32_t> uids_in(const std::string& folder) {
    auto c = login();
    c.examine(folder);
    auto set = c.search(imap::search_query::all());
    c.logout();
    std::set<std::uint32_t> out;
    for (auto u : set) out.insert(u);
    return out;
}

std::vector<std::uint32_t> json_uids(const std::string& out) {
    std::vector<std::uint32_t> v;
    for (const auto& e : json::parse(out)) v.push_back(e.at("uid").get<std::uint32_t>());
    return v;
}

} // namespace

TEST_CASE("list: newest first, paged, JSON fields, decoded and escaped table") {
    seeded s = seed("pm-list");
    auto r = cli({"list", s.url, "--json", "--all"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    json j = json::parse(r.out);
    REQUIRE(j.size() == 5);
    CHECK(json_uids(r.out) == std::vector<std::uint32_t>{5, 4, 3, 2, 1});
    for (const auto& e : j)
        for (const char* k : {"account", "uid", "uidvalidity", "folder", "flags", "date", "from", "to", "subject", "size",
                              "message_id", "id"})
            CHECK_MESSAGE(e.contains(k), k);
    const json& m3 = j[2];
    CHECK(m3["subject"] == "Grüße");
    CHECK(m3["folder"] == s.folder);
    CHECK(m3["uidvalidity"] == s.uidvalidity);
    CHECK(m3["id"] == std::to_string(s.uidvalidity) + ":3");
    CHECK(m3["from"][0]["name"] == "Alice");
    CHECK(m3["from"][0]["address"] == "alice@lab.test");
    CHECK(m3["to"][0]["address"] == "dave@lab.test");
    CHECK(m3["date"] == "2026-02-01T08:00:00+01:00");
    CHECK(has(m3["flags"].get<std::vector<std::string>>(), "\\Flagged"));
    CHECK(j[3]["size"] == s.bytes[1].size());

    auto p = cli({"list", s.url, "--json", "--page", "2", "--page-size", "2"});
    REQUIRE(p.exit_code == 0);
    CHECK(json_uids(p.out) == std::vector<std::uint32_t>{3, 2});

    // The table: the control character from the server never reaches the terminal raw.
    auto t = cli({"list", s.url, "--page-size", "10"});
    REQUIRE(t.exit_code == 0);
    CHECK(contains(t.out, "Grüße"));
    CHECK(contains(t.out, "disk full on db1"));
    CHECK(contains(t.out, "[31malert"));
    CHECK(contains(t.out, "Evil"));
    CHECK_FALSE(contains(t.out, "\x1b"));

    // With a gap in the UIDs, sequence numbers and UIDs differ (the listing
    // fetches the newest by sequence number): UID 4 expunged, UIDs 1 2 3 5
    // are messages 1 to 4.
    {
        auto c = login();
        c.select(s.folder);
        c.store(imap::uid_set::from_range(4, 4), imap::store_action::add, {"\\Deleted"});
        REQUIRE(c.expunge(imap::uid_set::from_range(4, 4)) == 1u);
        c.logout();
    }
    auto g1 = cli({"list", s.url, "--json", "--page-size", "2"});
    REQUIRE_MESSAGE(g1.exit_code == 0, g1.err);
    CHECK(json_uids(g1.out) == std::vector<std::uint32_t>{5, 3});
    auto g2 = cli({"list", s.url, "--json", "--page-size", "2", "--page", "2"});
    CHECK(json_uids(g2.out) == std::vector<std::uint32_t>{2, 1});
    auto g3 = cli({"list", s.url, "--json", "--page-size", "3", "--page", "2"});
    CHECK(json_uids(g3.out) == std::vector<std::uint32_t>{1});
    CHECK(json_uids(cli({"list", s.url, "--json", "--all"}).out) == std::vector<std::uint32_t>{5, 3, 2, 1});
    CHECK(json_uids(cli({"list", s.url, "--json", "--page", "3", "--page-size", "2"}).out).empty());
    auto table = cli({"list", s.url, "--page-size", "3"});
    CHECK(contains(table.out, "page 1 of 2, 4 messages"));
    drop_folder(s.folder);
}

TEST_CASE("search: known answers, ESEARCH, parse errors with the position") {
    seeded s = seed("pm-search");
    auto uids = [&](std::vector<std::string> q) {
        std::vector<std::string> args{"search", s.url, "--json", "--all"};
        args.insert(args.end(), q.begin(), q.end());
        auto r = cli(args);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        auto v = json_uids(r.out);
        return std::set<std::uint32_t>(v.begin(), v.end());
    };
    using set = std::set<std::uint32_t>;
    CHECK(uids({"from", "alice"}) == set{1, 3});
    CHECK(uids({"from", "alice", "and", "since", "2026-01-01", "and", "not", "seen"}) == set{1, 3});
    CHECK(uids({"from alice and since 2026-01-01 and not seen"}) == set{1, 3});  // one word: as typed
    CHECK(uids({"subject", "disk full"}) == set{1, 4});
    CHECK(uids({"larger", "1M"}) == set{2});
    CHECK(uids({"smaller", "1K"}) == set{1, 3, 4, 5});
    CHECK(uids({"header", "X-Alert-Id", "42"}) == set{1});
    CHECK(uids({"seen", "or", "flagged"}) == set{2, 3, 4});
    CHECK(uids({"not", "(", "from", "alice", "or", "from", "bob", ")"}) == set{4, 5});
    CHECK(uids({"before", "2026-01-01"}) == set{2});
    CHECK(uids({"sent-since", "2026-03-01"}) == set{4, 5});
    CHECK(uids({"subject", "Grüße"}) == set{3});
    CHECK(uids({"answered"}) == set{4});
    CHECK(uids({"uid", "2:4", "unseen"}) == set{3});
    CHECK(uids({"subject", "nothing-matches-this"}).empty());

    auto bad = cli({"search", s.url, "from", "alice", "and", "since", "soon"});
    CHECK(bad.exit_code == 64);
    CHECK(contains(bad.err, "position 22"));
    CHECK(contains(bad.err, "^"));
    auto bad2 = cli({"search", s.url, "frm", "alice"});
    CHECK(bad2.exit_code == 64);
    CHECK(contains(bad2.err, "unknown search key 'frm'"));
    CHECK(contains(bad2.err, "position 1"));
    auto bad3 = cli({"search", s.url, "(from alice"});
    CHECK(bad3.exit_code == 64);
    CHECK(contains(bad3.err, "not closed"));
    drop_folder(s.folder);
}

TEST_CASE("read: the reader view, --json, --raw, PEEK unless --mark-seen") {
    seeded s = seed("pm-read");
    auto r = cli({"read", s.url, "3"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "Subject: Grüße"));
    CHECK(contains(r.out, "hallo"));
    CHECK_FALSE(has(flags_of(s.folder, 3), "\\Seen"));  // BODY.PEEK

    auto j = cli({"read", s.url, std::to_string(s.uidvalidity) + ":1", "--json"});
    REQUIRE_MESSAGE(j.exit_code == 0, j.err);
    json d = json::parse(j.out);
    CHECK(d["uid"] == 1);
    CHECK(d["uidvalidity"] == s.uidvalidity);
    CHECK(d["folder"] == s.folder);
    CHECK(d["subject"] == "disk full on db1");
    CHECK(d["text"] == "db1 is full\r\n");  // as show --json gives it
    CHECK(d.contains("parts"));  // show --json's members
    CHECK(d["size"] == s.bytes[0].size());

    auto raw = cli({"read", s.url, "2", "--raw"});
    REQUIRE(raw.exit_code == 0);
    CHECK(raw.out == s.bytes[1]);

    auto h = cli({"read", s.url, "1", "--headers"});
    CHECK(contains(h.out, "X-Alert-Id: 42"));

    auto seen = cli({"read", s.url, "1", "--mark-seen"});
    CHECK(seen.exit_code == 0);
    CHECK(has(flags_of(s.folder, 1), "\\Seen"));
    drop_folder(s.folder);
}

TEST_CASE("bad input: unknown folder, no such id, changed UIDVALIDITY, bad id") {
    seeded s = seed("pm-bad");
    auto nf = cli({"list", base_url() + "/no-such-folder-" + s.folder});
    CHECK(nf.exit_code == 66);
    CHECK(contains(nf.err, "no-such-folder"));
    auto ni = cli({"read", s.url, "99"});
    CHECK(ni.exit_code == 66);
    CHECK(contains(ni.err, "no message with UID 99"));
    auto uv = cli({"read", s.url, std::to_string(s.uidvalidity + 1) + ":1"});
    CHECK(uv.exit_code == 65);
    CHECK(contains(uv.err, "UIDVALIDITY"));
    CHECK(uv.out.empty());  // never the wrong message
    auto uvf = cli({"flag", s.url, std::to_string(s.uidvalidity + 1) + ":1", "--add", "flagged"});
    CHECK(uvf.exit_code == 65);
    CHECK_FALSE(has(flags_of(s.folder, 1), "\\Flagged"));
    auto bi = cli({"read", s.url, "abc"});
    CHECK(bi.exit_code == 64);
    auto nu = cli({"list"}, {}, std::chrono::seconds(10));
    CHECK((nu.exit_code == 64 || nu.exit_code == 78));
    drop_folder(s.folder);
}

TEST_CASE("flag, copy, move, delete, append: checked from a second connection") {
    seeded s = seed("pm-write");
    const std::string other = unique("pm-other");
    {
        auto c = login();
        c.create(other);
        c.logout();
    }
    auto f = cli({"flag", s.url, "1", "2", "--add", "flagged", "--add", "$Label1", "--remove", "seen"});
    REQUIRE_MESSAGE(f.exit_code == 0, f.err);
    CHECK(contains(f.out, "UID 1:"));
    auto f1 = flags_of(s.folder, 1), f2 = flags_of(s.folder, 2);
    CHECK(has(f1, "\\Flagged"));
    CHECK(has(f1, "$Label1"));
    CHECK_FALSE(has(f2, "\\Seen"));
    auto st = cli({"flag", s.url, "2", "--set", "answered"});
    REQUIRE(st.exit_code == 0);
    f2 = flags_of(s.folder, 2);
    CHECK(has(f2, "\\Answered"));
    CHECK_FALSE(has(f2, "\\Flagged"));
    CHECK(cli({"flag", s.url, "1", "--add", "bad flag"}).exit_code == 64);

    auto cp = cli({"copy", s.url, "1", "3", other});
    REQUIRE_MESSAGE(cp.exit_code == 0, cp.err);
    CHECK(contains(cp.out, "copied UID 1 to " + other));
    CHECK(uids_in(other).size() == 2);
    CHECK(uids_in(s.folder).size() == 5);

    auto mv = cli({"move", s.url, "4", other});
    REQUIRE_MESSAGE(mv.exit_code == 0, mv.err);
    CHECK(contains(mv.out, "moved UID 4"));
    CHECK(uids_in(s.folder) == std::set<std::uint32_t>{1, 2, 3, 5});
    CHECK(uids_in(other).size() == 3);
    CHECK(cli({"move", s.url, "1", "no-such-" + other}).exit_code == 66);

    auto ex = cli({"delete", s.url, "5", "--expunge"});
    REQUIRE_MESSAGE(ex.exit_code == 0, ex.err);
    CHECK(contains(ex.out, "expunged UID 5"));
    CHECK(uids_in(s.folder) == std::set<std::uint32_t>{1, 2, 3});

    // To the Trash (SPECIAL-USE): found there by its Message-ID, then removed.
    auto tr = cli({"delete", s.url, "3"});
    REQUIRE_MESSAGE(tr.exit_code == 0, tr.err);
    CHECK(contains(tr.out, "to Trash"));
    CHECK(uids_in(s.folder) == std::set<std::uint32_t>{1, 2});
    {
        auto c = login();
        c.select("Trash");
        const std::string& b = s.bytes[2];
        auto at = b.find("Message-ID: <") + 13;
        auto found = c.search(imap::search_query::header("Message-ID", b.substr(at, b.find('>', at) - at)));
        CHECK(found.count().value_or(0) == 1);
        if (!found.empty()) {
            c.store(found, imap::store_action::add, {"\\Deleted"});
            c.expunge(found);
        }
        c.logout();
    }

    // append from standard input, LF line ends: stored with CRLF, UID printed.
    auto ap = cli({"append", s.url, "-", "--flag", "seen"}, "From: x@lab.test\nSubject: appended\n\nline\n");
    REQUIRE_MESSAGE(ap.exit_code == 0, ap.err);
    CHECK(contains(ap.out, "as " + std::to_string(s.uidvalidity) + ":6"));
    CHECK(has(flags_of(s.folder, 6), "\\Seen"));
    {
        auto c = login();
        c.examine(s.folder);
        auto v = c.fetch(imap::uid_set::from_numbers({6}), imap::fetch_items::whole_message());
        REQUIRE(v.size() == 1);
        REQUIRE(!v[0].sections.empty());
        CHECK(v[0].sections[0].bytes == "From: x@lab.test\r\nSubject: appended\r\n\r\nline\r\n");
        c.logout();
    }
    auto apj = cli({"append", s.url, "--json", "/dev/null"});
    CHECK(apj.exit_code == 65);  // empty: not a message
    drop_folder(s.folder);
    drop_folder(other);
}

TEST_CASE("folders: roles and counts, create, rename, delete") {
    seeded s = seed("pm-folders");
    auto r = cli({"folders", base_url(), "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    bool found = false, trash = false;
    for (const auto& e : json::parse(r.out)) {
        if (e["name"] == s.folder) {
            found = true;
            CHECK(e["messages"] == 5);
            CHECK(e["unseen"] == 3);
        }
        if (e["name"] == "Trash") trash = e["role"] == "trash";
    }
    CHECK(found);
    CHECK(trash);
    auto t = cli({"folders", base_url()});
    CHECK(contains(t.out, s.folder));

    const std::string n1 = unique("pm-new"), n2 = unique("pm-renamed");
    auto exists = [](const std::string& name) {
        auto c = login();
        bool there = false;
        for (const auto& b : c.list("", "*"))
            if (b.entry.name == name) there = true;
        c.logout();
        return there;
    };
    CHECK(cli({"folders", base_url(), "create", n1}).exit_code == 0);
    CHECK(exists(n1));
    auto rn = cli({"folders", base_url(), "rename", n1, n2});
    CHECK(rn.exit_code == 0);
    CHECK(contains(rn.out, "renamed"));
    CHECK_FALSE(exists(n1));
    CHECK(exists(n2));
    CHECK(cli({"folders", base_url(), "delete", n2}).exit_code == 0);
    CHECK_FALSE(exists(n2));
    CHECK(cli({"folders", base_url(), "delete", n2}).exit_code == 69);
    drop_folder(s.folder);
}

TEST_CASE("wait: a match already there, a timeout, a message sent by pigeon send after the start") {
    seeded s = seed("pm-wait");
    auto t0 = std::chrono::steady_clock::now();
    auto now = cli({"wait", s.url, "subject", "disk full", "--timeout", "10", "--json"});
    REQUIRE_MESSAGE(now.exit_code == 0, now.err);
    CHECK(json::parse(now.out)[0]["uid"] == 4);  // the newest match
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));

    t0 = std::chrono::steady_clock::now();
    auto late = cli({"wait", s.url, "subject", "disk full", "--new", "--timeout", "2"});
    CHECK(late.exit_code == 75);
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= std::chrono::milliseconds(1900));
    CHECK(took < std::chrono::seconds(10));

    // In INBOX: pigeon send delivers there through Postfix and LMTP.
    const std::string token = unique("pm-wait-token");
    std::thread sender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        test::process_options o;
        auto r = test::run_process(test::pigeon_cli(),
                                   {"send", "--server", "smtp://127.0.0.1:" + std::to_string(lab::smtp_port), "--tls",
                                    "none", "--from", "alice@lab.test", "--to", "alice@lab.test", "--subject",
                                    "arrival " + token, "--body", "hello"},
                                   o);
        CHECK_MESSAGE(r.exit_code == 0, r.err);
    });
    auto got = cli({"wait", base_url() + "/INBOX", "subject", token, "--new", "--timeout", "30", "--json"});
    sender.join();
    REQUIRE_MESSAGE(got.exit_code == 0, got.err);
    json g = json::parse(got.out);
    REQUIRE(g.size() == 1);
    CHECK(g[0]["subject"] == "arrival " + token);
    CHECK(g[0]["folder"] == "INBOX");
    // read --json of what wait printed, as a CI job does.
    auto rd = cli({"read", base_url() + "/INBOX", g[0]["id"].get<std::string>(), "--json"});
    REQUIRE(rd.exit_code == 0);
    CHECK(contains(json::parse(rd.out)["text"].get<std::string>(), "hello"));
    {
        auto c = login();
        c.select("INBOX");
        auto u = imap::uid_set::from_numbers({g[0]["uid"].get<std::uint32_t>()});
        c.store(u, imap::store_action::add, {"\\Deleted"});
        c.expunge(u);
        c.logout();
    }
    drop_folder(s.folder);
}

TEST_CASE("POP3: list, read, search and wait with a query tested locally, delete by UIDL") {
    const std::string token = unique("pm-pop3");
    const fs::path md = lab::maildir(lab::alice.name);
    auto body_of = [&](const std::string& which) {
        return "From: pop@lab.test\r\nTo: alice@lab.test\r\nSubject: pop " + which + " " + token +
               "\r\nX-Pigeon-Token: " + token + "\r\n\r\nbody of " + which + "\r\n";
    };
    auto drop = [&](const std::string& which) {
        const std::string name = std::to_string(std::time(nullptr)) + ".P" + std::to_string(::getpid()) + "." +
                                 which + "." + token;
        {
            std::ofstream f(md / "tmp" / name, std::ios::binary);
            f << body_of(which);
        }
        std::error_code ec;  // a failure shows as the wait's timeout
        fs::rename(md / "tmp" / name, md / "new" / name, ec);
    };
    // "first" arrives first but does not match; wait returns "second".
    std::thread dropper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1200));
        drop("first");
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        drop("second");
    });
    auto w = cli({"wait", pop3_url(), "header", "X-Pigeon-Token", token, "and", "subject", "second", "--new",
                  "--timeout", "30", "--json", "--interval", "0.5"});
    dropper.join();
    REQUIRE_MESSAGE(w.exit_code == 0, w.err);
    json j = json::parse(w.out);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["subject"] == "pop second " + token);
    const std::string uidl = j[0]["uid"].get<std::string>();
    CHECK(j[0]["uidvalidity"].is_null());

    auto l = cli({"list", pop3_url(), "--json", "--all"});
    REQUIRE(l.exit_code == 0);
    std::string first_uidl;
    for (const auto& e : json::parse(l.out))
        if (e["subject"] == "pop first " + token) first_uidl = e["uid"].get<std::string>();
    CHECK_FALSE(first_uidl.empty());

    auto subjects = [&](std::vector<std::string> q) {
        std::vector<std::string> args{"search", pop3_url(), "--json", "--all"};
        args.insert(args.end(), q.begin(), q.end());
        auto r = cli(args);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        std::set<std::string> out;
        for (const auto& e : json::parse(r.out)) out.insert(e["subject"].get<std::string>());
        return out;
    };
    using set = std::set<std::string>;
    const std::string s1 = "pop first " + token, s2 = "pop second " + token;
    CHECK(subjects({"header", "X-Pigeon-Token", token}) == set{s1, s2});
    CHECK(subjects({"header", "X-Pigeon-Token", token, "and", "not", "subject", "second"}) == set{s1});
    CHECK(subjects({"header", "X-Pigeon-Token", token, "and", "body", "BODY OF SECOND"}) == set{s2});
    CHECK(subjects({"header", "X-Pigeon-Token", token, "and", "(subject", "first", "or", "from", "nobody)"}) ==
          set{s1});
    CHECK(subjects({"header", "X-Pigeon-Token", token, "and", "seen"}).empty());  // POP3 has no flags
    CHECK(subjects({"header", "X-Pigeon-Token", token, "and", "since", "today"}).empty());  // no Date field

    auto r = cli({"read", pop3_url(), uidl, "--raw"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == body_of("second"));
    CHECK(cli({"read", pop3_url(), "no-such-uidl"}).exit_code == 66);

    auto d = cli({"delete", pop3_url(), uidl, first_uidl});
    REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    CHECK(contains(d.out, "deleted " + uidl));
    std::size_t left = 0;
    for (const char* sub : {"new", "cur"})
        for (const auto& e : fs::directory_iterator(md / sub))
            if (contains(e.path().filename().string(), token)) ++left;
    CHECK(left == 0);
}

namespace {

// `pigeon list` on a pseudo-terminal of cols x rows (script(1)); returns the
// lines as the terminal got them.
std::vector<std::string> on_terminal(const std::string& url, int cols, int rows, bool no_color) {
    std::string cmd = "stty cols " + std::to_string(cols) + " rows " + std::to_string(rows) + "; exec '" +
                      test::pigeon_cli() + "' list '" + url + "' --tls-ca '" + lab::ca_file() + "'";
    test::process_options o;
    o.env["PIGEON_PASSWORD"] = std::string(lab::alice.password);
    if (no_color) o.env["NO_COLOR"] = "1";
    else o.env["NO_COLOR"] = "";
    auto r = test::run_process("/usr/bin/script", {"-qec", cmd, "/dev/null"}, o);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at < r.out.size()) {
        auto eol = r.out.find('\n', at);
        std::string line = r.out.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines.push_back(line);
        if (eol == std::string::npos) break;
        at = eol + 1;
    }
    return lines;
}

std::string without_sgr(std::string s) {
    for (const char* sgr : {"\x1b[1m", "\x1b[0m"})
        for (auto p = s.find(sgr); p != std::string::npos; p = s.find(sgr)) s.erase(p, std::string_view(sgr).size());
    return s;
}

std::size_t columns_of(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

} // namespace

TEST_CASE("list on a terminal: sized to its width and height, bold unseen rows, NO_COLOR, escapes") {
    seeded s = seed("pm-tty");
    auto lines = on_terminal(s.url, 50, 6, false);
    // rows 6: a page of 3 messages, the header and the page note.
    REQUIRE(lines.size() == 5);
    CHECK(contains(lines[0], "ID"));
    CHECK(contains(lines.back(), "page 1 of 2, 5 messages"));
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        std::string plain = without_sgr(lines[i]);
        CHECK_MESSAGE(columns_of(plain) <= 50, plain);
        CHECK_FALSE(contains(plain, "\x1b"));  // only pigeon's own bold, nothing from the server
    }
    // Newest first: UIDs 5 (unseen: bold), 4 (seen), 3 (unseen).
    CHECK(lines[1].rfind("\x1b[1m5 ", 0) == 0);
    CHECK(lines[2].rfind("4 ", 0) == 0);
    CHECK(lines[3].rfind("\x1b[1m3 ", 0) == 0);
    CHECK(contains(lines[1], "\xE2\x80\xA6"));  // the long subject cut with an ellipsis

    auto wide = on_terminal(s.url, 120, 40, true);
    REQUIRE(wide.size() == 6);  // header + 5 messages, no page note
    for (const auto& l : wide) CHECK_FALSE(contains(l, "\x1b"));
    CHECK(contains(wide[3], "Grüße"));
    CHECK(contains(wide[4], "weekly report"));
    CHECK(contains(wide[4], "1.2M"));
    drop_folder(s.folder);
}

TEST_CASE("accounts: --account, the account as first argument, PIGEON_ACCOUNT, a password command") {
    seeded s = seed("pm-account");
    const std::string dir = "/tmp/" + unique("pm-account-cfg");
    fs::create_directories(dir);
    {
        std::ofstream pw(dir + "/pw");
        pw << lab::alice.password << "\n";
        std::ofstream cfg(dir + "/pigeon.toml");
        cfg << "[accounts.lab]\nuser = \"alice@lab.test\"\npassword_command = \"cat " << dir << "/pw\"\n"
            << "tls_ca = \"" << lab::ca_file() << "\"\n"
            << "[accounts.lab.fetch]\nsource = \"imaps://localhost:" << lab::imaps_port << "\"\n";
    }
    auto run = [&](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        args.insert(args.end(), {"--config", dir + "/pigeon.toml"});
        test::process_options o;
        o.env = std::move(env);
        o.env["PIGEON_PASSWORD"] = "";  // the account's password command, nothing else
        return test::run_process(test::pigeon_cli(), args, o);
    };
    auto a = run({"list", "--account", "lab", "--folder", s.folder, "--json"});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    CHECK(json_uids(a.out) == std::vector<std::uint32_t>{5, 4, 3, 2, 1});
    CHECK(json::parse(a.out)[0]["account"] == "lab");
    auto b = run({"list", "lab", "--folder", s.folder, "--json", "--page-size", "1"});
    REQUIRE_MESSAGE(b.exit_code == 0, b.err);
    CHECK(json_uids(b.out) == std::vector<std::uint32_t>{5});
    auto c = run({"search", "--folder", s.folder, "--json", "from", "alice"}, {{"PIGEON_ACCOUNT", "lab"}});
    REQUIRE_MESSAGE(c.exit_code == 0, c.err);
    CHECK(json_uids(c.out) == std::vector<std::uint32_t>{3, 1});
    auto d = run({"read", "--account", "lab", "--folder", s.folder, "1"});
    REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    CHECK(contains(d.out, "disk full on db1"));
    auto e = run({"list", "--account", "nosuch"});
    CHECK(e.exit_code == 78);
    fs::remove_all(dir);
    drop_folder(s.folder);
}
