// pigeon fetch against scripted servers doing what Dovecot will not do
// (issue 8, "Bad input"): an IMAP FETCH without the UID, a body for another
// UID, a POP3 message larger than LIST announced, a UIDL list with
// duplicates, messages with bare LF and NUL bytes, a POP3 server without
// UIDL. Each ends in a clear error or a stored message, never a loss (a
// message neither stored nor left on the server) or a crash: the exit code,
// the error text, the Maildir and what the client said to the server are
// all checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "send_support.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;
namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

/// Bytes as the S~ directive spells them.
std::string escaped(const std::string& bytes) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char ch : bytes) {
        if (ch == '\r') out += "\\r";
        else if (ch == '\n') out += "\\n";
        else if (ch == '\\') out += "\\\\";
        else if (ch < 0x20 || ch >= 0x7f) {
            out += "\\x";
            out += hex[ch >> 4];
            out += hex[ch & 15];
        } else out += static_cast<char>(ch);
    }
    return out;
}

std::string msg(int i) {
    return "Subject: message " + std::to_string(i) + "\r\nMessage-ID: <m" + std::to_string(i) +
           "@fake.example>\r\n\r\nbody of message " + std::to_string(i) + "\r\n";
}

/// What a Maildir holds for a message received with CRLF line ends.
std::string lf(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
    return out;
}

/// The contents of every file in a Maildir folder's new/ and cur/.
std::multiset<std::string> stored(const std::string& dir) {
    std::multiset<std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(dir) / sub, ec), end; !ec && it != end; it.increment(ec)) {
            std::ifstream f(it->path(), std::ios::binary);
            out.insert(std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()));
        }
    }
    return out;
}

/// Runs `pigeon fetch fake` for a config account "fake" whose source is url:
/// the state is the account's (not the URL's, whose port changes with
/// each scripted server), so that a second run sees what the first did.
process_result fetch(const temp_dir& dir, const std::string& url, std::vector<std::string> extra = {}) {
    std::string cfg = "[accounts.fake]\nuser = \"user@fake.example\"\n[accounts.fake.fetch]\nsource = \"" + url +
                      "\"\ndestination = \"maildir:" + dir.path() + "/Mail\"\n";
    std::vector<std::string> args{"fetch",  "fake", "--config", dir.write("fake.toml", cfg), "--state-dir",
                                  dir.path() + "/state", "--tls", "none", "--allow-cleartext-login", "--timeout", "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pigeon(dir, args, {{"PIGEON_PASSWORD", "secret"}});
}

/// The stored messages, printable, for failure messages.
std::string show(const std::multiset<std::string>& files) {
    std::string out;
    for (const auto& f : files) out += quote_for_message(f) + " ";
    return out;
}

std::string imap_url(const script_server& s) { return "imap://127.0.0.1:" + std::to_string(s.port()) + "/INBOX"; }
std::string pop3_url(const script_server& s) { return "pop3://127.0.0.1:" + std::to_string(s.port()); }

// ---- IMAP: PREAUTH (no login), one folder of n messages, UIDs 1..n -----------

std::string imap_until_bodies(int n, bool select) {
    std::string set = n == 1 ? "1" : "1:" + std::to_string(n);
    std::string s = R"(
S: * PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] fake IMAP ready
C: %tag LIST "" INBOX
S: * LIST () "/" INBOX
S: %tag OK listed
)";
    s += select ? "C: %tag SELECT INBOX\n" : "C: %tag EXAMINE INBOX\n";
    s += "S: * " + std::to_string(n) + " EXISTS\nS: * OK [UIDVALIDITY 42] ok\nS: * OK [UIDNEXT " +
         std::to_string(n + 1) + "] ok\nS: %tag OK " + (select ? "[READ-WRITE]" : "[READ-ONLY]") + " done\n";
    s += "C: %tag UID SEARCH ALL\nS: * SEARCH";
    for (int i = 1; i <= n; ++i) s += " " + std::to_string(i);
    s += "\nS: %tag OK searched\n";
    s += "C: %tag UID FETCH " + set + " (UID RFC822.SIZE)\n";
    for (int i = 1; i <= n; ++i)
        s += "S: * " + std::to_string(i) + " FETCH (UID " + std::to_string(i) + " RFC822.SIZE " +
             std::to_string(msg(i).size()) + ")\n";
    s += "S: %tag OK fetched\n";
    s += "C: %tag UID FETCH " + set + " (UID FLAGS INTERNALDATE)\n";
    for (int i = 1; i <= n; ++i)
        s += "S: * " + std::to_string(i) + " FETCH (UID " + std::to_string(i) +
             " FLAGS () INTERNALDATE \"06-Dec-2026 08:00:00 +0000\")\n";
    s += "S: %tag OK fetched\n";
    s += "C: %tag UID FETCH " + set + " (UID BODY.PEEK[])\n";
    return s;
}

