// The NNTP reading commands against the lab's INN (lab/README.md "Seeded
// data"): the test seeds lab.bench itself (lab/seed.py --news-only,
// idempotent), then checks a pipelined ARTICLE download of the whole group
// (cancelled numbers included: 423 in the middle of windows) and OVER of the
// whole group against the seed manifest, HEAD / BODY / STAT / NEXT / LAST,
// HDR, the LIST variants, NEWGROUPS, DATE, NEWNEWS refused, and POST read
// back.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "pigeon/nntp/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/run_process.hpp"

using namespace pigeon;
using namespace pigeon::nntp;
namespace lab = pigeon::test::lab;

namespace {

net::endpoint ep(net::tls_mode mode = net::tls_mode::starttls) { return lab::endpoint(net::protocol::nntp, mode); }

client_options opts() {
    client_options o;
    o.net = lab::session_options();
    return o;
}

// ---- the seeded data -------------------------------------------------------------

struct seeded_article {
    std::string message_id;
    std::uint64_t size = 0;
    std::string sha256;
    std::string body_sha256;
};

struct seeded_group {
    article_number count = 0, low = 0, high = 0;
    std::uint64_t bytes = 0, overview_lines = 0, overview_bytes = 0;
    std::map<article_number, seeded_article> articles;
    std::map<article_number, std::string> cancelled;
};

/// Seeds lab.bench (news only: the mail part is not waited for) with the
/// seed script of the lab that runs, and reads its manifest.
const seeded_group& bench() {
    static const seeded_group g = [] {
        namespace fs = std::filesystem;
        // The running lab's own seed script (its data format is its own),
        // else this tree's.
        fs::path script = fs::path(lab::dir()).parent_path() / "seed.py";
        if (!fs::exists(script)) script = fs::path(PIGEON_SOURCE_DIR) / "lab" / "seed.py";
        test::process_options po;
        po.timeout = std::chrono::minutes(10);
        po.env["PIGEON_LAB_DIR"] = lab::dir();
        auto r = test::run_process("/usr/bin/python3", {script.string(), "--news-only"}, po);
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        std::ifstream in(lab::dir() + "/seed/news-lab.bench.json");
        REQUIRE(in);
        auto j = nlohmann::json::parse(in);
        seeded_group s;
        s.count = j.at("count").get<article_number>();
        s.low = j.at("low").get<article_number>();
        s.high = j.at("high").get<article_number>();
        s.bytes = j.at("bytes").get<std::uint64_t>();
        s.overview_lines = j.at("overview_lines").get<std::uint64_t>();
        s.overview_bytes = j.at("overview_bytes").get<std::uint64_t>();
        for (const auto& a : j.at("articles")) {
            seeded_article e;
            e.message_id = a.at("message_id").get<std::string>();
            e.size = a.at("size").get<std::uint64_t>();
            e.sha256 = a.at("sha256").get<std::string>();
            e.body_sha256 = a.at("body_sha256").get<std::string>();
            s.articles[a.at("number").get<article_number>()] = std::move(e);
        }
        for (const auto& c : j.at("cancelled"))
            s.cancelled[c.at("number").get<article_number>()] = c.at("message_id").get<std::string>();
        return s;
    }();
    return g;
}

/// A streaming SHA-256 as a sink.
class sha256_sink {
public:
    sha256_sink() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
    ~sha256_sink() { EVP_MD_CTX_free(ctx_); }
    sha256_sink(const sha256_sink&) = delete;
    sha256_sink& operator=(const sha256_sink&) = delete;
    net::sink_fn sink() {
        return [this](std::string_view b) { EVP_DigestUpdate(ctx_, b.data(), b.size()); };
    }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_, md, &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < n; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 15];
        }
        EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
        return out;
    }

private:
    EVP_MD_CTX* ctx_;
};

std::string sha256_of(std::string_view s) {
    sha256_sink h;
    h.sink()(s);
    return h.hex();
}

} // namespace

