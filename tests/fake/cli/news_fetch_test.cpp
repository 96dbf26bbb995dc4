// pigeon news against scripted servers doing what INN will not: a 423 in
// the middle of a pipelined ARTICLE window, an article that never ends, a
// group renumbered (the high-water mark went down, the numbers now name
// other articles), an overview whose fields come in another order or are
// missing, and an old server with XOVER only. Each ends in the articles
// stored exactly once, a clear exit code, and the right commands sent
// (the transcripts check every line the client writes).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "send_support.hpp"
#include "support/script_server.hpp"

using namespace pigeon::test;
using namespace pigeon::test::cli_send;
namespace fs = std::filesystem;

namespace {

std::string article(int n, const std::string& id) {
    return "Subject: article " + std::to_string(n) + "\r\nMessage-ID: " + id + "\r\n\r\nbody of " + id + "\r\n";
}

/// Greeting, CAPABILITIES (OVER listed or not), GROUP g.
std::string opening(const std::string& group, int count, int low, int high, bool over = true) {
    return "S: 200 fake news server ready\nC: CAPABILITIES\nS: 101 Capability list:\nS: VERSION 2\nS: READER\n" +
           std::string(over ? "S: OVER\n" : "") + "S: .\nC: GROUP " + group + "\nS: 211 " + std::to_string(count) + " " +
           std::to_string(low) + " " + std::to_string(high) + " " + group + "\n";
}

const char* standard_fmt = R"(
C: LIST OVERVIEW.FMT
S: 215 Order of fields in overview database
S: Subject:
S: From:
S: Date:
S: Message-ID:
S: References:
S: :bytes
S: :lines
S: .
)";

/// OVER first-last listing (number, Message-ID) in the standard order.
std::string over(int first, int last, const std::vector<std::pair<int, std::string>>& entries) {
    std::string s = "C: OVER " + std::to_string(first) + "-" + std::to_string(last) + "\nS: 224 overview\n";
    for (const auto& [n, id] : entries)
        s += "S~ " + std::to_string(n) + "\\tarticle " + std::to_string(n) + "\\tA <a@x.example>\\t" +
             "Sun, 06 Dec 2026 08:00:00 +0000\\t" + id + "\\t\\t" + std::to_string(article(n, id).size()) + "\\t1\\r\\n\n";
    return s + "S: .\n";
}

/// The 220 reply and the article, dot-terminated.
std::string served(int n, const std::string& id) {
    return "S: 220 " + std::to_string(n) + " " + id + " article\nS: Subject: article " + std::to_string(n) +
           "\nS: Message-ID: " + id + "\nS:\nS: body of " + id + "\nS: .\n";
}

std::string articles_asked(const std::vector<int>& ns) {
    std::string s;
    for (int n : ns) s += "C: ARTICLE " + std::to_string(n) + "\n";
    return s;
}

const char* quit = "C: QUIT\nS: 205 bye\n";

/// LF form of a message as a Maildir holds it.
std::string lf(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != '\r') out += c;
    return out;
}

std::multiset<std::string> stored(const std::string& root) {
    std::multiset<std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(root) / sub, ec), end; !ec && it != end; it.increment(ec)) {
            std::ifstream f(it->path(), std::ios::binary);
            out.insert(std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()));
        }
    }
    return out;
}

/// pigeon news VERB --account fake with the scripted server as its source:
/// the state belongs to the account (not to the port, which changes with
/// every scripted server), so a second run sees what the first did.
process_result news(const temp_dir& dir, const script_server& s, const std::string& group,
                    std::vector<std::string> args, const std::string& timeout = "5") {
    std::string cfg = "[accounts.fake.fetch]\nsource = \"nntp://127.0.0.1:" + std::to_string(s.port()) + "/" + group +
                      "\"\n";
    std::vector<std::string> all{"news"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--account", "fake", "--config", dir.write("fake.toml", cfg), "--state-dir",
                           dir.path() + "/state", "--tls", "none", "--timeout", timeout});
    return run_pigeon(dir, all);
}

process_result fetch(const temp_dir& dir, const script_server& s, const std::string& group,
                     const std::string& timeout = "5") {
    return news(dir, s, group, {"fetch", "--into", "maildir:" + dir.path() + "/Mail"}, timeout);
}

} // namespace

TEST_CASE("news fetch: a 423 in the middle of a pipelined window, the others stored, asked again next time") {
    temp_dir dir;
    std::vector<std::pair<int, std::string>> listed{{1, "<1@x>"}, {2, "<2@x>"}, {3, "<3@x>"}, {4, "<4@x>"}};
    // All four ARTICLEs arrive before the first reply (one write).
    script_server s(opening("fake.group", 4, 1, 4) + standard_fmt + over(1, 4, listed) + articles_asked({1, 2, 3, 4}) +
                    served(1, "<1@x>") + served(2, "<2@x>") + "S: 423 No such article number 3\n" +
                    served(4, "<4@x>") + quit);
    auto r = fetch(dir, s, "fake.group");
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "1 article(s) gone since the overview (423)"));
    CHECK(stored(dir.path() + "/Mail") ==
          std::multiset<std::string>{lf(article(1, "<1@x>")), lf(article(2, "<2@x>")), lf(article(4, "<4@x>"))});

    // Next run: only article 3 is asked for (and is gone for good).
    script_server again(opening("fake.group", 4, 1, 4) + standard_fmt + over(1, 4, listed) + articles_asked({3}) +
                        "S: 423 No such article number 3\n" + quit);
    r = fetch(dir, again, "fake.group");
    res = again.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail").size() == 3);
}