/// "* seq FETCH (<before>BODY[] {n}\r\n<bytes><after>)\r\n" as one S~ line.
std::string imap_body(int seq, const std::string& before, const std::string& bytes, const std::string& after = {}) {
    return "S~ * " + std::to_string(seq) + " FETCH (" + before + "BODY[] {" + std::to_string(bytes.size()) + "}\\r\\n" +
           escaped(bytes) + after + ")\\r\\n\n";
}

const char* imap_logout = R"(
S: %tag OK fetched
C: %tag LOGOUT
S: * BYE bye
S: %tag OK bye
)";

// ---- POP3: USER/PASS in the clear, the given UIDL and LIST ---------------------

std::string pop3_until_lists(const std::string& uidl, const std::string& list) {
    return R"(
S: +OK fake POP3 ready
C: CAPA
S: +OK
S: USER
S: UIDL
S: .
C: USER user@fake.example
S: +OK
C: PASS secret
S: +OK logged in
C: CAPA
S: +OK
S: UIDL
S: .
C: UIDL
S: +OK
)" + uidl + "S: .\nC: LIST\nS: +OK\n" +
           list + "S: .\n";
}

/// "RETR n" answered with bytes (dot-stuffing left to the caller).
std::string pop3_retr(int n, const std::string& bytes) {
    return "C: RETR " + std::to_string(n) + "\nS: +OK\nS~ " + escaped(bytes) + ".\\r\\n\n";
}

} // namespace

TEST_CASE("fetch imap: a FETCH without the UID is not stored, kept on the server, exit 76, the others are stored") {
    temp_dir dir;
    // Message 2's body comes without its UID; with --delete only UID 1 and 3
    // may be deleted. The next run asks for UID 2 again, and only for it.
    std::string t = imap_until_bodies(3, true) + imap_body(1, "UID 1 ", msg(1)) + imap_body(2, "", msg(2)) +
                    imap_body(3, "UID 3 ", msg(3)) + R"(
S: %tag OK fetched
C: %tag UID STORE 1,3 +FLAGS.SILENT (\Deleted)
S: %tag OK stored
C: %tag UID EXPUNGE 1,3
S: * 3 EXPUNGE
S: * 1 EXPUNGE
S: %tag OK expunged
C: %tag LOGOUT
S: * BYE bye
S: %tag OK bye
)";
    script_server s(t);
    auto r = fetch(dir, imap_url(s), {"--delete"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "message 2 without its UID"));
    CHECK(contains(r.err, "kept on the server"));
    auto got = stored(dir.path() + "/Mail");
    INFO("stored: " << show(got));
    CHECK(got == std::multiset<std::string>{lf(msg(1)), lf(msg(3))});

    script_server again(R"(
S: * PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] fake IMAP ready
C: %tag LIST "" INBOX
S: * LIST () "/" INBOX
S: %tag OK listed
C: %tag SELECT INBOX
S: * 1 EXISTS
S: * OK [UIDVALIDITY 42] ok
S: %tag OK [READ-WRITE] done
C: %tag UID SEARCH ALL
S: * SEARCH 2
S: %tag OK searched
C: %tag UID FETCH 2 (UID RFC822.SIZE)
S: * 1 FETCH (UID 2 RFC822.SIZE 72)
S: %tag OK f
C: %tag UID FETCH 2 (UID FLAGS INTERNALDATE)
S: * 1 FETCH (UID 2 FLAGS () INTERNALDATE "06-Dec-2026 08:00:00 +0000")
S: %tag OK f
C: %tag UID FETCH 2 (UID BODY.PEEK[])
)" + imap_body(1, "UID 2 ", msg(2)) + R"(
S: %tag OK fetched
C: %tag UID STORE 2 +FLAGS.SILENT (\Deleted)
S: %tag OK stored
C: %tag UID EXPUNGE 2
S: * 1 EXPUNGE
S: %tag OK expunged
C: %tag LOGOUT
S: * BYE bye
S: %tag OK bye
)");
    r = fetch(dir, imap_url(again), {"--delete"});
    res = again.wait();
    INFO("second run: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(msg(1)), lf(msg(2)), lf(msg(3))});
}

