// fetch_state: what goes in comes back after a reopen, whatever the bytes
// of its fields; intents are settled by exists() and the answer is kept;
// a torn last line and garbage lines cost nothing but themselves; forget();
// compaction keeps every live record.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fetch_state_support.hpp"

using namespace fs_test;
using pigeon::store::errc;

namespace {

std::vector<delivered_record> hostile_records() {
    std::vector<delivered_record> v;
    const std::vector<std::string> nasty = {
        "",
        "\t",
        "a\tb\tc",
        "line\nbreak",
        "cr\rlf\r\n",
        "%",
        "%25",
        "%0A%09%%",
        std::string("nul\0byte", 8),
        "\x01\x02\x1f\x7f",
        "Gr\xc3\xb6\xc3\x9f" "e/\xe6\x97\xa5\xe6\x9c\xac",  // UTF-8
        "\xff\xfe not UTF-8",
        "trailing space ",
        std::string(5000, '\t') + std::string(5000, '%'),
    };
    std::uint32_t uid = 1;
    for (const std::string& s : nasty) {
        delivered_record r = imap_record(s, 0xffffffffu, uid++);
        r.message_id = s;
        r.location = s + "/loc";
        r.destination = "maildir:" + s;
        r.size = std::numeric_limits<std::uint64_t>::max() - uid;
        v.push_back(r);
        if (s.empty()) continue;  // the all-empty record below has that key
        delivered_record p = pop3_record(s);
        p.sha256_hex = s;  // not a SHA-256: kept as given
        v.push_back(p);
    }
    delivered_record upper = imap_record("INBOX", 1, 0xffffffffu);
    for (char& c : upper.sha256_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v.push_back(upper);
    delivered_record empty;  // every field empty or zero
    v.push_back(empty);
    return v;
}

std::vector<delivered_record> all_records(const fetch_state& st, const std::vector<std::string>& folders) {
    std::vector<delivered_record> out;
    for (const auto& f : folders) {
        std::vector<delivered_record> visited;
        st.for_each_record(f, [&](const delivered_record& r) { visited.push_back(r); });
        const auto kept = st.records_of(f);
        REQUIRE(visited.size() == kept.size());
        for (std::size_t i = 0; i < kept.size(); ++i) {
            CHECK(same(visited[i], *kept[i]));  // the same records, in the same order
            out.push_back(*kept[i]);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("fetch state: hostile field contents survive the journal") {
    temp_dir t;
    const auto recs = hostile_records();
    std::set<std::string> folder_set;
    for (const auto& r : recs) folder_set.insert(r.key.folder);
    const std::vector<std::string> folders(folder_set.begin(), folder_set.end());
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE_MESSAGE(st, ec.message());
        for (const auto& r : recs) {
            st->intend(r, ec);
            REQUIRE(!ec);
        }
        st->confirm(recs, ec);
        REQUIRE(!ec);
        st->sync(ec);
        REQUIRE(!ec);
        CHECK(st->size() == recs.size());
    }
    const std::string journal = read_file(t / "journal");
    // One line per I and D record plus the header: nothing spilled over.
    CHECK(count_lines(journal) == 2 * recs.size() + 1);
    CHECK(journal.rfind("pigeon-fetch-state 1\n", 0) == 0);
    CHECK(journal.find('\r') == std::string::npos);
    CHECK(journal.find('\0') == std::string::npos);

    auto st = open_state(t.path(), ec);
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(st->unreadable_lines() == 0);
    CHECK(st->size() == recs.size());
    const auto back = all_records(*st, folders);
    REQUIRE(back.size() == recs.size());
    for (const auto& r : recs) {
        CHECK(st->delivered(r.key));
        const auto it = std::find_if(back.begin(), back.end(), [&](const auto& b) { return b.key == r.key; });
        REQUIRE(it != back.end());
        CHECK(same(*it, r));
    }
}

TEST_CASE("fetch state: lookups") {
    temp_dir t;
    std::error_code ec;
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    std::vector<delivered_record> rs = {imap_record("INBOX", 5, 30), imap_record("INBOX", 5, 10),
                                        imap_record("INBOX", 9, 1),  imap_record("Lists/dev", 5, 10),
                                        pop3_record("UIDL-a"),       pop3_record("UIDL-b")};
    st->confirm(rs, ec);
    REQUIRE(!ec);
    CHECK(st->size() == 6);
    CHECK(st->delivered(rs[0].key));
    CHECK_FALSE(st->delivered(imap_record("INBOX", 5, 31).key));
    CHECK_FALSE(st->delivered(imap_record("INBOX", 6, 30).key));
    CHECK_FALSE(st->delivered(imap_record("Nope", 5, 30).key));
    CHECK(st->delivered(pop3_record("UIDL-a").key));
    CHECK_FALSE(st->delivered(pop3_record("UIDL-c").key));
    message_key imap_with_uidl = rs[0].key;
    imap_with_uidl.uidl = "x";
    CHECK_FALSE(st->delivered(imap_with_uidl));

    CHECK(st->delivered_uids("INBOX", 5) == std::vector<std::uint32_t>{10, 30});
    CHECK(st->delivered_uids("INBOX", 9) == std::vector<std::uint32_t>{1});
    CHECK(st->delivered_uids("INBOX", 7).empty());
    CHECK(st->delivered_uids("Other", 5).empty());
    CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{5, 9});
    CHECK(st->uidvalidities("Lists/dev") == std::vector<std::uint32_t>{5});
    CHECK(st->uidvalidities("Other").empty());
    CHECK(st->records_of("INBOX").size() == 3);
    CHECK(st->records_of("").size() == 2);

    const delivered_record* m = st->find_by_message_id(rs[2].message_id, rs[2].size);
    REQUIRE(m != nullptr);
    CHECK(same(*m, rs[2]));
    CHECK(st->find_by_message_id(rs[2].message_id, rs[2].size + 1) == nullptr);
    CHECK(st->find_by_message_id("<nobody@example>", rs[2].size) == nullptr);
    CHECK(st->find_by_message_id("", 0) == nullptr);

    // The pointer stays valid (and right) while many records are added, and
    // follows a confirm() of its own key.
    std::vector<delivered_record> more;
    for (std::uint32_t u = 1000; u < 6000; ++u) more.push_back(imap_record("Bulk", 1, u));
    st->confirm(more, ec);
    REQUIRE(!ec);
    CHECK(same(*m, rs[2]));
    delivered_record moved = rs[2];
    moved.location = "cur/elsewhere:2,S";
    st->confirm({moved}, ec);
    REQUIRE(!ec);
    CHECK(m->location == "cur/elsewhere:2,S");
    CHECK(st->find_by_message_id(moved.message_id, moved.size) == m);
    CHECK(st->size() == 6 + more.size());
}

TEST_CASE("fetch state: unconfirmed intents are settled by exists(), and the answer is kept") {
    temp_dir t;
    std::error_code ec;
    const auto a = imap_record("INBOX", 3, 1);
    const auto b = imap_record("INBOX", 3, 2);
    const auto c = pop3_record("c-uidl");
    const auto d = imap_record("INBOX", 3, 4);  // intended and confirmed: never asked about
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        for (const auto& r : {a, b, c, d}) {
            st->intend(r, ec);
            REQUIRE(!ec);
        }
        st->confirm({d}, ec);
        REQUIRE(!ec);
        // No confirm for a, b, c: as if the process died here.
    }
    std::vector<delivered_record> asked;
    {
        auto st = fetch_state::open(
            t.path(), lock_mode::fail_if_held,
            [&](const delivered_record& r) {
                asked.push_back(r);
                return r.key == b.key;  // only b reached the destination
            },
            ec);
        REQUIRE_MESSAGE(st, ec.message());
        REQUIRE(asked.size() == 3);
        CHECK(same(asked[0], a));
        CHECK(same(asked[1], b));
        CHECK(same(asked[2], c));
        CHECK(st->delivered(b.key));
        CHECK(st->delivered(d.key));
        CHECK_FALSE(st->delivered(a.key));
        CHECK_FALSE(st->delivered(c.key));
        CHECK(st->size() == 2);
    }
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        bool called = false;
        auto st = fetch_state::open(
            t.path(), lock_mode::fail_if_held,
            [&](const delivered_record&) {
                called = true;
                return true;
            },
            ec);
        REQUIRE(st);
        CHECK_FALSE(called);  // the first reopen wrote its answers down
        CHECK(st->delivered(b.key));
        CHECK(st->delivered(d.key));
        CHECK_FALSE(st->delivered(a.key));
        CHECK_FALSE(st->delivered(c.key));
        CHECK(st->size() == 2);
        const auto recs = st->records_of("INBOX");
        REQUIRE(recs.size() == 2);
    }
}

TEST_CASE("fetch state: an intent for a key already delivered that did not happen keeps the old record") {
    temp_dir t;
    std::error_code ec;
    const auto old_rec = imap_record("INBOX", 3, 1);
    auto redo = old_rec;
    redo.location = "new/redelivery";
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({old_rec}, ec);
        st->intend(redo, ec);
        REQUIRE(!ec);
    }
    for (int round = 0; round < 2; ++round) {
        int calls = 0;
        auto st = fetch_state::open(
            t.path(), lock_mode::fail_if_held,
            [&](const delivered_record& r) {
                ++calls;
                CHECK(r.location == "new/redelivery");
                return false;
            },
            ec);
        REQUIRE(st);
        CHECK(calls == (round == 0 ? 1 : 0));
        REQUIRE(st->records_of("INBOX").size() == 1);
        CHECK(same(*st->records_of("INBOX")[0], old_rec));
    }
}

