// pigeon news groups, list, read and post against the lab's INN: the JSON
// contracts of groups and list, wildmats, posting (refused without a login,
// accepted with one, MIME attachment, encoded-word subject), a follow-up
// threaded under its parent, reading by number and by Message-ID in the
// reader view, --json and --raw, and the read marks (--new, --mark-read).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "news_lab.hpp"
#include "pigeon/nntp/article_ref.hpp"

using namespace pigeon::test::news_lab;
using pigeon::test::send_lab::unique_token;

namespace {

nlohmann::json parse_json(const pigeon::test::process_result& r) {
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
}

const nlohmann::json* find_subject(const nlohmann::json& list, const std::string& needle) {
    for (const auto& e : list)
        if (e.at("subject").get<std::string>().find(needle) != std::string::npos) return &e;
    return nullptr;
}

} // namespace

TEST_CASE("news groups: LIST ACTIVE with a wildmat, counts, status, descriptions, --json fields") {
    temp_dir dir;
    const std::string state = dir.path() + "/state";
    auto j = parse_json(news(dir, state, {"groups", url("lab.*,!lab.bench*"), "--json"}));
    REQUIRE(j.is_array());
    std::vector<std::string> names;
    for (const auto& g : j) {
        names.push_back(g.at("name"));
        for (const char* k : {"name", "low", "high", "count", "status", "description"}) CHECK(g.contains(k));
        CHECK(g.at("status") == "y");
        CHECK(g.at("description").get<std::string>().find("pigeon lab") == 0);
        CHECK(g.at("low").is_number_unsigned());
    }
    CHECK(names == std::vector<std::string>{"lab.misc", "lab.test"});

    // The wildmat as the second argument, and the table.
    auto t = news(dir, state, {"groups", url(""), "lab.t*"});
    INFO(t.err);
    CHECK(t.exit_code == 0);
    CHECK(t.out.find("lab.test") == 0);
    CHECK(t.out.find("posting") != std::string::npos);
    CHECK(t.out.find("lab.misc") == std::string::npos);

    // COMPRESS DEFLATE by option: the same listing through it.
    auto z = news(dir, state, {"groups", url("lab.*,!lab.bench*"), "--json", "--compress", "-v"});
    INFO(z.err);
    CHECK(z.exit_code == 0);
    CHECK(z.err.find("-> COMPRESS DEFLATE") != std::string::npos);
    CHECK(z.err.find("<- 206") != std::string::npos);
    auto zj = nlohmann::json::parse(z.out);
    REQUIRE(zj.size() == j.size());
    for (std::size_t i = 0; i < j.size(); ++i) CHECK(zj[i].at("name") == j[i].at("name"));

    auto bad = news(dir, state, {"groups", url(""), "lab test"});
    CHECK(bad.exit_code == 64);
    auto none = news(dir, state, {"groups", "imaps://127.0.0.1/INBOX"});
    CHECK(none.exit_code == 64);
}

