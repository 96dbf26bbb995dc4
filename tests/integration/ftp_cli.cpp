// pigeon ftp against the lab's vsftpd: every verb, recursive transfers,
// --resume both ways, credentials from the environment, a password command
// and an account, --json, and the exit codes (77 login refused, 76 AUTH TLS
// refused with no USER or PASS sent, 69 wrong-host certificate and missing
// files, 64 usage, 66 missing local file).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ftp_lab.hpp"
#include "support/run_process.hpp"

using namespace pigeon::test;
namespace fs = std::filesystem;

namespace {

const std::string alice_url_user = "alice%40lab.test";

std::string url(std::uint16_t port, const std::string& path, const char* scheme = "ftp") {
    return std::string(scheme) + "://" + alice_url_user + "@localhost:" + std::to_string(port) + "/" + path;
}

process_result pigeon_ftp(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                          bool with_ca = true) {
    args.insert(args.begin(), "ftp");
    if (with_ca) {
        args.push_back("--tls-ca");
        args.push_back(lab::ca_file());
    }
    args.push_back("--timeout");
    args.push_back("20");
    process_options o;
    o.timeout = std::chrono::seconds(120);
    o.env = std::move(env);
    if (!o.env.count("PIGEON_PASSWORD")) o.env["PIGEON_PASSWORD"] = std::string(lab::alice.password);
    if (!o.env.count("PIGEON_CONFIG")) o.env["PIGEON_CONFIG"] = "";  // no account file
    o.env["XDG_CONFIG_HOME"] = "/nonexistent";
    return run_process(pigeon_cli(), args, o);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

std::string bytes(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    unsigned x = seed * 2654435761u + 1;
    for (auto& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 16);
    }
    return s;
}

struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("pigeon-ftp-cli-" + std::to_string(::getpid()));
    temp_dir() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

std::string remote_dir(const std::string& name) {
    std::string d = "cli-" + name + "-" + std::to_string(::getpid());
    fs::remove_all(ftp_lab::home("alice@lab.test") + "/" + d);
    return d;
}

} // namespace

TEST_CASE("ls: the human form, --names and --json") {
    auto r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, "")});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("welcome.txt") != std::string::npos);
    r = pigeon_ftp({"ls", url(ftp_lab::implicit_port, "", "ftps"), "--names"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("welcome.txt\n") != std::string::npos);
    r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, ""), "--json"});
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["format"] == "list");
    bool found = false;
    for (const auto& e : j["entries"]) {
        if (e["name"] == "welcome.txt") {
            found = true;
            CHECK(e["type"] == "file");
            CHECK(e["size"].get<std::uint64_t>() == fs::file_size(ftp_lab::home("alice@lab.test") + "/welcome.txt"));
            CHECK(e["modified"].get<std::string>().size() == 20);
        }
    }
    CHECK(found);
}

