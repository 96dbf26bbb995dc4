// POP3 retrieval against the lab's Dovecot with the seeded data (lab/seed.py,
// lab/README.md "Seeded data"): STAT, LIST and UIDL of bench@lab.test's
// 10,000 messages; all of them retrieved pipelined over POP3S, each one's
// SHA-256 equal to the manifest's; the 100 MB message of huge@lab.test
// streamed in bounded memory; DELE + RSET keeps, DELE + QUIT removes
// (messages dropped into alice's Maildir for the purpose; bench's messages
// are never deleted).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"
#include "support/connected.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"
#include "support/run_process.hpp"

using namespace pigeon;
using namespace pigeon::pop3;
namespace lab = pigeon::test::lab;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// ---- the seeded data ------------------------------------------------------------

// The seed.py of the running lab (the one beside its run directory, else
// this tree's): a seed.py of another version would seed the lab again.
std::string seed_script() {
    const fs::path beside = fs::path(lab::dir()).parent_path() / "seed.py";
    if (fs::exists(beside)) return beside.string();
    return std::string(PIGEON_SOURCE_DIR) + "/lab/seed.py";
}

// Runs seed.py once per process (idempotent: ~0.2 s when the data are there).
void ensure_seeded() {
    static const bool done = [] {
        auto r = test::run_process("/usr/bin/python3", {seed_script(), "--lab-dir", lab::dir(), "--mail-only", "--huge"},
                                   {.input = {}, .timeout = std::chrono::minutes(10), .env = {}, .argv0 = {}});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        return true;
    }();
    (void)done;
}

struct manifest_message {
    std::uint64_t size = 0;
    std::string sha256;
};

struct manifest {
    std::string user, password;
    std::uint64_t bytes = 0;
    std::vector<manifest_message> messages;
};

manifest read_manifest(const std::string& name) {
    ensure_seeded();
    std::ifstream f(lab::dir() + "/seed/" + name);
    REQUIRE(f);
    json j = json::parse(f);
    manifest m;
    m.user = j.at("user").get<std::string>();
    m.password = j.at("password").get<std::string>();
    const json& inbox = j.at("folders").at("INBOX");
    m.bytes = inbox.at("bytes").get<std::uint64_t>();
    for (const auto& e : inbox.at("messages"))
        m.messages.push_back({e.at("size").get<std::uint64_t>(), e.at("sha256").get<std::string>()});
    return m;
}

const manifest& bench() {
    static const manifest m = read_manifest("mail-bench.json");
    return m;
}

// ---- helpers --------------------------------------------------------------------

client_options opts() {
    client_options o;
    o.net = lab::session_options();
    return o;
}

client pop3s(const std::string& user, const std::string& password) {
    net::endpoint ep = lab::endpoint(net::protocol::pop3, net::tls_mode::implicit);
    auto c = test::connected<client>(ep, opts());
    sasl::credentials who;
    who.username = user;
    who.password = password;
    c.authenticate(who);
    REQUIRE(c.state() == state::transaction);
    return c;
}

class sha256 {
public:
    sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
    void update(std::string_view b) { EVP_DigestUpdate(ctx_.get(), b.data(), b.size()); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < n; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

long status_kib(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(f, line))
        if (line.rfind(k, 0) == 0) return std::stol(line.substr(k.size()));
    return -1;
}

bool reset_peak() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    f.flush();
    return static_cast<bool>(f);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

TEST_CASE("STAT, LIST and UIDL of bench's 10,000 messages") {
    const manifest& m = bench();
    REQUIRE(m.messages.size() == 10000);
    auto c = pop3s(m.user, m.password);
    CHECK(c.capabilities().pipelining());
    CHECK(c.capabilities().uidl());

    const auto st = c.stat();
    CHECK(st.count == m.messages.size());
    CHECK(st.size == m.bytes);

    const auto sizes = c.list();
    REQUIRE(sizes.size() == m.messages.size());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i)
        wrong += sizes[i].number != i + 1 || sizes[i].size != m.messages[i].size;
    CHECK(wrong == 0);
    std::uint64_t total = 0;
    c.list([&](const message_size& s) { total += s.size; });
    CHECK(total == m.bytes);
    CHECK(c.list(10000).size == m.messages.back().size);

    const auto uids = c.uidl();
    REQUIRE(uids.size() == m.messages.size());
    std::set<std::string> distinct;
    for (const auto& u : uids) distinct.insert(u.uid);
    CHECK(distinct.size() == uids.size());
    CHECK(c.uidl(1).uid == uids.front().uid);
    CHECK(c.uidl(10000).uid == uids.back().uid);

    // A refusal in the middle leaves the session usable.
    CHECK_THROWS_AS(c.list(10001), command_error);
    CHECK_THROWS_AS(c.retrieve(10001), command_error);
    CHECK(c.stat().count == 10000);
    c.quit();
}

TEST_CASE("all 10,000 of bench's messages pipelined over POP3S, each SHA-256 equal to the manifest") {
    const manifest& m = bench();
    auto c = pop3s(m.user, m.password);
    std::vector<std::uint32_t> numbers;
    for (std::uint32_t i = 1; i <= m.messages.size(); ++i) numbers.push_back(i);

    std::vector<std::string> digests(m.messages.size() + 1);
    std::unique_ptr<sha256> current;
    std::uint64_t bytes = 0;
    std::size_t ok = 0, size_mismatch = 0, digest_mismatch = 0;
    const auto t0 = std::chrono::steady_clock::now();
    c.retrieve_each(
        numbers,
        [&](std::uint32_t) -> net::sink_fn {
            current = std::make_unique<sha256>();
            return [&](std::string_view b) { current->update(b); };
        },
        [&](const retrieve_status& s) {
            if (!s.ok) return;
            ++ok;
            bytes += s.bytes;
            const auto& want = m.messages[s.number - 1];
            size_mismatch += s.bytes != want.size;
            digest_mismatch += current->hex() != want.sha256;
        });
    const double secs = seconds_since(t0);
    c.quit();
    CHECK(ok == m.messages.size());
    CHECK(bytes == m.bytes);
    CHECK(size_mismatch == 0);
    CHECK(digest_mismatch == 0);
    MESSAGE("retrieved and hashed " << ok << " messages, " << bytes << " bytes in " << secs << " s");
}

