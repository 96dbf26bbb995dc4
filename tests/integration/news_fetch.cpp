// pigeon news fetch against the lab's INN: the seeded lab.bench (5,000
// articles, cancelled ones leaving gaps) into a Maildir, each article
// exactly once with its content, incrementally; a .newsrc imported (what it
// marks read is not fetched) and exported; an mbox from a wildmat with
// --jobs, a new post fetched once; the JSON Lines; and the faults: the
// connection cut at spread offsets, and kill -9 at random moments, each
// followed by a clean run that completes the set exactly once.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "news_lab.hpp"
#include "support/cutting_proxy.hpp"

using namespace pigeon::test::news_lab;
using pigeon::test::send_lab::read_file;
using pigeon::test::send_lab::unique_token;

namespace {

std::map<std::uint64_t, std::pair<std::string, std::string>> bench_from(std::uint64_t first) {
    std::map<std::uint64_t, std::pair<std::string, std::string>> out;
    for (const auto& [n, a] : seeded_bench().articles)
        if (n >= first) out.emplace(n, a);
    return out;
}

} // namespace

TEST_CASE("news fetch: lab.bench into a Maildir exactly once, incrementally, .newsrc import and export") {
    temp_dir dir;
    const auto& bench = seeded_bench();
    REQUIRE(bench.articles.size() >= 1000);
    const std::string state = dir.path() + "/state", md = dir.path() + "/Mail";

    // tin's .newsrc: lab.bench read up to 4000 (an unsubscribed group too).
    const std::string rc = dir.write("newsrc", "lab.bench: 1-4000\nlab.misc! 1-3\nthis is no newsrc line\n");
    auto r = news(dir, state, {"fetch", url("lab.bench"), "--into", "maildir:" + md, "--import-newsrc", rc});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("1 line(s)") != std::string::npos);
    CHECK(exactly_once(maildir_articles(md), bench_from(4001)) == "");
    // The summary counts articles, not messages.
    CHECK(r.out.find(" articles (") != std::string::npos);
    CHECK(r.out.find(" messages") == std::string::npos);

    // Again: nothing new.
    r = news(dir, state, {"fetch", url("lab.bench"), "--into", "maildir:" + md});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("no new articles") != std::string::npos);
    r = news(dir, state, {"fetch", url("lab.bench"), "--into", "maildir:" + md, "--json"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("\"number\"") == std::string::npos);
    CHECK(exactly_once(maildir_articles(md), bench_from(4001)) == "");

    // Export: every article number read or fetched, in .newsrc form.
    const std::string out = dir.path() + "/newsrc.out";
    r = news(dir, state, {"fetch", url("lab.bench"), "--export-newsrc", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string text = read_file(out);
    CHECK(text.find("lab.misc! 1-3\n") != std::string::npos);
    auto line = text.substr(text.find("lab.bench: "));
    line = line.substr(11, line.find('\n') - 11);
    // Every number of the manifest is inside one of the ranges.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::stringstream ss(line);
    std::string item;
    while (std::getline(ss, item, ',')) {
        auto dash = item.find('-');
        ranges.emplace_back(std::stoull(item.substr(0, dash)),
                            std::stoull(dash == std::string::npos ? item : item.substr(dash + 1)));
    }
    for (const auto& [n, a] : bench.articles)
        CHECK(std::any_of(ranges.begin(), ranges.end(), [n = n](auto rr) { return n >= rr.first && n <= rr.second; }));

    // A fresh state and JSON Lines: all of it, once, with window 16.
    const std::string md2 = dir.path() + "/Mail2";
    r = news(dir, dir.path() + "/state2",
             {"fetch", url("lab.bench"), "--into", "maildir:" + md2, "--json", "--window", "16"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(exactly_once(maildir_articles(md2), bench.articles) == "");
    std::size_t lines = 0;
    std::stringstream js(r.out);
    std::string jl;
    nlohmann::json last;
    while (std::getline(js, jl)) {
        auto j = nlohmann::json::parse(jl);
        if (j.contains("number")) {
            ++lines;
            CHECK(j.at("group") == "lab.bench");
            auto n = j.at("number").get<std::uint64_t>();
            CHECK(j.at("message_id") == bench.articles.at(n).first);
        }
        last = j;
    }
    CHECK(lines == bench.articles.size());
    CHECK(last.value("summary", false));
}

TEST_CASE("news fetch: an article cross-posted to two groups reaches the destination once") {
    temp_dir dir;
    const std::string state = dir.path() + "/state", md = dir.path() + "/Mail";
    const std::string token = unique_token("xpost");
    auto p = news(dir, state, {"post", url("lab.test", true), "--newsgroups", "lab.test,lab.misc", "--from",
                               "Alice <alice@lab.test>", "-s", "cross " + token, "--body", "in two groups"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    const std::string id = p.out.substr(0, p.out.find('\n'));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Both groups in one run, in parallel: one copy.
    auto r = news(dir, state, {"fetch", url("lab.test"), "lab.misc", "--into", "maildir:" + md, "--jobs", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_articles(md).count(id) == 1);
    CHECK(r.err.find("cross-posted") != std::string::npos);

    // One group now, the other in a later run: still one copy.
    const std::string state2 = dir.path() + "/state2", md2 = dir.path() + "/Mail2";
    r = news(dir, state2, {"fetch", url("lab.misc"), "--into", "maildir:" + md2});
    REQUIRE(r.exit_code == 0);
    r = news(dir, state2, {"fetch", url("lab.test"), "--into", "maildir:" + md2});
    REQUIRE(r.exit_code == 0);
    CHECK(maildir_articles(md2).count(id) == 1);
    REQUIRE_FALSE(id.empty());
}

TEST_CASE("news fetch: a wildmat into an mbox with --jobs 2, a new article arrives exactly once") {
    temp_dir dir;
    const std::string state = dir.path() + "/state", mbox = dir.path() + "/news.mbox";
    const std::string token = unique_token("nf");
    auto p = news(dir, state, {"post", url("lab.misc", true), "--from", "Alice <alice@lab.test>", "-s", "mbox 1 " + token,
                               "--body", "one"});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    const std::string id1 = p.out.substr(0, p.out.find('\n'));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto r = news(dir, state, {"fetch", url("lab.test,lab.misc"), "--into", "mbox:" + mbox, "--jobs", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto ids = mbox_message_ids(mbox);
    CHECK(ids.count(id1) == 1);
    for (const auto& id : ids) CHECK(ids.count(id) == 1);

    p = news(dir, state, {"post", url("lab.test", true), "--from", "Alice <alice@lab.test>", "-s", "mbox 2 " + token,
                          "--body", "two"});
    REQUIRE(p.exit_code == 0);
    const std::string id2 = p.out.substr(0, p.out.find('\n'));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    r = news(dir, state, {"fetch", url("lab.t*,!lab.bench*"), "lab.misc", "--into", "mbox:" + mbox, "--jobs", "2", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(id2) != std::string::npos);
    CHECK(r.out.find(id1) == std::string::npos);
    auto ids2 = mbox_message_ids(mbox);
    CHECK(ids2.count(id1) == 1);
    CHECK(ids2.count(id2) == 1);
    for (const auto& id : ids2) CHECK(ids2.count(id) == 1);

    auto nogroup = news(dir, state, {"fetch", url("no.such.group"), "--into", "mbox:" + mbox});
    CHECK(nogroup.exit_code == 69);
}

TEST_CASE("news fetch faults: the connection cut at spread offsets, then a clean run, exactly once") {
    temp_dir dir;
    const auto& bench = seeded_bench();
    pigeon::test::cutting_proxy proxy(lab::nntps_port);
    const std::string via = url("lab.bench", false, proxy.port());
    // The whole transfer once, for its size.
    auto m = news(dir, dir.path() + "/measure", {"fetch", via, "--into", "maildir:" + dir.path() + "/measure-md"});
    REQUIRE(m.exit_code == 0);
    REQUIRE(proxy.wait_idle());
    const std::uint64_t total = proxy.last_bytes();
    REQUIRE(total > 1'000'000);

    const std::string state = dir.path() + "/state", md = dir.path() + "/Mail";
    int cut_runs = 0;
    for (std::uint64_t k = 1; k <= 6; ++k) {
        proxy.set_cut(total * k / 7 + k * 977);
        auto r = news(dir, state, {"fetch", via, "--into", "maildir:" + md});
        REQUIRE(proxy.wait_idle());
        INFO("cut " << k << ": exit " << r.exit_code << ": " << r.err);
        CHECK((r.exit_code == 75 || r.exit_code == 0));
        if (r.exit_code == 75) ++cut_runs;
        // Never twice, never damaged.
        auto got = maildir_articles(md);
        for (const auto& [id, sha] : got) {
            CHECK(got.count(id) == 1);
            bool known = false;
            for (const auto& [n, a] : bench.articles)
                if (a.first == id) known = a.second == sha;
            CHECK(known);
        }
        CHECK(!got.empty());
    }
    CHECK(cut_runs >= 3);
    proxy.set_cut(std::nullopt);
    auto r = news(dir, state, {"fetch", via, "--into", "maildir:" + md});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(exactly_once(maildir_articles(md), bench.articles) == "");
}

TEST_CASE("news fetch faults: kill -9 at random moments, then a clean run, exactly once") {
    temp_dir dir;
    const auto& bench = seeded_bench();
    const std::string state = dir.path() + "/state", md = dir.path() + "/Mail";
    const std::uint64_t seed = std::random_device{}();
    std::mt19937_64 rng(seed);
    INFO("seed " << seed);
    // Slowed down through a proxy so that a whole run lasts long enough to be
    // killed anywhere in it.
    pigeon::test::cutting_proxy proxy(lab::nntps_port);
    proxy.set_delay(std::chrono::milliseconds(1));
    const std::string via = url("lab.bench", false, proxy.port());
    // How long a whole run takes here (into a throwaway state and Maildir):
    // each kill then falls inside what is left of the work, however fast or
    // loaded the machine is, instead of after a run that already finished.
    const auto t0 = std::chrono::steady_clock::now();
    auto whole = news(dir, dir.path() + "/probe-state", {"fetch", via, "--into", "maildir:" + dir.path() + "/Probe"});
    REQUIRE(whole.exit_code == 0);
    REQUIRE(proxy.wait_idle());
    const double per_article_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        static_cast<double>(bench.articles.size());
    int killed = 0, runs = 0;
    for (int run = 0; run < 8; ++run) {
        const std::size_t left = bench.articles.size() - maildir_articles(md).size();
        if (left < 200) break;   // too little left to be killed inside it
        ++runs;
        const auto span = static_cast<long long>(per_article_ms * static_cast<double>(left) * 0.8);
        auto after = std::chrono::milliseconds(30 + static_cast<long long>(rng() % static_cast<std::uint64_t>(std::max(1LL, span))));
        auto r = news(dir, state, {"fetch", via, "--into", "maildir:" + md}, after);
        REQUIRE(proxy.wait_idle());
        INFO("run " << run << " killed after " << after.count() << " ms: " << r.exit_code << " " << r.err);
        CHECK((r.timed_out || r.exit_code == 0));
        if (r.timed_out) ++killed;
        auto got = maildir_articles(md);
        for (const auto& [id, sha] : got) CHECK(got.count(id) == 1);
    }
    MESSAGE("killed " << killed << " of " << runs << " runs");
    CHECK(runs >= 2);
    CHECK(killed * 2 >= runs);
    auto r = news(dir, state, {"fetch", via, "--into", "maildir:" + md});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(exactly_once(maildir_articles(md), bench.articles) == "");
}
