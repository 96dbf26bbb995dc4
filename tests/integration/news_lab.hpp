#pragma once
// What the `pigeon news` integration tests share: running the CLI against
// the lab's INN with its own state directory, the seeded group lab.bench
// (lab/seed.py --news-only; its manifest: number -> Message-ID and SHA-256
// of the article as served), and reading back Maildirs and mboxes by
// Message-ID.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "send_lab.hpp"
#include "support/lab.hpp"
#include "support/run_process.hpp"

namespace pigeon::test::news_lab {

using send_lab::temp_dir;
namespace fs = std::filesystem;
namespace lab = pigeon::test::lab;

inline std::string url(const std::string& path, bool login = false, std::uint16_t port = lab::nntps_port) {
    return std::string("nntps://") + (login ? "alice%40lab.test@" : "") + "127.0.0.1:" + std::to_string(port) + "/" + path;
}

/// pigeon news ARGS with the lab CA, the given state directory, alice's
/// password in the environment, no configuration file; killed (SIGKILL)
/// after `timeout`.
inline process_result news(const temp_dir& dir, const std::string& state, std::vector<std::string> args,
                           std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
    ::signal(SIGPIPE, SIG_IGN);
    args.insert(args.begin(), "news");
    args.insert(args.end(), {"--tls-ca", lab::ca_file(), "--state-dir", state});
    process_options o;
    o.timeout = timeout;
    o.env = {{"HOME", dir.path()}, {"XDG_CONFIG_HOME", dir.path() + "/xdg"}, {"PIGEON_CONFIG", ""}, {"COLUMNS", "120"},
             {"PIGEON_PASSWORD", std::string(lab::alice.password)}, {"PIGEON_FROM", ""}, {"PIGEON_USER", ""}};
    return run_process(pigeon_cli(), args, o);
}

/// lab.bench as seeded: number -> (Message-ID, SHA-256 of the article as served).
struct bench_group {
    std::map<std::uint64_t, std::pair<std::string, std::string>> articles;
    std::uint64_t high = 0;
};

inline const bench_group& seeded_bench() {
    static const bench_group g = [] {
        fs::path script = fs::path(lab::dir()).parent_path() / "seed.py";
        if (!fs::exists(script)) script = fs::path(PIGEON_SOURCE_DIR) / "lab" / "seed.py";
        process_options po;
        po.timeout = std::chrono::minutes(10);
        po.env["PIGEON_LAB_DIR"] = lab::dir();
        auto r = run_process("/usr/bin/python3", {script.string(), "--news-only"}, po);
        if (r.exit_code != 0) throw std::runtime_error("seeding lab.bench failed: " + r.out + r.err);
        std::ifstream in(lab::dir() + "/seed/news-lab.bench.json");
        auto j = nlohmann::json::parse(in);
        bench_group b;
        b.high = j.at("high").get<std::uint64_t>();
        for (const auto& a : j.at("articles"))
            b.articles[a.at("number").get<std::uint64_t>()] = {a.at("message_id").get<std::string>(),
                                                                a.at("sha256").get<std::string>()};
        return b;
    }();
    return g;
}

/// LF line ends back to CRLF (the stores write LF; INN serves CRLF).
inline std::string crlf(const std::string& s) {
    std::string out;
    out.reserve(s.size() + s.size() / 30);
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

/// The Message-ID of a message (LF or CRLF), "" when none.
inline std::string message_id_of(const std::string& msg) {
    std::size_t pos = 0;
    while (pos < msg.size()) {
        auto nl = msg.find('\n', pos);
        std::string line = msg.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) break;
        if (line.size() > 11 && (line.compare(0, 11, "Message-ID:") == 0 || line.compare(0, 11, "Message-Id:") == 0)) {
            auto b = line.find('<');
            return b == std::string::npos ? std::string() : line.substr(b);
        }
        pos = nl == std::string::npos ? msg.size() : nl + 1;
    }
    return {};
}

/// Every message of a Maildir root (new/ and cur/): Message-ID -> SHA-256 of
/// its CRLF form, each occurrence.
inline std::multimap<std::string, std::string> maildir_articles(const std::string& root) {
    std::multimap<std::string, std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(root) / sub, ec), end; !ec && it != end; it.increment(ec)) {
            std::string content = send_lab::read_file(it->path().string());
            out.emplace(message_id_of(content), send_lab::sha256_hex(crlf(content)));
        }
    }
    return out;
}

/// The Message-ID header values of an mbox, each occurrence.
inline std::multiset<std::string> mbox_message_ids(const std::string& path) {
    std::multiset<std::string> out;
    std::ifstream in(path);
    std::string line;
    bool in_header = false;
    while (std::getline(in, line)) {
        if (line.rfind("From ", 0) == 0) {
            in_header = true;
            continue;
        }
        if (line.empty()) in_header = false;
        if (in_header && line.rfind("Message-ID:", 0) == 0) out.insert(line.substr(line.find('<')));
    }
    return out;
}

/// "" when got holds each wanted article exactly once with its content, and
/// nothing else; else what is wrong.
inline std::string exactly_once(const std::multimap<std::string, std::string>& got,
                                const std::map<std::uint64_t, std::pair<std::string, std::string>>& want) {
    std::string problems;
    for (const auto& [n, a] : want) {
        auto c = got.count(a.first);
        if (c != 1) problems += "article " + std::to_string(n) + " " + a.first + ": " + std::to_string(c) + " copies\n";
        else if (got.find(a.first)->second != a.second) problems += "article " + std::to_string(n) + ": content differs\n";
        if (problems.size() > 2000) break;
    }
    if (got.size() != want.size())
        problems += std::to_string(got.size()) + " messages stored, " + std::to_string(want.size()) + " wanted\n";
    return problems;
}

} // namespace pigeon::test::news_lab