TEST_CASE("pipelined ARTICLE of all of lab.bench matches the manifest, cancelled numbers refused") {
    const auto& m = bench();
    for (auto mode : {net::tls_mode::starttls, net::tls_mode::implicit}) {
        INFO((mode == net::tls_mode::implicit ? "nntps" : "starttls"));
        auto c = test::connected<client>(ep(mode), opts());
        auto g = c.group("lab.bench");
        CHECK(g.count == m.count);
        CHECK(g.low == m.low);
        CHECK(g.high == m.high);
        CHECK(c.current_article() == g.low);
        // Every number from low to high: the cancelled ones come back 423 in
        // the middle of a window.
        std::vector<article_ref> refs;
        for (article_number n = g.low; n <= g.high; ++n) refs.push_back(n);
        sha256_sink h;
        std::size_t ok = 0, refused = 0, mismatched = 0;
        std::uint64_t bytes = 0;
        std::set<article_number> refused_numbers;
        c.retrieve_each(
            refs, [&](const article_ref&) { return h.sink(); },
            [&](const retrieve_status& s) {
                if (!s.ok) {
                    ++refused;
                    refused_numbers.insert(s.ref.number());
                    CHECK(s.refusal.code == 423);
                    return;
                }
                ++ok;
                bytes += s.status.bytes;
                auto it = m.articles.find(s.ref.number());
                if (it == m.articles.end() || it->second.sha256 != h.hex() || it->second.size != s.status.bytes ||
                    it->second.message_id != s.status.message_id)
                    ++mismatched;
            });
        CHECK(ok == m.articles.size());
        CHECK(mismatched == 0);
        CHECK(bytes == m.bytes);
        CHECK(refused == m.cancelled.size());
        for (const auto& [n, id] : m.cancelled) CHECK(refused_numbers.count(n) == 1);
        CHECK(c.current_article() == g.high);
        c.quit();
    }
}

TEST_CASE("OVER of all of lab.bench matches the manifest, LISTGROUP and HDR agree") {
    const auto& m = bench();
    auto c = test::connected<client>(ep(), opts());
    auto g = c.group("lab.bench");
    const auto& fmt = c.overview_fmt();
    REQUIRE(fmt.fields().size() >= 7);
    CHECK(fmt.fields()[0].kind == overview_field_kind::subject);
    std::size_t lines = 0, wrong_id = 0;
    std::uint64_t bytes = 0;
    std::map<article_number, std::string> subjects;
    c.over(range::between(g.low, g.high), [&](const overview_entry& e) {
        ++lines;
        bytes += e.bytes.value_or(0);
        auto it = m.articles.find(e.number);
        if (it == m.articles.end() || it->second.message_id != e.message_id) ++wrong_id;
        if (!e.extra_value("Xref")) ++wrong_id;
        if (e.number < 100) subjects[e.number] = e.subject;
    });
    CHECK(lines == m.overview_lines);
    CHECK(wrong_id == 0);
    CHECK(bytes == m.overview_bytes);

    auto numbers = c.listgroup("lab.bench");
    CHECK(numbers.size() == m.articles.size());
    CHECK(numbers.front() == m.articles.begin()->first);
    CHECK(numbers.back() == m.articles.rbegin()->first);

    auto h = c.hdr("Subject", range::between(1, 99));
    REQUIRE(h.size() == subjects.size());
    for (const auto& e : h) CHECK(subjects[e.number] == e.value);
    auto ids = c.hdr("Message-ID", range::single(m.articles.begin()->first));
    REQUIRE(ids.size() == 1);
    CHECK(ids[0].value == m.articles.begin()->second.message_id);
    c.quit();
}

TEST_CASE("HEAD, BODY, STAT by message-id and number, NEXT and LAST, a cancelled article") {
    const auto& m = bench();
    auto c = test::connected<client>(ep(net::tls_mode::implicit), opts());
    auto g = c.group("lab.bench");
    // Article 1 is cancelled; GROUP still reports 1 as the low mark.
    CHECK(m.cancelled.count(1) == 1);
    CHECK_THROWS_AS(c.stat(1), command_error);
    auto first = c.next();
    CHECK(first.number == m.articles.begin()->first);
    CHECK(c.current_article() == first.number);
    const auto& [n, a] = *std::next(m.articles.begin(), 100);
    std::string head = c.head(a.message_id);
    std::string body = c.body(a.message_id);
    CHECK(head.size() + 2 + body.size() == a.size);  // the empty line between them
    CHECK(sha256_of(body) == a.body_sha256);
    CHECK(sha256_of(head + "\r\n" + body) == a.sha256);
    CHECK(c.stat(n).message_id == a.message_id);
    CHECK(c.current_article() == n);
    auto prev = c.last();
    CHECK(prev.number < n);
    CHECK(m.articles.at(prev.number).message_id == prev.message_id);
    try {
        c.article(m.cancelled.rbegin()->second, net::sink_fn{});
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 430);
    }
    CHECK(g.name == "lab.bench");
    c.quit();
}