TEST_CASE("fetch state: an empty exists() means not delivered") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->intend(imap_record("INBOX", 1, 1), ec);
        REQUIRE(!ec);
    }
    auto st = fetch_state::open(t.path(), lock_mode::fail_if_held, {}, ec);
    REQUIRE(st);
    CHECK(st->size() == 0);
}

TEST_CASE("fetch state: a torn last line is ignored and cut away before the next append") {
    temp_dir t;
    std::error_code ec;
    const auto a = imap_record("INBOX", 7, 1);
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({a}, ec);
        st->sync(ec);
        REQUIRE(!ec);
    }
    const std::string good = read_file(t / "journal");
    // A whole D line but for its LF: the write was cut just before the end.
    std::string torn;
    {
        temp_dir other;
        auto st = open_state(other.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 7, 99)}, ec);
        const std::string j = read_file(other / "journal");
        torn = j.substr(j.find('\n') + 1);
        REQUIRE(torn.back() == '\n');
        torn.pop_back();
    }
    append_file(t / "journal", torn);
    {
        auto st = open_state(t.path(), ec);
        REQUIRE_MESSAGE(st, ec.message());
        CHECK(st->size() == 1);
        CHECK_FALSE(st->delivered(imap_record("INBOX", 7, 99).key));
        CHECK(st->unreadable_lines() == 0);
        CHECK(read_file(t / "journal") == good);  // cut at open
        st->confirm({imap_record("INBOX", 7, 2)}, ec);
        st->sync(ec);
        REQUIRE(!ec);
    }
    append_file(t / "journal", "D\tINB");
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 2);
    CHECK(st->delivered(imap_record("INBOX", 7, 2).key));
    CHECK(st->unreadable_lines() == 0);
}