TEST_CASE("the 100 MB message of huge@lab.test streamed in bounded memory") {
    const manifest h = read_manifest("mail-huge.json");
    REQUIRE(h.messages.size() == 3);
    REQUIRE(h.messages[1].size > 64ull * 1024 * 1024);
    auto c = pop3s(h.user, h.password);
    CHECK(c.list(2).size == h.messages[1].size);

    const bool reset = reset_peak();
    const long before = status_kib("VmRSS");
    sha256 d;
    std::uint64_t biggest = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t n = c.retrieve(2, [&](std::string_view b) {
        d.update(b);
        biggest = std::max<std::uint64_t>(biggest, b.size());
    });
    const double secs = seconds_since(t0);
    const long peak = status_kib("VmHWM");
    CHECK(n == h.messages[1].size);
    CHECK(d.hex() == h.messages[1].sha256);
    CHECK(biggest <= 128 * 1024);
    MESSAGE("RETR of " << n << " bytes in " << secs << " s; process peak RSS " << peak << " KiB, growth "
                       << (peak - before) << " KiB over " << before << " KiB");
    if (reset) CHECK(peak - before < 16 * 1024);

    // The std::string form refuses it at its limit (64 MiB by default).
    CHECK_THROWS_AS(c.retrieve(2), protocol_error);
    CHECK_FALSE(c.is_connected());
}

namespace {

// Messages dropped into alice's Maildir (new/), each with a token header.
struct dropped {
    std::string token;
    std::vector<std::string> bodies;
};

dropped drop_into_alice(std::size_t n) {
    dropped d;
    d.token = "pop3-" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr)) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
    const fs::path md = lab::maildir(lab::alice.name);
    REQUIRE(fs::is_directory(md / "tmp"));
    for (std::size_t i = 0; i < n; ++i) {
        std::string body = "From: pigeon-test@lab.test\r\nTo: alice@lab.test\r\nSubject: pop3 delete test " +
                           std::to_string(i) + "\r\nX-Pigeon-Token: " + d.token + "\r\n\r\nbody " + std::to_string(i) +
                           "\r\n.leading dot\r\n";
        const std::string name = std::to_string(std::time(nullptr)) + ".P" + std::to_string(::getpid()) + "Q" +
                                 std::to_string(i) + "." + d.token + ".pigeon-test";
        {
            std::ofstream f(md / "tmp" / name, std::ios::binary);
            f << body;
        }
        fs::rename(md / "tmp" / name, md / "new" / name);
        d.bodies.push_back(std::move(body));
    }
    return d;
}

// The numbers of the messages carrying token in this session (TOP n 0).
std::vector<std::uint32_t> find_token(client& c, const std::string& token) {
    std::vector<std::uint32_t> all, found;
    c.list([&](const message_size& m) { all.push_back(m.number); });
    for (auto n : all)
        if (c.top(n, 0).find("X-Pigeon-Token: " + token + "\r\n") != std::string::npos) found.push_back(n);
    return found;
}

// Files in alice's Maildir that hold token.
std::size_t files_with(const std::string& token) {
    std::size_t n = 0;
    const fs::path md = lab::maildir(lab::alice.name);
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(md / sub, ec)) {
            std::ifstream f(e.path(), std::ios::binary);
            std::string s{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
            n += s.find(token) != std::string::npos;
        }
    }
    return n;
}

} // namespace

TEST_CASE("DELE + RSET keeps the messages, DELE + QUIT removes them (alice, throwaway messages)") {
    const dropped d = drop_into_alice(3);
    REQUIRE(files_with(d.token) == 3);
    const std::string user(lab::alice.name), pass(lab::alice.password);
    {
        auto c = pop3s(user, pass);
        auto mine = find_token(c, d.token);
        REQUIRE(mine.size() == 3);
        const auto before = c.stat();
        for (auto n : mine) c.mark_deleted(n);
        CHECK(c.stat().count == before.count - 3);
        CHECK_THROWS_AS(c.retrieve(mine[0]), command_error);  // marked
        c.reset();
        CHECK(c.stat().count == before.count);
        c.quit();
    }
    {
        // close() without QUIT deletes nothing either.
        auto c = pop3s(user, pass);
        auto mine = find_token(c, d.token);
        REQUIRE(mine.size() == 3);
        for (auto n : mine) c.mark_deleted(n);
        c.close();
    }
    {
        auto c = pop3s(user, pass);
        auto mine = find_token(c, d.token);
        REQUIRE(mine.size() == 3);
        CHECK(files_with(d.token) == 3);
        // Retrieve and delete in one pipeline; QUIT commits.
        std::vector<std::string> got(3);
        std::size_t deleted = 0, k = 0;
        c.retrieve_each(
            mine, [&](std::uint32_t) { return net::string_sink(got[k++]); },
            [&](const retrieve_status& s) { deleted += s.deleted; }, true);
        CHECK(deleted == 3);
        for (const auto& body : d.bodies) CHECK(std::find(got.begin(), got.end(), body) != got.end());
        c.quit();
    }
    {
        auto c = pop3s(user, pass);
        CHECK(find_token(c, d.token).empty());
        c.quit();
    }
    CHECK(files_with(d.token) == 0);
}