TEST_CASE("fetch imap: a body under a UID not asked for is not stored, the run goes on") {
    temp_dir dir;
    std::string t = imap_until_bodies(2, false) + imap_body(1, "UID 1 ", msg(1)) + imap_body(9, "UID 9 ", msg(3)) +
                    imap_body(2, "UID 2 ", msg(2)) + imap_logout;
    script_server s(t);
    auto r = fetch(dir, imap_url(s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "message 9 without its UID (or under a UID not asked for)"));
    auto got = stored(dir.path() + "/Mail");
    INFO("stored: " << show(got));
    CHECK(got == std::multiset<std::string>{lf(msg(1)), lf(msg(2))});
}

TEST_CASE("fetch imap: a body whose UID comes after it and names another message is not stored, exit 76") {
    temp_dir dir;
    // Sequence 1 is UID 1 (the FLAGS fetch said so); its body arrives with
    // "UID 2" after the literal. Then UID 2's own body.
    std::string t = imap_until_bodies(2, false) + imap_body(1, "", msg(1), " UID 2") +
                    imap_body(2, "UID 2 ", msg(2)) + imap_logout;
    script_server s(t);
    auto r = fetch(dir, imap_url(s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "arrived for another UID"));
    auto got = stored(dir.path() + "/Mail");
    INFO("stored: " << show(got));
    CHECK(got == std::multiset<std::string>{lf(msg(2))});
}

TEST_CASE("fetch imap: one UID sent twice (in place of another) is stored once, the other comes next time") {
    temp_dir dir;
    // Sequence 1 answers as UID 2, then UID 2 again; UID 1 never comes.
    std::string t = imap_until_bodies(2, false) + imap_body(1, "UID 2 ", msg(2)) + imap_body(2, "UID 2 ", msg(2)) +
                    imap_logout;
    script_server s(t);
    auto r = fetch(dir, imap_url(s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "UID 2 twice; stored once"));
    auto got = stored(dir.path() + "/Mail");
    INFO("stored: " << show(got));
    CHECK(got == std::multiset<std::string>{lf(msg(2))});

    // The next run asks for UID 1 only.
    script_server again(R"(
S: * PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] fake IMAP ready
C: %tag LIST "" INBOX
S: * LIST () "/" INBOX
S: %tag OK listed
C: %tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 42] ok
S: %tag OK [READ-ONLY] done
C: %tag UID SEARCH ALL
S: * SEARCH 1 2
S: %tag OK searched
C: %tag UID FETCH 1 (UID RFC822.SIZE)
S: * 1 FETCH (UID 1 RFC822.SIZE 72)
S: %tag OK f
C: %tag UID FETCH 1 (UID FLAGS INTERNALDATE)
S: * 1 FETCH (UID 1 FLAGS () INTERNALDATE "06-Dec-2026 08:00:00 +0000")
S: %tag OK f
C: %tag UID FETCH 1 (UID BODY.PEEK[])
)" + imap_body(1, "UID 1 ", msg(1)) + imap_logout);
    r = fetch(dir, imap_url(again));
    res = again.wait();
    INFO("second run: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(msg(1)), lf(msg(2))});
}