TEST_CASE("news fetch: an article that never ends, what came whole is kept, the rest comes next run") {
    temp_dir dir;
    std::vector<std::pair<int, std::string>> listed{{1, "<1@x>"}, {2, "<2@x>"}, {3, "<3@x>"}};
    script_server s(opening("fake.group", 3, 1, 3) + standard_fmt + over(1, 3, listed) + articles_asked({1, 2, 3}) +
                    served(1, "<1@x>") + "S: 220 2 <2@x> article\nS: Subject: article 2\nS:\nS: and then nothing\n" +
                    "SLEEP 4000\n");
    auto r = fetch(dir, s, "fake.group", "1");
    s.wait();
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 75);
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(article(1, "<1@x>"))});

    script_server again(opening("fake.group", 3, 1, 3) + standard_fmt + over(1, 3, listed) + articles_asked({2, 3}) +
                        served(2, "<2@x>") + served(3, "<3@x>") + quit);
    r = fetch(dir, again, "fake.group");
    auto res = again.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail") ==
          std::multiset<std::string>{lf(article(1, "<1@x>")), lf(article(2, "<2@x>")), lf(article(3, "<3@x>"))});
}

TEST_CASE("news fetch: the group renumbered, the high-water mark went down, matched by Message-ID, nothing twice") {
    temp_dir dir;
    script_server s(opening("fake.group", 3, 1, 3) + standard_fmt + over(1, 3, {{1, "<a@x>"}, {2, "<b@x>"}, {3, "<c@x>"}}) +
                    articles_asked({1, 2, 3}) + served(1, "<a@x>") + served(2, "<b@x>") + served(3, "<c@x>") + quit);
    auto r = fetch(dir, s, "fake.group");
    auto res = s.wait();
    CHECK_MESSAGE(res.ok, res.error);
    REQUIRE(r.exit_code == 0);

    // Renumbered: <c@x> is now 1, a new <d@x> is 2; 3 is gone. Only 2 is new.
    script_server again(opening("fake.group", 2, 1, 2) + standard_fmt + over(1, 2, {{1, "<c@x>"}, {2, "<d@x>"}}) +
                        articles_asked({2}) + served(2, "<d@x>") + quit);
    r = fetch(dir, again, "fake.group");
    res = again.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "renumbered"));
    CHECK(stored(dir.path() + "/Mail") == std::multiset<std::string>{lf(article(1, "<a@x>")), lf(article(2, "<b@x>")),
                                                                      lf(article(3, "<c@x>")), lf(article(2, "<d@x>"))});

    // And a third run has nothing to fetch.
    script_server third(opening("fake.group", 2, 1, 2) + standard_fmt + over(1, 2, {{1, "<c@x>"}, {2, "<d@x>"}}) + quit);
    r = fetch(dir, third, "fake.group");
    res = third.wait();
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(stored(dir.path() + "/Mail").size() == 4);
}

TEST_CASE("news list: overview fields in another order, some missing, XOVER on a server without OVER") {
    temp_dir dir;
    script_server s(opening("fake.group", 2, 1, 2) + R"(
C: LIST OVERVIEW.FMT
S: 215 Order of fields in overview database
S: From:
S: Message-ID:
S: Subject:
S: Date:
S: Lines:
S: Bytes:
S: References:
S: Xref:full
S: .
C: OVER 1-2
S: 224 overview
S~ 1\t=?UTF-8?Q?J=C3=BCrgen?= <j@x.example>\t<1@x>\t=?UTF-8?B?w6lsw6hWZQ==?=\tSun, 06 Dec 2026 08:00:00 +0000\t7\t512\t\tXref: fake fake.group:1\r\n
S~ 2\tb@x.example\t<2@x>\tRe: short\r\n
S: .
)" + quit);
    auto r = news(dir, s, "fake.group", {"list", "--json"});
    auto res = s.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0].at("number") == 1);
    CHECK(j[0].at("from") == "J\xC3\xBCrgen <j@x.example>");
    CHECK(j[0].at("subject") == "\xC3\xA9l\xC3\xA8Ve");
    CHECK(j[0].at("message_id") == "<1@x>");
    CHECK(j[0].at("lines") == 7);
    CHECK(j[0].at("bytes") == 512);
    CHECK(j[0].at("references") == "");
    CHECK(j[1].at("subject") == "Re: short");
    CHECK(j[1].at("date") == "");
    CHECK(j[1].at("bytes").is_null());
    CHECK(j[1].at("lines").is_null());

    script_server old(opening("fake.group", 1, 5, 5, false) + standard_fmt + R"(
C: XOVER 5-5
S: 224 overview
S~ 5\ttitle\tc@x.example\tSun, 06 Dec 2026 08:00:00 +0000\t<5@x>\t\t100\t3\r\n
S: .
)" + quit);
    r = news(dir, old, "fake.group", {"list", "--flat"});
    res = old.wait();
    INFO("stderr: " << r.err);
    CHECK_MESSAGE(res.ok, res.error);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "5 2026-12-06 c@x.example"));
    CHECK(contains(r.out, "title"));
}
