// The typed IMAP client against the lab's Dovecot with the seeded data
// (lab/README.md "Seeded data"): a full download of bench's INBOX checked
// against every SHA-256 of the manifest, the listing, SEARCH against known
// answers, the > 64 MiB message streamed with bounded memory, and the
// writing commands (APPEND, STORE, COPY, MOVE, EXPUNGE) in alice's
// mailboxes, each checked from a second connection. bench's INBOX is only
// EXAMINEd and fetched with PEEK.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

using namespace pigeon;
using namespace pigeon::imap;
namespace lab = pigeon::test::lab;

namespace {

constexpr lab::account bench{"bench@lab.test", "bench-pass-4"};
constexpr lab::account huge{"huge@lab.test", "huge-pass-5"};

struct manifest_entry {
    std::uint32_t uid = 0;
    std::uint64_t size = 0;
    std::string sha256;
    std::string message_id;
    bool seen = false;
};

std::string source_dir() {
#ifdef PIGEON_SOURCE_DIR
    return PIGEON_SOURCE_DIR;
#else
    return ".";
#endif
}

// Seeds (idempotent) and reads one folder of a manifest through Python's
// json module into "uid size sha256 seen message-id" lines.
std::vector<manifest_entry> manifest(const std::string& file, const std::string& folder, bool with_huge = false) {
    static bool seeded = false;
    if (!seeded) {
        std::string cmd = "/usr/bin/python3 " + source_dir() + "/lab/seed.py --mail-only" +
                          (with_huge ? " --huge" : "") + " >/dev/null";
        REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "lab/seed.py failed");
        seeded = !with_huge;
    }
    const std::string out = "/tmp/pigeon-imap-manifest-" + std::to_string(::getpid()) + ".txt";
    std::string py = "/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[\"folders\"][sys.argv[2]]"
                     "[\"messages\"]; print(\"\\n\".join(\"%d %d %s %d %s\" % (e[\"uid\"], e[\"size\"], e[\"sha256\"], "
                     "int(\"S\" in e[\"file\"].rsplit(\",\",1)[-1]), e[\"message_id\"]) for e in m))' " +
                     lab::dir() + "/seed/" + file + " '" + folder + "' > " + out;
    REQUIRE(std::system(py.c_str()) == 0);
    std::ifstream in(out);
    std::vector<manifest_entry> v;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        manifest_entry e;
        int seen = 0;
        ls >> e.uid >> e.size >> e.sha256 >> seen >> e.message_id;
        e.seen = seen != 0;
        v.push_back(e);
    }
    std::remove(out.c_str());
    return v;
}

client_options opts() {
    client_options o;
    o.net = lab::session_options();
    return o;
}

client login(const lab::account& who) {
    auto c = test::connected<client>(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), opts());
    c.login(std::string(who.name), std::string(who.password));
    return c;
}