TEST_CASE("fetch imap: RFC822.SIZE smaller than the body, bare LF, bare CR and NUL bytes: stored as sent") {
    temp_dir dir;
    const std::string odd = "Subject: odd\r\n\r\nA\0B\0C\r\nbare LF\nbare CR\rend\r\n"s;
    const std::string longer = msg(2) + std::string(500, 'x') + "\r\n";   // RFC822.SIZE said msg(2).size()
    std::string t = imap_until_bodies(2, false) + imap_body(1, "UID 1 ", odd) + imap_body(2, "UID 2 ", longer) +
                    imap_logout;
    script_server s(t);
    auto r = fetch(dir, imap_url(s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    auto got = stored(dir.path() + "/Mail");
    INFO("stored: " << show(got));
    CHECK(got == std::multiset<std::string>{"Subject: odd\n\nA\0B\0C\nbare LF\nbare CR\rend\n"s, lf(longer)});
}

TEST_CASE("fetch imap: more bytes than the literal announced: a protocol error, that message not stored or deleted") {
    temp_dir dir;
    // The literal says 40 octets and 72 follow: the rest is garbage where the
    // FETCH response should go on.
    std::string t = imap_until_bodies(2, true) + imap_body(1, "UID 1 ", msg(1)) +
                    "S~ * 2 FETCH (UID 2 BODY[] {40}\\r\\n" + escaped(msg(2)) + ")\\r\\n\n" + R"(
S: %tag OK fetched
EXPECT-CLOSE LOGOUT
)";
    script_server s(t);
    auto r = fetch(dir, imap_url(s), {"--delete"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    // No STORE or EXPUNGE was sent (EXPECT-CLOSE), and message 2 is not
    // stored cut short.
    for (const auto& f : stored(dir.path() + "/Mail")) CHECK(f == lf(msg(1)));
}

TEST_CASE("fetch pop3: a message larger than LIST announced is stored whole, with a note") {
    temp_dir dir;
    const std::string big = msg(1) + std::string(300, 'y') + "\r\n";
    std::string t = pop3_until_lists("S: 1 uid-one\nS: 2 uid-two\n", "S: 1 20\nS: 2 " +
                                                                          std::to_string(msg(2).size()) + "\n") +
                    pop3_retr(1, big) + pop3_retr(2, msg(2)) + "C: QUIT\nS: +OK bye\n";
    script_server s(t);
    auto r = fetch(dir, pop3_url(s));
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "announced 20 bytes and sent " + std::to_string(big.size())));
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(big), lf(msg(2))});
}

TEST_CASE("fetch pop3: a UIDL list with duplicates: every message stored once, and once only over two runs") {
    temp_dir dir;
    const std::string uidl = "S: 1 same-id\nS: 2 other-id\nS: 3 same-id\n";
    std::string list;
    for (int i = 1; i <= 3; ++i) list += "S: " + std::to_string(i) + " " + std::to_string(msg(i).size()) + "\n";
    {
        std::string t = pop3_until_lists(uidl, list) + pop3_retr(1, msg(1)) + pop3_retr(2, msg(2)) +
                        pop3_retr(3, msg(3)) + "C: QUIT\nS: +OK bye\n";
        script_server s(t);
        auto r = fetch(dir, pop3_url(s));
        auto res = s.wait();
        INFO("stderr: " << r.err);
        CHECK_MESSAGE(res.ok, res.error);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.err, "more than once"));
        CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(msg(1)), lf(msg(2)), lf(msg(3))});
    }
    {
        // The same maildrop again: nothing is retrieved, --delete takes all three.
        std::string t = pop3_until_lists(uidl, list) + "C: DELE 1\nS: +OK\nC: DELE 2\nS: +OK\nC: DELE 3\nS: +OK\n" +
                        "C: QUIT\nS: +OK bye\n";
        script_server s(t);
        auto r = fetch(dir, pop3_url(s), {"--delete"});
        auto res = s.wait();
        INFO("stderr: " << r.err);
        CHECK_MESSAGE(res.ok, res.error);
        CHECK(r.exit_code == 0);
        CHECK(stored(dir.path() + "/Mail").size() == 3);
    }
}