TEST_CASE("fetch state: a journal that is only a torn header starts afresh") {
    temp_dir t;
    write_file(t / "journal", "pigeon-fetch-st");
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE_MESSAGE(st, ec.message());
        CHECK(st->size() == 0);
        st->confirm({imap_record("INBOX", 1, 1)}, ec);
        REQUIRE(!ec);
    }
    CHECK(read_file(t / "journal").rfind("pigeon-fetch-state 1\n", 0) == 0);
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 1);
}

TEST_CASE("fetch state: garbage lines are skipped and counted, the records around them kept") {
    temp_dir t;
    std::error_code ec;
    std::string d1, d2, i3, d3;
    {
        temp_dir other;
        auto st = open_state(other.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 2, 1), imap_record("INBOX", 2, 2)}, ec);
        st->intend(imap_record("INBOX", 2, 3), ec);
        st->confirm({imap_record("INBOX", 2, 3)}, ec);
        REQUIRE(!ec);
        std::string j = read_file(other / "journal");
        std::vector<std::string> lines;
        for (std::size_t p = 0; p < j.size();) {
            const std::size_t lf = j.find('\n', p);
            lines.push_back(j.substr(p, lf - p + 1));
            p = lf + 1;
        }
        REQUIRE(lines.size() == 5);
        d1 = lines[1];
        d2 = lines[2];
        i3 = lines[3];
        d3 = lines[4];
    }
    std::string valid_but_uid = d2;  // uid field made bad in several ways
    const auto field = [](const std::string& line, int n) {
        std::size_t p = 0;
        for (int i = 0; i < n; ++i) p = line.find('\t', p) + 1;
        return p;
    };
    const std::size_t uid_at = field(d2, 3);
    const std::size_t uid_end = d2.find('\t', uid_at);
    const auto with_uid = [&](const std::string& v) { return d2.substr(0, uid_at) + v + d2.substr(uid_end); };
    const std::vector<std::string> garbage = {
        "\n",
        "X\tINBOX\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",
        "D\tonly\tthree\n",
        "D\tINBOX\t2\t9\n",                                  // D with the F field count
        "F\tINBOX\t2\t9\t\t1\n",                             // F with six fields
        d2.substr(0, d2.size() - 1) + "\textra\n",           // eleven fields
        with_uid("007"),                                     // leading zeros
        with_uid("4294967296"),                              // overflows 32 bits
        with_uid("-1"),
        with_uid(""),
        with_uid("1 "),
        "D\tIN%ZZBOX\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",   // bad escape
        "D\tINBOX%4\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",    // cut escape
        "D\tIN\x01" "BOX\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",  // raw control byte
        "D\tINBOX\r\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",   // raw CR
        std::string(3000, '\0') + "\n",                     // zeroes from a crash
        std::string(2u << 20, 'x') + "\n",                  // longer than any record line
        "pigeon-fetch-state 1\n",                           // a header, but not first
        "DD\tINBOX\t2\t9\t\t1\tsha\tmid\tloc\tdest\n",
    };
    std::string journal = "pigeon-fetch-state 1\n" + d1;
    for (std::size_t i = 0; i < garbage.size(); ++i) {
        journal += garbage[i];
        if (i == 5) journal += d2;
        if (i == 10) journal += i3;
    }
    journal += d3;
    write_file(t / "journal", journal);
    {
        auto st = open_state(t.path(), ec);
        REQUIRE_MESSAGE(st, ec.message());
        CHECK(st->unreadable_lines() == garbage.size());
        CHECK(st->size() == 3);
        for (std::uint32_t u = 1; u <= 3; ++u) {
            CAPTURE(u);
            CHECK(st->delivered(imap_record("INBOX", 2, u).key));
            const auto* r = st->find_by_message_id(imap_record("INBOX", 2, u).message_id, imap_record("INBOX", 2, u).size);
            REQUIRE(r != nullptr);
            CHECK(same(*r, imap_record("INBOX", 2, u)));
        }
        CHECK_FALSE(st->delivered(imap_record("INBOX", 2, 9).key));
        CHECK_FALSE(st->delivered(imap_record("INBOX", 2, 7).key));
        // Appends after the garbage are read back.
        st->confirm({imap_record("INBOX", 2, 4)}, ec);
        REQUIRE(!ec);
    }
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 4);
    CHECK(st->unreadable_lines() == garbage.size());
}