class sha256 {
public:
    sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
    void update(std::string_view b) { EVP_DigestUpdate(ctx_.get(), b.data(), b.size()); }
    std::string hex() {
        unsigned char md[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &n);
        static const char* digits = "0123456789abcdef";
        std::string s;
        for (unsigned i = 0; i < n; ++i) {
            s += digits[md[i] >> 4];
            s += digits[md[i] & 15];
        }
        return s;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

long status_kb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string key = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
    return 0;
}

/// Downloads every message of the selected mailbox, hashing each body.
std::map<std::uint32_t, std::pair<std::uint64_t, std::string>> download_all(client& c, fetch_options fo = {}) {
    std::map<std::uint32_t, std::pair<std::uint64_t, std::string>> got;  // uid -> (size, sha256)
    std::unique_ptr<sha256> h;
    std::uint64_t bytes = 0;
    c.fetch_each(
        c.search(search_query::all()), fetch_items::whole_message(),
        [&](message_data& m) {
            REQUIRE(m.uid);
            REQUIRE(h);
            got[*m.uid] = {bytes, h->hex()};
            h.reset();
        },
        [&](const body_target& t) -> net::sink_fn {
            CHECK(t.uid.has_value());
            h = std::make_unique<sha256>();
            bytes = t.size;
            return [&](std::string_view b) { h->update(b); };
        },
        fo);
    return got;
}

std::string unique_name(const char* what) {
    return std::string("pigeon-it-") + what + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

} // namespace

TEST_CASE("bench INBOX: full download, every SHA-256 equal to the manifest's") {
    auto m = manifest("mail-bench.json", "INBOX");
    REQUIRE(m.size() == 10000);
    auto c = login(bench);
    const auto& st = c.examine("INBOX");
    CHECK(st.exists == 10000u);
    CHECK(st.read_only);
    fetch_options fo;
    fo.batch = 500;
    fo.in_flight = 2;
    auto got = download_all(c, fo);
    REQUIRE(got.size() == m.size());
    std::size_t same = 0;
    for (const auto& e : m) {
        auto it = got.find(e.uid);
        if (it != got.end() && it->second.first == e.size && it->second.second == e.sha256) ++same;
    }
    CHECK(same == m.size());
    c.logout();
}

TEST_CASE("bench INBOX: the listing (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE) matches the manifest") {
    auto m = manifest("mail-bench.json", "INBOX");
    auto c = login(bench);
    c.examine("INBOX");
    std::map<std::uint32_t, message_data> got;
    c.fetch_each(uid_set::from_range(1, uid_set::star), fetch_items::listing(),
                 [&](message_data& d) { got[*d.uid] = std::move(d); });
    REQUIRE(got.size() == m.size());
    std::size_t same = 0;
    for (const auto& e : m) {
        const auto& d = got[e.uid];
        if (d.rfc822_size == e.size && d.envelope && d.envelope->message_id == e.message_id && d.internal_date &&
            d.flags && std::find(d.flags->begin(), d.flags->end(), "\\Seen") != d.flags->end())
            ++same;
    }
    CHECK(same == m.size());
    c.logout();
}

TEST_CASE("SEARCH against known answers, STATUS, LIST, ESEARCH figures") {
    auto m = manifest("mail-bench.json", "INBOX");
    auto lists = manifest("mail-bench.json", "Lists.dev");
    auto c = login(bench);
    c.examine("INBOX");
    CHECK(c.search(search_query::all()).to_string() == "1:10000");
    const auto& pick = m[4321];
    CHECK(c.search(search_query::header("Message-ID", pick.message_id)).to_string() == std::to_string(pick.uid));
    std::vector<std::uint32_t> big;
    for (const auto& e : m)
        if (e.size > 1000000) big.push_back(e.uid);
    CHECK(c.search(search_query::larger(1000000)) == uid_set::from_numbers(big));
    search_return r;
    r.all = false;
    r.count = r.min = r.max = true;
    auto s = c.search(search_query::larger(1000000), r);
    CHECK(s.count == big.size());
    REQUIRE_FALSE(big.empty());
    CHECK(s.min == big.front());
    CHECK(s.max == big.back());
    CHECK(c.search(search_query::unseen()).empty());

    auto st = c.status("Lists.dev");
    CHECK(st.messages == 300u);
    std::size_t unseen = 0;
    for (const auto& e : lists) unseen += e.seen ? 0 : 1;
    CHECK(st.unseen == unseen);
    c.close_mailbox();
    c.examine("Lists.dev");
    CHECK(c.search(search_query::unseen()).count() == unseen);
    CHECK(c.search(!search_query::seen() && search_query::uid(uid_set::from_range(1, 300))).count() == unseen);

    list_options lo;
    lo.status = status_items{};
    bool found = false;
    for (auto& e : c.list("", "*", lo)) {
        if (e.entry.name == "Lists.dev") {
            found = true;
            REQUIRE(e.status);  // LIST-STATUS
            CHECK(e.status->messages == 300u);
        }
        if (e.entry.name == "Lists") CHECK_FALSE(e.entry.selectable());
    }
    CHECK(found);
    c.logout();
}

TEST_CASE("the > 64 MiB message streams with bounded memory") {
    auto m = manifest("mail-huge.json", "INBOX", true);
    REQUIRE(m.size() == 3);
    REQUIRE(m[1].size > 64u * 1024 * 1024);
    { std::ofstream("/proc/self/clear_refs") << "5"; }  // resets VmHWM
    const long before = status_kb("VmRSS");
    auto c = login(huge);
    c.examine("INBOX");
    auto got = download_all(c);
    c.logout();
    const long peak = status_kb("VmHWM");
    REQUIRE(got.size() == 3);
    for (const auto& e : m) {
        CHECK(got[e.uid].first == e.size);
        CHECK(got[e.uid].second == e.sha256);
    }
    MESSAGE("VmRSS before " << before << " KiB, VmHWM after " << peak << " KiB");
    CHECK(peak - before < 16 * 1024);
}

TEST_CASE("alice: APPEND, STORE, COPY, MOVE, EXPUNGE, each checked from a second connection") {
    auto a = login(lab::alice);
    auto b = login(lab::alice);
    const std::string box = unique_name("src");
    const std::string dst = unique_name("dst") + "-\xc3\xa9t\xc3\xa9";  // a modified UTF-7 name
    a.create(box);
    a.create(dst);
    struct cleanup {
        client& c;
        std::string x, y;
        ~cleanup() {
            try {
                if (c.state() == state::selected) c.close_mailbox();
                c.delete_mailbox(x);
                c.delete_mailbox(y);
            } catch (...) {
            }
        }
    } clean{a, box, dst};

    // APPEND: in memory, from a streamed source, with flags and a date.
    std::vector<std::string> msgs;
    for (int i = 0; i < 3; ++i)
        msgs.push_back("From: a@lab.test\r\nSubject: pigeon " + std::to_string(i) + "\r\nMessage-ID: <" +
                       std::to_string(i) + "." + box + "@lab.test>\r\n\r\nbody " + std::to_string(i) + "\r\n");
    auto r0 = a.append(box, msgs[0]);
    REQUIRE(r0);  // Dovecot offers UIDPLUS
    CHECK(r0->uids.to_string() == "1");
    append_options ao;
    ao.flags = {"\\Flagged"};
    ao.internal_date = parse_date_time("06-Dec-2025 10:00:00 +0100");
    auto r1 = a.append(box, msgs[1].size(), net::string_source(msgs[1]), ao);
    REQUIRE(r1);
    CHECK(r1->uids.to_string() == "2");
    a.append(box, msgs[2]);
    CHECK_THROWS_AS(a.append(box, std::string_view("Subject: x\r\n\r\na\0b\r\n", 19)), request_error);

    b.examine(box);
    auto seen_by_b = b.fetch(uid_set::from_range(1, uid_set::star), [] {
        auto f = fetch_items::whole_message();
        f.flags = f.internal_date = true;
        return f;
    }());
    REQUIRE(seen_by_b.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(seen_by_b[i].sections.at(0).bytes == msgs[i]);
    CHECK(std::find(seen_by_b[1].flags->begin(), seen_by_b[1].flags->end(), "\\Flagged") != seen_by_b[1].flags->end());
    REQUIRE(seen_by_b[1].internal_date);
    CHECK(seen_by_b[1].internal_date->time == ao.internal_date->time);  // the server may write it in its own zone
    b.close_mailbox();

    // STORE, COPY, MOVE.
    a.select(box);
    a.store(uid_set::from_range(1, 1), store_action::add, {"\\Seen", "$Pigeon"});
    auto cp = a.copy(uid_set::from_range(1, 2), dst);
    REQUIRE(cp);
    CHECK(cp->source.to_string() == "1:2");
    auto mv = a.move(uid_set::from_range(3, 3), dst);
    REQUIRE(mv);
    CHECK(mv->destination.to_string() == "3");
    CHECK(a.mailbox().exists == 2u);

    b.examine(box);
    fetch_items fl;
    fl.flags = true;
    auto after = b.fetch(uid_set::from_range(1, uid_set::star), fl);
    REQUIRE(after.size() == 2);
    CHECK(std::find(after[0].flags->begin(), after[0].flags->end(), "$Pigeon") != after[0].flags->end());
    b.close_mailbox();
    auto dst_status = b.status(dst);
    CHECK(dst_status.messages == 3u);

    // EXPUNGE of a \Deleted message, UID EXPUNGE leaving another alone.
    a.store(uid_set::from_range(1, 2), store_action::add, {"\\Deleted"});
    CHECK(a.expunge(uid_set::from_range(2, 2)) == 1u);
    CHECK(b.status(box).messages == 1u);
    CHECK(a.expunge() == 1u);
    CHECK(b.status(box).messages == 0u);

    // CONDSTORE: UNCHANGEDSINCE below the current mod-sequence is refused per message.
    a.close_mailbox();
    select_options cs;
    cs.condstore = true;
    a.select(dst, cs);
    REQUIRE(a.mailbox().highest_modseq);
    store_options so;
    so.unchanged_since = 1;
    auto mod = a.store(uid_set::from_range(1, 3), store_action::add, {"$Late"}, so);
    CHECK(mod.modified.to_string() == "1:3");
    a.close_mailbox();
    b.logout();
}

TEST_CASE("alice: FETCH by sequence number where UIDs have gaps") {
    auto a = login(lab::alice);
    const std::string box = unique_name("seq");
    a.create(box);
    for (int i = 1; i <= 5; ++i)
        a.append(box, "From: a@lab.test\r\nSubject: seq " + std::to_string(i) + "\r\n\r\nbody\r\n");
    a.select(box);
    a.store(uid_set::from_numbers({1, 3}), store_action::add, {"\\Deleted"});
    REQUIRE(a.expunge() == 2u);  // UIDs 2 4 5 are now messages 1 2 3
    a.close_mailbox();

    auto b = login(lab::alice);
    b.examine(box);
    REQUIRE(b.mailbox().exists == 3u);
    fetch_items items = fetch_items::listing();
    fetch_options by_seq;
    by_seq.by_sequence = true;
    auto got = b.fetch(uid_set::from_range(2, 3), items, by_seq);
    REQUIRE(got.size() == 2);
    std::sort(got.begin(), got.end(), [](const message_data& x, const message_data& y) { return x.seq < y.seq; });
    CHECK(got[0].seq == 2u);
    CHECK(got[0].uid == 4u);
    CHECK(got[0].envelope->subject == "seq 4");
    CHECK(got[1].seq == 3u);
    CHECK(got[1].uid == 5u);
    // The same numbers as UIDs: only UID 2 is left of 2:3.
    auto as_uids = b.fetch(uid_set::from_range(2, 3), items);
    REQUIRE(as_uids.size() == 1);
    CHECK(as_uids[0].uid == 2u);
    CHECK(as_uids[0].seq == 1u);
    // By sequence, with several commands in flight and one number each.
    fetch_options small = by_seq;
    small.batch = 1;
    small.in_flight = 3;
    std::vector<std::uint32_t> uids;
    b.fetch_each(uid_set::from_range(1, uid_set::star), items, [&](message_data& m) { uids.push_back(*m.uid); }, {}, small);
    std::sort(uids.begin(), uids.end());
    CHECK(uids == std::vector<std::uint32_t>{2, 4, 5});
    // VANISHED is a UID FETCH thing.
    fetch_options bad = by_seq;
    bad.changed_since = 1;
    bad.vanished = true;
    CHECK_THROWS_AS(b.fetch(uid_set::from_range(1, 3), items, bad), request_error);
    b.close_mailbox();
    b.logout();
    a.delete_mailbox(box);
    a.logout();
}

TEST_CASE("alice: IDLE sees another connection's APPEND, QRESYNC reports what vanished") {
    auto a = login(lab::alice);
    const std::string box = unique_name("idle");
    a.create(box);
    CHECK(a.enable({"QRESYNC"}) == std::vector<std::string>{"QRESYNC"});
    a.select(box);
    const auto validity = *a.mailbox().uidvalidity;
    const auto modseq = a.mailbox().highest_modseq.value_or(1);

    std::thread writer([box] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        auto b = login(lab::alice);
        b.append(box, std::string_view("Subject: idle\r\n\r\nx\r\n"));
        b.append(box, std::string_view("Subject: idle 2\r\n\r\ny\r\n"));
        b.logout();
    });
    std::uint32_t exists = 0;
    auto end = a.idle(
        [&](const mailbox_event& e) {
            if (e.type == mailbox_event::kind::exists) exists = e.number;
            return exists < 2;
        },
        std::chrono::seconds(20));
    writer.join();
    CHECK(end == idle_end::stopped);
    CHECK(exists == 2u);
    CHECK(a.idle([](const mailbox_event&) { return true; }, std::chrono::milliseconds(200)) == idle_end::timeout);
    CHECK(a.is_connected());

    // Expunge one, then resynchronise from the old mod-sequence.
    a.store(uid_set::from_range(1, 1), store_action::add, {"\\Deleted"});
    a.expunge();
    a.close_mailbox();
    std::vector<mailbox_event> events;
    a.set_event_handler([&](const mailbox_event& e) { events.push_back(e); });
    select_options so;
    so.qresync = select_options::qresync_params{validity, modseq, uid_set::from_range(1, 2)};
    a.select(box, so);
    bool vanished = false;
    for (const auto& e : events)
        if (e.type == mailbox_event::kind::vanished && e.gone.earlier && e.gone.uids.contains(1)) vanished = true;
    CHECK(vanished);
    a.set_event_handler({});
    a.close_mailbox();
    a.delete_mailbox(box);
    auto id = a.id({{"name", "pigeon"}});
    CHECK_FALSE(id.empty());
    auto ns = a.get_namespaces();
    CHECK_FALSE(ns.personal.empty());
    a.logout();
}