TEST_CASE("fetch pop3: bare LF and NUL bytes in a message are stored, not lost") {
    temp_dir dir;
    const std::string odd = "Subject: nul\r\n\r\nA\0B\0\r\nbare LF\nlast\n"s;
    std::string t = pop3_until_lists("S: 1 u1\n", "S: 1 " + std::to_string(odd.size()) + "\n") + pop3_retr(1, odd) +
                    "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK bye\n";
    script_server s(t);
    auto r = fetch(dir, pop3_url(s), {"--delete"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    // The NULs stay; every line end becomes LF in the Maildir.
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{"Subject: nul\n\nA\0B\0\nbare LF\nlast\n"s});
}

TEST_CASE("fetch pop3: a server without UIDL: a clear error, nothing retrieved or deleted") {
    temp_dir dir;
    script_server s(R"(
S: +OK fake POP3 ready
C: CAPA
S: +OK
S: USER
S: .
C: USER user@fake.example
S: +OK
C: PASS secret
S: +OK logged in
C: CAPA
S: +OK
S: .
C: UIDL
S: -ERR unknown command
EXPECT-CLOSE QUIT
)");
    auto r = fetch(dir, pop3_url(s), {"--delete"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 76);
    CHECK(contains(r.err, "UIDL"));
    CHECK(contains(r.err, "unique ids"));
    CHECK(stored(dir.path() + "/Mail").empty());
}

TEST_CASE("fetch pop3 into lmtp: a 4xx from the receiver keeps that message (exit 75), the accepted one is deleted") {
    temp_dir dir;
    std::string list;
    for (int i = 1; i <= 2; ++i) list += "S: " + std::to_string(i) + " " + std::to_string(msg(i).size()) + "\n";
    std::string t = pop3_until_lists("S: 1 u1\nS: 2 u2\n", list) + pop3_retr(1, msg(1)) + pop3_retr(2, msg(2)) +
                    "C: DELE 1\nS: +OK\nC: QUIT\nS: +OK bye\n";
    script_server pop(t);
    auto transaction = [](int i, const std::string& verdict) {
        return "C: MAIL FROM:<> BODY=8BITMIME\nS: 250 2.1.0 ok\nC: RCPT TO:<x@fake.example>\nS: 250 2.1.5 ok\n"
               "C: DATA\nS: 354 go ahead\nC: Subject: message " + std::to_string(i) + "\nC: Message-ID: <m" +
               std::to_string(i) + "@fake.example>\nC: \nC: body of message " + std::to_string(i) + "\nC: .\nS: " +
               verdict + "\n";
    };
    script_server lmtp("S: 220 fake LMTP ready\nC: LHLO localhost\nS: 250-fake.example\nS: 250 8BITMIME\n" +
                       transaction(1, "250 2.0.0 <x@fake.example> saved") +
                       transaction(2, "451 4.2.0 <x@fake.example> mailbox busy") + "C: QUIT\nS: 221 bye\n");
    auto r = fetch(dir, pop3_url(pop),
                   {"--delete", "--into", "lmtp://127.0.0.1:" + std::to_string(lmtp.port()) + "?to=x@fake.example&tls=none"});
    auto res = pop.wait();
    auto res2 = lmtp.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK_MESSAGE(res2.ok, res2.error);
    CHECK(r.exit_code == 75);
    CHECK(contains(r.err, "deferred it"));
    CHECK(contains(r.err, "mailbox busy"));
    CHECK(contains(r.err, "kept on the server"));
}

// ---- the live display on a terminal ---------------------------------------------

namespace {

/// The screen a terminal of `columns` shows after `raw`, for the subset the
/// live display writes (text, CR, LF, ESC[1A, ESC[2K); `wrapped` is set
/// when a line ran past the last column (which the display must never do:
/// its clearing would miss the wrapped part).
std::vector<std::string> screen_after(const std::string& raw, std::size_t columns, bool& wrapped) {
    std::vector<std::string> lines(1);
    std::size_t row = 0, col = 0;
    wrapped = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '\x1b' && raw.compare(i, 4, "\x1b[1A") == 0) {
            if (row > 0) --row;
            i += 3;
        } else if (c == '\x1b' && raw.compare(i, 4, "\x1b[2K") == 0) {
            lines[row].clear();
            i += 3;
        } else if (c == '\r') {
            col = 0;
        } else if (c == '\n') {
            if (++row == lines.size()) lines.emplace_back();
        } else {
            if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) {
                lines[row] += c;  // a UTF-8 continuation byte takes no column
                continue;
            }
            if (col >= columns) wrapped = true;
            if (lines[row].size() < col) lines[row].resize(col, ' ');
            lines[row] += c;
            ++col;
        }
    }
    std::vector<std::string> out;
    for (auto& l : lines)
        if (!l.empty()) out.push_back(l);
    return out;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

TEST_CASE("fetch on a terminal: the live display fits a narrow terminal and is cleared before the summary") {
    temp_dir dir;
    std::string list;
    for (int i = 1; i <= 4; ++i) list += "S: " + std::to_string(i) + " " + std::to_string(msg(i).size()) + "\n";
    std::string t = pop3_until_lists("S: 1 u1\nS: 2 u2\nS: 3 u3\nS: 4 u4\n", list);
    for (int i = 1; i <= 4; ++i) t += "SLEEP 600\n" + pop3_retr(i, msg(i));
    t += "C: QUIT\nS: +OK bye\n";
    script_server pop(t);
    const std::string name = "an-account-with-a-name-far-too-long-for-a-terminal-of-sixty-columns";
    std::string cfg = "[accounts." + name + "]\nuser = \"user@fake.example\"\n[accounts." + name +
                      ".fetch]\nsource = \"" + pop3_url(pop) + "\"\ndestination = \"maildir:" + dir.path() + "/Mail\"\n";
    std::string cmd = "stty cols 60 rows 10 && exec " + shell_quote(pigeon_cli());
    for (const std::string& a : {std::string("fetch"), name, std::string("--config"), dir.write("t.toml", cfg),
                                 std::string("--state-dir"), dir.path() + "/state", std::string("--tls"),
                                 std::string("none"), std::string("--allow-cleartext-login")})
        cmd += " " + shell_quote(a);
    process_options o;
    o.timeout = std::chrono::seconds(60);
    o.env = {{"HOME", dir.path()}, {"PIGEON_PASSWORD", "secret"}, {"PIGEON_CONFIG", ""}, {"TERM", "xterm"}};
    // script(1) runs the command on a pseudo-terminal and copies all it shows.
    auto r = run_process("/usr/bin/script", {"-q", "-e", "-c", cmd, "/dev/null"}, o);
    auto res = pop.wait();
    INFO("output: " << quote_for_message(r.out));
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail").size() == 4);
    // The display was drawn (a job line and the total), more than once.
    CHECK(contains(r.out, "pigeon fetch: "));
    CHECK(contains(r.out, "/4 messages"));
    // No line of the display (all before its last clearing; the summary
    // after it is ordinary output and may wrap) ran past the last column;
    // the job line shortened its label, not its figures.
    bool wrapped = false;
    screen_after(r.out.substr(0, r.out.rfind("\x1b[2K")), 60, wrapped);
    CHECK_FALSE(wrapped);
    CHECK(contains(r.out, "\xE2\x80\xA6  3/4 messages  216 B/288 B"));
    auto screen = screen_after(r.out, 60, wrapped);
    // What stays on the screen is the summary line only: every progress
    // line was cleared.
    std::string shown;
    for (const auto& l : screen) shown += l + "|";
    INFO("screen: " << shown);
    for (const auto& l : screen) {
        CHECK_FALSE(contains(l, "pigeon fetch: "));
        CHECK_FALSE(contains(l, "/4 messages"));
    }
    CHECK(contains(shown, "4 messages"));
}