TEST_CASE("fetch state: a first line that is not the header is read as a record line") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 2, 1)}, ec);
    }
    std::string j = read_file(t / "journal");
    j.replace(0, j.find('\n'), "\x13\x37garbage");
    write_file(t / "journal", j);
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->unreadable_lines() == 1);
    CHECK(st->size() == 1);
}

TEST_CASE("fetch state: a garbled header is a bad line, not a newer format") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 2, 1)}, ec);
    }
    std::string j = read_file(t / "journal");
    j.replace(0, j.find('\n'), "pigeon-fetch-state 1\x01");
    write_file(t / "journal", j);
    auto st = open_state(t.path(), ec);
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(st->unreadable_lines() == 1);
    CHECK(st->size() == 1);
}

TEST_CASE("fetch state: a journal of a newer format is refused, not rewritten") {
    temp_dir t;
    const std::string j = "pigeon-fetch-state 2\nsomething new\n";
    write_file(t / "journal", j);
    std::error_code ec;
    auto st = open_state(t.path(), ec);
    CHECK_FALSE(st);
    CHECK(ec == errc::io_error);
    CHECK(read_file(t / "journal") == j);
}

TEST_CASE("fetch state: forget") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 5, 1), imap_record("INBOX", 6, 2), imap_record("INBOX", 6, 3),
                     pop3_record("p1"), pop3_record("p2")},
                    ec);
        REQUIRE(!ec);
        CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{5, 6});
        st->forget({imap_record("INBOX", 5, 1).key, pop3_record("p1").key, pop3_record("never-seen").key}, ec);
        REQUIRE(!ec);
        CHECK(st->size() == 3);
        CHECK_FALSE(st->delivered(imap_record("INBOX", 5, 1).key));
        CHECK_FALSE(st->delivered(pop3_record("p1").key));
        CHECK(st->delivered(pop3_record("p2").key));
        CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{6});
        CHECK(st->find_by_message_id(imap_record("INBOX", 5, 1).message_id, imap_record("INBOX", 5, 1).size) ==
              nullptr);
        // Delivered again after being forgotten: known again.
        st->confirm({pop3_record("p1")}, ec);
        REQUIRE(!ec);
    }
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 4);
    CHECK_FALSE(st->delivered(imap_record("INBOX", 5, 1).key));
    CHECK(st->delivered(pop3_record("p1").key));
    CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{6});
    CHECK(st->delivered_uids("INBOX", 6) == std::vector<std::uint32_t>{2, 3});
}