TEST_CASE("LIST variants, NEWGROUPS, DATE") {
    bench();
    auto c = test::connected<client>(ep(), opts());
    auto active = c.list_active("lab.*");
    bool found = false;
    for (const auto& e : active)
        if (e.name == "lab.bench") {
            found = true;
            CHECK(e.high == bench().high);
            CHECK(e.posting == group_posting::allowed);
        }
    CHECK(found);
    auto desc = c.list_newsgroups("lab.test");
    REQUIRE(desc.size() == 1);
    CHECK(desc[0].description.find("pigeon lab") != std::string::npos);
    CHECK_FALSE(c.list_active_times().empty());
    auto hdrs = c.list_headers();
    CHECK_FALSE(hdrs.empty());
    auto groups = c.newgroups(std::chrono::sys_seconds{});
    CHECK(groups.size() >= 3);
    auto now = std::chrono::system_clock::now();
    auto server = c.date();
    CHECK(std::chrono::abs(server - std::chrono::time_point_cast<std::chrono::seconds>(now)) < std::chrono::minutes(5));
    c.quit();
}

TEST_CASE("NEWNEWS is disabled in the lab's INN: refused before and after AUTHINFO") {
    auto c = test::connected<client>(ep(), opts());
    for (int round = 0; round < 2; ++round) {
        INFO(round);
        try {
            c.newnews("lab.*", std::chrono::sys_seconds{}, [](std::string_view) { FAIL("an id"); });
            FAIL("no exception");
        } catch (const command_error& e) {
            // 480 before authentication, 502 after.
            CHECK(e.server_reply().code == (round == 0 ? 480 : 502));
        }
        CHECK(c.is_connected());
        if (round == 0) c.login(std::string(lab::alice.name), std::string(lab::alice.password));
    }
    c.quit();
}

TEST_CASE("POST (cross-posted to lab.test and lab.misc) and read it back") {
    auto c = test::connected<client>(ep(), opts());
    // Not yet authenticated: INN refuses before reading the article.
    bool read = false;
    try {
        c.post([&](char*, std::size_t) -> std::size_t {
            read = true;
            return 0;
        });
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK((e.server_reply().code == 440 || e.server_reply().code == 480));
    }
    CHECK_FALSE(read);
    c.login(std::string(lab::alice.name), std::string(lab::alice.password));

    std::random_device rd;
    const std::string tag = std::to_string(rd()) + std::to_string(rd());
    const std::string id = "<nntp-read-" + tag + "@lab.test>";
    const std::string article = "From: Alice <alice@lab.test>\n"
                                "Newsgroups: lab.test,lab.misc\n"
                                "Subject: pigeon nntp_read " + tag + "\n"
                                "Message-ID: " + id + "\n"
                                "\n"
                                ".a line that starts with a dot\n"
                                "..and one with two\n"
                                ".\n"
                                "the end\n";
    auto r = c.post(article);
    CHECK(r.code == 240);

    // Read it back by message-id (innd files it within moments).
    std::string got;
    for (int attempt = 0; attempt < 50; ++attempt) {
        try {
            got = c.body(id);
            break;
        } catch (const command_error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    CHECK(got == ".a line that starts with a dot\r\n..and one with two\r\n.\r\nthe end\r\n");

    // And in both groups, through OVER.
    for (const char* group : {"lab.test", "lab.misc"}) {
        INFO(group);
        auto g = c.group(group);
        bool seen = false;
        c.over(range::between(g.low, g.high), [&](const overview_entry& e) {
            if (e.message_id == id) {
                seen = true;
                CHECK(e.subject == "pigeon nntp_read " + tag);
            }
        });
        CHECK(seen);
    }
    // A second article with the same Message-ID is refused after sending (441).
    try {
        c.post(article);
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().code == 441);
    }
    CHECK(c.is_connected());
    c.quit();
}