TEST_CASE("news post, list and read: refused without login, a follow-up threaded, read marks") {
    temp_dir dir;
    const std::string state = dir.path() + "/state";
    const std::string token = unique_token("news");
    const std::string subject = "caf\xC3\xA9 \xE2\x9C\x93 " + token;
    const std::string attachment = dir.write("notes.bin", std::string("\x00\x01\x02 binary", 10));

    // Anonymous posting: INN wants AUTHINFO (480) -> 77, nothing posted.
    auto anon = news(dir, state, {"post", url("lab.test"), "--from", "Alice <alice@lab.test>", "-s", subject, "--body", "x"});
    CHECK(anon.exit_code == 77);
    CHECK(anon.err.find("480") != std::string::npos);

    auto p = news(dir, state, {"post", url("lab.test", true), "--from", "Alice <alice@lab.test>", "-s", subject,
                               "--body", "first line of " + token, "--attach", attachment});
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    std::string id = p.out.substr(0, p.out.find('\n'));
    CHECK(pigeon::nntp::is_valid_message_id(id));

    auto f = news(dir, state, {"post", url("lab.test", true), "--from", "Bob <bob@lab.test>", "--followup-to", id,
                               "--body", "a reply to " + token, "--json"});
    auto fj = parse_json(f);
    CHECK(fj.at("status") == "posted");
    std::string reply_id = fj.at("message_id");
    CHECK(fj.at("reply").get<std::string>().rfind("240", 0) == 0);

    // INN makes an article visible to readers a moment after accepting it.
    nlohmann::json list;
    for (int i = 0; i < 50; ++i) {
        list = parse_json(news(dir, state, {"list", url("lab.test"), "--json"}));
        if (find_subject(list, "Re: " + subject)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto* parent = find_subject(list, subject);
    const auto* reply = find_subject(list, "Re: " + subject);
    REQUIRE(parent);
    REQUIRE(reply);
    for (const char* k : {"number", "message_id", "date", "from", "subject", "references", "bytes", "lines"})
        CHECK(parent->contains(k));
    CHECK(parent->at("subject") == subject);   // decoded from RFC 2047
    CHECK(parent->at("message_id") == id);
    CHECK(parent->at("from") == "Alice <alice@lab.test>");
    CHECK(reply->at("references") == id);
    CHECK(reply->at("message_id") == reply_id);
    CHECK(parent->at("bytes").get<std::uint64_t>() > 100);
    const auto n = parent->at("number").get<std::uint64_t>();
    const auto rn = reply->at("number").get<std::uint64_t>();

    // The table: the reply sits under its parent, indented.
    auto t = news(dir, state, {"list", url("lab.test"), "--range", std::to_string(n) + "-" + std::to_string(rn)});
    INFO(t.out);
    auto pl = t.out.find(" caf\xC3\xA9 \xE2\x9C\x93 " + token);
    auto rl = t.out.find("Re: caf\xC3\xA9");
    REQUIRE(pl != std::string::npos);
    REQUIRE(rl != std::string::npos);
    auto column = [&](std::size_t pos) { return pos - t.out.rfind('\n', pos); };
    CHECK(column(rl) > column(pl + 1));

    // Read by number: the reader view, and it is marked read.
    auto r = news(dir, state, {"read", url("lab.test"), std::to_string(n)});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Subject: " + subject) != std::string::npos);
    CHECK(r.out.find("first line of " + token) != std::string::npos);
    CHECK(r.out.find("notes.bin") != std::string::npos);
    auto rj = parse_json(news(dir, state, {"read", url("lab.test"), std::to_string(n), "--json"}));
    CHECK(rj.dump().find("notes.bin") != std::string::npos);
    auto raw = news(dir, state, {"read", url(""), id, "--raw"});
    CHECK(raw.exit_code == 0);
    CHECK(raw.out.find("Message-ID: " + id + "\r\n") != std::string::npos);
    CHECK(raw.out.find("Newsgroups: lab.test\r\n") != std::string::npos);
    auto save = news(dir, state, {"read", url("lab.test"), std::to_string(n), "--save-attachments", dir.path() + "/att"});
    CHECK(save.exit_code == 0);
    CHECK(pigeon::test::send_lab::read_file(dir.path() + "/att/notes.bin") == std::string("\x00\x01\x02 binary", 10));
    auto part = news(dir, state, {"read", url("lab.test"), std::to_string(rn), "--part", "0"});
    CHECK(part.out.find("a reply to " + token) != std::string::npos);
    auto missing = news(dir, state, {"read", url("lab.test"), "999999999"});
    CHECK(missing.exit_code == 69);

    // --new: the parent was read (by number), the reply was not (--part marks it too).
    auto fresh = parse_json(news(dir, state, {"list", url("lab.test"), "--new", "--json"}));
    CHECK(find_subject(fresh, subject) == nullptr);
    CHECK(find_subject(fresh, "Re: " + subject) == nullptr);
    auto after = parse_json(news(dir, state, {"list", url("lab.test"), "--new", "--mark-read", "--json"}));
    auto again = parse_json(news(dir, state, {"list", url("lab.test"), "--new", "--json"}));
    CHECK(again.size() <= after.size());
    CHECK(!std::any_of(again.begin(), again.end(), [&](const nlohmann::json& e) {
        return std::any_of(after.begin(), after.end(), [&](const nlohmann::json& a) { return a.at("number") == e.at("number"); });
    }));

    // A prepared article from a file.
    const std::string file = dir.write("art.txt", "From: Carol <carol@lab.test>\nNewsgroups: lab.test\nSubject: file " +
                                                      token + "\n\nprepared body\n");
    auto pf = news(dir, state, {"post", url("", true), "--file", file});
    INFO(pf.err);
    CHECK(pf.exit_code == 0);
    CHECK(pigeon::nntp::is_valid_message_id(pf.out.substr(0, pf.out.find('\n'))));
    auto nohdr = news(dir, state, {"post", url("", true), "--file", dir.write("bad.txt", "Subject: x\n\nbody\n")});
    CHECK(nohdr.exit_code == 65);
}

TEST_CASE("news list of the seeded lab.bench: every article, cancelled numbers absent, long threads indented") {
    temp_dir dir;
    const std::string state = dir.path() + "/state";
    const auto& bench = seeded_bench();
    auto j = parse_json(news(dir, state, {"list", url("lab.bench"), "--json"}));
    REQUIRE(j.size() == bench.articles.size());
    std::size_t encoded = 0;
    auto it = bench.articles.begin();
    for (const auto& e : j) {
        CHECK(e.at("number") == it->first);
        CHECK(e.at("message_id") == it->second.first);
        // Subjects come decoded: no encoded word is left over.
        if (e.at("subject").get<std::string>().find("=?") != std::string::npos) ++encoded;
        ++it;
    }
    CHECK(encoded == 0);

    // The table: one line per article, each within the terminal's 120 columns
    // even 60 replies deep, and some lines indented.
    auto t = news(dir, state, {"list", url("lab.bench")});
    INFO(t.err);
    REQUIRE(t.exit_code == 0);
    std::size_t lines = 0, indented = 0;
    std::istringstream in(t.out);
    std::string line;
    while (std::getline(in, line)) {
        ++lines;
        std::size_t cols = 0;
        for (unsigned char c : line)
            if ((c & 0xC0) != 0x80) ++cols;
        CHECK(cols <= 120);
        if (line.find("    Re: ") != std::string::npos) ++indented;
    }
    CHECK(lines == bench.articles.size());
    CHECK(indented > 100);

    // --last and --range.
    auto last = parse_json(news(dir, state, {"list", url("lab.bench"), "--json", "--last", "3"}));
    REQUIRE(last.size() == 3);
    CHECK(last.back().at("number") == bench.articles.rbegin()->first);
    auto range = parse_json(news(dir, state, {"list", url("lab.bench"), "--json", "--range", "1-5"}));
    for (const auto& e : range) CHECK(bench.articles.count(e.at("number").get<std::uint64_t>()) == 1);
}

TEST_CASE("news groups --new-since: NEWGROUPS filtered by the wildmat, a bad date is a usage error") {
    temp_dir dir;
    const std::string state = dir.path() + "/state";
    auto j = parse_json(news(dir, state, {"groups", url("lab.*"), "--new-since", "2000-01-01", "--json"}));
    std::vector<std::string> names;
    for (const auto& g : j) names.push_back(g.at("name"));
    CHECK(std::find(names.begin(), names.end(), "lab.test") != names.end());
    for (const auto& n : names) CHECK(n.rfind("lab.", 0) == 0);
    auto none = parse_json(news(dir, state, {"groups", url("lab.*"), "--new-since", "2099-01-01 00:00:00", "--json"}));
    CHECK(none.empty());
    CHECK(news(dir, state, {"groups", url("lab.*"), "--new-since", "yesterday"}).exit_code == 64);
}