TEST_CASE("fetch state: compaction keeps every live record and shrinks the journal") {
    temp_dir t;
    std::error_code ec;
    std::vector<delivered_record> live;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        // UIDVALIDITY 50 first, then 40, then 50 again: the order 50, 40 must
        // survive even though the first records of 50 are forgotten.
        std::vector<delivered_record> batch;
        for (std::uint32_t u = 1; u <= 1500; ++u) batch.push_back(imap_record("INBOX", 50, u));
        for (std::uint32_t u = 1; u <= 1500; ++u) batch.push_back(imap_record("INBOX", 40, u));
        for (std::uint32_t u = 1501; u <= 1600; ++u) batch.push_back(imap_record("INBOX", 50, u));
        for (const auto& r : batch) st->intend(r, ec);
        st->confirm(batch, ec);
        REQUIRE(!ec);
        // Every record of 50 older than those of 40 goes: a compaction that
        // wrote records in list order would make it 40, 50.
        std::vector<message_key> gone;
        for (const auto& r : batch) {
            if (r.key.uid % 10 == 0 && !(r.key.uidvalidity == 50 && r.key.uid <= 1500))
                live.push_back(r);
            else
                gone.push_back(r.key);
        }
        st->forget(gone, ec);
        REQUIRE(!ec);
        CHECK(st->size() == live.size());
        CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{50, 40});
    }
    const auto before = file_size(t / "journal");
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        CHECK(st->size() == live.size());
    }
    const auto after = file_size(t / "journal");
    CHECK(after * 5 < before);
    CHECK(count_lines(read_file(t / "journal")) == live.size() + 1);
    CHECK_FALSE(std::filesystem::exists(t / "journal.tmp"));
    for (int round = 0; round < 2; ++round) {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        CHECK(st->unreadable_lines() == 0);
        CHECK(st->size() == live.size());
        CHECK(st->uidvalidities("INBOX") == std::vector<std::uint32_t>{50, 40});
        for (const auto& r : live) {
            const auto* got = st->find_by_message_id(r.message_id, r.size);
            REQUIRE(got != nullptr);
            CHECK(same(*got, r));
        }
        // Appending to the compacted journal works.
        st->confirm({imap_record("INBOX", 40, 99999)}, ec);
        REQUIRE(!ec);
        live.push_back(imap_record("INBOX", 40, 99999));
    }
}

TEST_CASE("fetch state: a small or mostly live journal is not compacted") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        std::vector<delivered_record> batch;
        for (std::uint32_t u = 1; u <= 300; ++u) batch.push_back(imap_record("INBOX", 1, u));
        for (const auto& r : batch) st->intend(r, ec);
        st->confirm(batch, ec);  // 601 lines, 300 live: dead enough, but small
        for (std::uint32_t u = 1; u <= 200; ++u) st->forget({imap_record("INBOX", 1, u).key}, ec);
        REQUIRE(!ec);
    }
    const std::string j = read_file(t / "journal");
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 100);
    CHECK(read_file(t / "journal") == j);
}