TEST_CASE("put, get, mkdir, mv, rm, recursive put and get of a tree") {
    temp_dir tmp;
    std::string d = remote_dir("ops");
    const std::string data = bytes(700000, 1);
    write_file(tmp.path / "one.bin", data);
    REQUIRE(pigeon_ftp({"mkdir", url(ftp_lab::explicit_port, d)}).exit_code == 0);
    auto r = pigeon_ftp({"put", url(ftp_lab::explicit_port, d + "/"), (tmp.path / "one.bin").string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());  // no progress bar without a terminal
    CHECK(read_file(ftp_lab::home("alice@lab.test") + "/" + d + "/one.bin") == data);
    REQUIRE(pigeon_ftp({"mv", url(ftp_lab::explicit_port, d + "/one.bin"), "two.bin"}).exit_code == 0);
    r = pigeon_ftp({"get", url(ftp_lab::explicit_port, d + "/two.bin"), (tmp.path / "back.bin").string()});
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(tmp.path / "back.bin") == data);
    r = pigeon_ftp({"get", url(ftp_lab::explicit_port, d + "/two.bin"), "-"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == data);

    // a tree
    write_file(tmp.path / "tree/a.txt", "A");
    write_file(tmp.path / "tree/sub/b.txt", bytes(123456, 2));
    write_file(tmp.path / "tree/sub/deeper/c d.txt", "C");
    r = pigeon_ftp({"put", "-r", url(ftp_lab::explicit_port, d + "/tree"), (tmp.path / "tree").string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    r = pigeon_ftp({"get", "-r", url(ftp_lab::implicit_port, d + "/tree", "ftps"), (tmp.path / "copy").string()});
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(tmp.path / "copy/a.txt") == "A");
    CHECK(read_file(tmp.path / "copy/sub/b.txt") == bytes(123456, 2));
    CHECK(read_file(tmp.path / "copy/sub/deeper/c d.txt") == "C");

    REQUIRE(pigeon_ftp({"rm", url(ftp_lab::explicit_port, d + "/two.bin")}).exit_code == 0);
    CHECK_FALSE(fs::exists(ftp_lab::home("alice@lab.test") + "/" + d + "/two.bin"));
    REQUIRE(pigeon_ftp({"rm", "-r", url(ftp_lab::explicit_port, d)}).exit_code == 0);
    CHECK_FALSE(fs::exists(ftp_lab::home("alice@lab.test") + "/" + d));
}

TEST_CASE("--resume: a partial download and a partial upload are completed") {
    temp_dir tmp;
    std::string d = remote_dir("resume");
    const std::string data = bytes(3000000, 3);
    write_file(tmp.path / "full.bin", data);
    REQUIRE(pigeon_ftp({"mkdir", url(ftp_lab::explicit_port, d)}).exit_code == 0);
    REQUIRE(pigeon_ftp({"put", url(ftp_lab::explicit_port, d + "/f.bin"), (tmp.path / "full.bin").string()}).exit_code == 0);

    write_file(tmp.path / "part.bin", data.substr(0, 1000001));
    auto r = pigeon_ftp({"get", "--resume", url(ftp_lab::explicit_port, d + "/f.bin"), (tmp.path / "part.bin").string(), "-v"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(tmp.path / "part.bin") == data);
    CHECK(r.err.find("REST 1000001") != std::string::npos);

    // the server holds the first 1,234,567 bytes; --resume appends the rest
    write_file(tmp.path / "head.bin", data.substr(0, 1234567));
    REQUIRE(pigeon_ftp({"put", url(ftp_lab::explicit_port, d + "/g.bin"), (tmp.path / "head.bin").string()}).exit_code == 0);
    r = pigeon_ftp({"put", "--resume", url(ftp_lab::explicit_port, d + "/g.bin"), (tmp.path / "full.bin").string(), "-v"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("APPE g.bin") != std::string::npos);
    CHECK(read_file(ftp_lab::home("alice@lab.test") + "/" + d + "/g.bin") == data);
    REQUIRE(pigeon_ftp({"rm", "-r", url(ftp_lab::explicit_port, d)}).exit_code == 0);
}

TEST_CASE("credentials: a password command, an account matched by host, none at all") {
    temp_dir tmp;
    auto r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, ""), "--password-command",
                         "printf '%s\\n' '" + std::string(lab::alice.password) + "'"},
                        {{"PIGEON_PASSWORD", ""}});
    INFO(r.err);
    CHECK(r.exit_code == 0);

    write_file(tmp.path / "config.toml", "[accounts.files]\nserver = \"ftp://localhost:10021\"\nuser = \"bob@lab.test\"\n"
                                         "password_command = \"echo bob-pass-2\"\ntls_ca = \"" + lab::ca_file() + "\"\n");
    process_options o;
    o.env = {{"PIGEON_CONFIG", (tmp.path / "config.toml").string()}, {"PIGEON_PASSWORD", ""}};
    r = run_process(pigeon_cli(), {"ftp", "ls", "ftp://localhost:10021/", "--names"}, o);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("welcome.txt") != std::string::npos);

    // a user without any password source: configuration error, nothing sent
    r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, "")}, {{"PIGEON_PASSWORD", ""}});
    CHECK(r.exit_code == 78);
}

TEST_CASE("exit codes: 77 login refused, 76 AUTH TLS refused (no USER/PASS sent), 69 wrong host or missing file") {
    auto r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, "")}, {{"PIGEON_PASSWORD", "wrong"}});
    CHECK(r.exit_code == 77);

    const auto log_before = ftp_lab::file_size(ftp_lab::log_file());
    r = pigeon_ftp({"ls", url(ftp_lab::plain_port, ""), "-v"});
    INFO(r.err);
    CHECK(r.exit_code == 76);
    CHECK(r.err.find("-> AUTH TLS") != std::string::npos);
    CHECK(r.err.find("-> USER") == std::string::npos);
    CHECK(r.err.find("-> PASS") == std::string::npos);
    std::string log = ftp_lab::read_from(ftp_lab::log_file(), log_before);
    CHECK(log.find("\"PASS") == std::string::npos);

    // --tls none is the explicit way to that server
    r = pigeon_ftp({"ls", url(ftp_lab::plain_port, ""), "--tls", "none"});
    CHECK(r.exit_code == 0);

    r = pigeon_ftp({"ls", url(ftp_lab::wrong_host_port, "", "ftps")});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("host name") != std::string::npos);
    r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, "")}, {}, false);  // lab CA unknown
    CHECK(r.exit_code == 69);

    r = pigeon_ftp({"get", url(ftp_lab::explicit_port, "no-such-file"), "-"});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("550") != std::string::npos);

    r = pigeon_ftp({"ls", "http://localhost/"});
    CHECK(r.exit_code == 64);
    r = pigeon_ftp({"ls", "ftp://alice:secret@localhost/"});
    CHECK(r.exit_code == 64);
    r = pigeon_ftp({"put", url(ftp_lab::explicit_port, "x"), "/nonexistent/file"});
    CHECK(r.exit_code == 66);
    r = pigeon_ftp({"get", url(ftp_lab::explicit_port, "")});
    CHECK(r.exit_code == 64);
}

TEST_CASE("-v traces the dialogue with the password masked") {
    auto r = pigeon_ftp({"ls", url(ftp_lab::explicit_port, ""), "-v"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("-> PASS <redacted>") != std::string::npos);
    CHECK(r.err.find(std::string(lab::alice.password)) == std::string::npos);
    CHECK(r.err.find("<- 230") != std::string::npos);
}