TEST_CASE("fetch state: the directory is made with mode 0700, parents too") {
    temp_dir t;
    const std::string dir = t / "a/b/state/";
    std::error_code ec;
    auto st = open_state(dir, ec);
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(st->directory() == t / "a/b/state");
    for (const std::string& p : {t / "a", t / "a/b", t / "a/b/state"}) {
        struct stat sb {};
        REQUIRE(::stat(p.c_str(), &sb) == 0);
        CHECK((sb.st_mode & 0777) == 0700);
    }
    struct stat jb {};
    REQUIRE(::stat((t / "a/b/state/journal").c_str(), &jb) == 0);
    CHECK((jb.st_mode & 077) == 0);
}

TEST_CASE("fetch state: a directory that cannot be made is cannot_create") {
    temp_dir t;
    write_file(t / "file", "x");
    std::error_code ec;
    CHECK_FALSE(open_state(t / "file/state", ec));
    CHECK(ec == errc::cannot_create);
    CHECK_FALSE(open_state("", ec));
    CHECK(ec == errc::cannot_create);
}

TEST_CASE("fetch state: a moved-from state answers without crashing") {
    temp_dir t;
    std::error_code ec;
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    fetch_state other = std::move(*st);
    CHECK(other.directory() == t.path());
    CHECK(st->size() == 0);
    CHECK_FALSE(st->delivered(imap_record("INBOX", 1, 1).key));
    st->intend(imap_record("INBOX", 1, 1), ec);
    CHECK(ec == errc::bad_state);
}

TEST_CASE("fetch state: the delivery time survives the journal, lines without it (older journals) read as 0") {
    temp_dir t;
    std::error_code ec;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE_MESSAGE(st, ec.message());
        auto a = pop3_record("with-time");
        a.delivered_at = 1765000000;
        auto b = pop3_record("without-time");
        st->confirm({a, b}, ec);
        REQUIRE(!ec);
        st->sync(ec);
        REQUIRE(!ec);
    }
    // An older journal's 10-field D line, appended by hand.
    append_file(t / "journal", "D\t\t0\t0\told-line\t5\t" + std::string(64, 'a') + "\t<m@x>\tnew/x\tmaildir:/m\n");
    auto st = open_state(t.path(), ec);
    REQUIRE_MESSAGE(st, ec.message());
    CHECK(st->unreadable_lines() == 0);
    std::map<std::string, std::int64_t> at;
    for (const auto* r : st->records_of("")) at[r->key.uidl] = r->delivered_at;
    CHECK(at["with-time"] == 1765000000);
    CHECK(at["without-time"] == 0);
    CHECK(at.count("old-line") == 1);
    CHECK(at["old-line"] == 0);
}

TEST_CASE("fetch state: a batch is written in pieces, all or nothing") {
    temp_dir t;
    std::error_code ec;
    std::vector<delivered_record> batch;
    for (std::uint32_t uid = 1; uid <= 2000; ++uid) batch.push_back(imap_record("INBOX", 7, uid));  // ~500 KB
    std::string before;
    {
        auto st = open_state(t.path(), ec);
        REQUIRE(st);
        st->confirm({imap_record("INBOX", 7, 5000)}, ec);
        REQUIRE(!ec);
        before = read_file(t / "journal");

        // The last record cannot be written (its line is over the limit):
        // the pieces already written are taken back, nothing is recorded.
        auto bad = batch;
        delivered_record huge = imap_record("INBOX", 7, 4000);
        huge.location.assign(2u << 20, 'x');
        bad.push_back(huge);
        st->confirm(bad, ec);
        CHECK(ec == std::errc::value_too_large);
        CHECK(read_file(t / "journal") == before);
        CHECK(st->size() == 1);
        CHECK_FALSE(st->delivered(batch.front().key));

        st->confirm(batch, ec);
        REQUIRE(!ec);
        CHECK(st->size() == 2001);
    }
    auto st = open_state(t.path(), ec);
    REQUIRE(st);
    CHECK(st->size() == 2001);
    const std::string after = read_file(t / "journal");
    CHECK(after.size() > before.size() + 300000);
    CHECK(count_lines(after) == count_lines(before) + 2000);
    std::map<std::uint32_t, delivered_record> got;
    st->for_each_record("INBOX", [&](const delivered_record& r) { got[r.key.uid] = r; });
    REQUIRE(got.size() == 2001);
    for (const auto& r : batch) CHECK(same(got[r.key.uid], r));
}
