#pragma once
// Helpers of the pigeon send / sendmail integration tests: a temporary
// directory, running the CLI isolated from the user's configuration, finding
// a delivered message in a lab Maildir, parsing it with Python's email
// package and with GMime, hashing and base64.
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/lab.hpp"
#include "support/run_process.hpp"

namespace pigeon::test::send_lab {

namespace fs = std::filesystem;

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "pigeon-send-it-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }
    std::string write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
        fs::path p = fs::path(path_) / name;
        fs::create_directories(p.parent_path());
        {
            std::ofstream f(p, std::ios::binary | std::ios::trunc);
            f.write(content.data(), static_cast<std::streamsize>(content.size()));
        }
        ::chmod(p.c_str(), mode);
        return p.string();
    }

private:
    std::string path_;
};

/// A token no other run uses: for subjects and Message-IDs to find mail by.
inline std::string unique_token(const char* prefix) {
    std::random_device rd;
    return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + std::to_string(rd());
}

/// Deterministic pseudo-random bytes (xorshift64*), written in chunks.
inline void write_blob(const std::string& path, std::uint64_t size, std::uint64_t seed) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    std::vector<char> buf(1 << 20);
    std::uint64_t x = seed | 1;
    std::uint64_t left = size;
    while (left > 0) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
        for (std::size_t i = 0; i < n; i += 8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            std::uint64_t v = x * 2685821657736338717ull;
            for (std::size_t k = 0; k < 8 && i + k < n; ++k) buf[i + k] = static_cast<char>(v >> (8 * k));
        }
        f.write(buf.data(), static_cast<std::streamsize>(n));
        left -= n;
    }
}

inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline std::string sha256_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

inline std::string sha256_file(const std::string& path) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::ifstream f(path, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (f) {
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(f.gcount()));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

inline std::string base64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// The base64 text that encodes `secret` whatever the alignment: for a
/// prefix of k = 0, 1, 2 bytes, the characters that depend on the secret's
/// bytes only (so a base64 form of it anywhere in a stream contains one).
inline std::vector<std::string> base64_needles(const std::string& secret) {
    std::vector<std::string> out;
    for (std::size_t k = 0; k < 3; ++k) {
        std::string s = std::string(k, 'Q') + secret;
        std::string e = base64(s);
        std::size_t start = 4 * ((k + 2) / 3);
        std::size_t end = 4 * (s.size() / 3);
        if (end > start) out.push_back(e.substr(start, end - start));
    }
    return out;
}

/// Runs pigeon with HOME in dir, no XDG config and every PIGEON_* cleared.
inline process_result run_pigeon(const temp_dir& dir, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env = {}, const std::string& input = {},
                                 std::chrono::seconds timeout = std::chrono::seconds(120)) {
    ::signal(SIGPIPE, SIG_IGN);
    process_options o;
    o.timeout = timeout;
    o.input = input;
    o.env = {{"HOME", dir.path()},          {"XDG_CONFIG_HOME", dir.path() + "/xdg"},
             {"PIGEON_CONFIG", ""},         {"PIGEON_ACCOUNT", ""},
             {"PIGEON_SERVER", ""},         {"PIGEON_USER", ""},
             {"PIGEON_PASSWORD", ""},       {"PIGEON_PASSWORD_COMMAND", ""},
             {"PIGEON_FROM", ""},           {"PIGEON_TLS", ""},
             {"PIGEON_TLS_CA", ""}};
    for (const auto& [k, v] : env) o.env[k] = v;
    return run_process(pigeon_cli(), args, o);
}

/// A config file with one default account "lab" on the given port, logging
/// in as user (password through password_command), mode 0600.
inline std::string write_lab_config(const temp_dir& dir, std::uint16_t port, const lab::account& user,
                                    const std::string& extra = {}) {
    std::string scheme = port == lab::submissions_port ? "smtps" : "smtp";
    std::string pw_file = dir.write("password.txt", std::string(user.password) + "\n");
    std::string text = "[accounts.lab]\ndefault = true\n";
    text += "server = \"" + scheme + "://localhost:" + std::to_string(port) + "\"\n";
    text += "tls_ca = \"" + lab::ca_file() + "\"\n";
    text += "user = \"" + std::string(user.name) + "\"\n";
    text += "password_command = \"cat " + pw_file + "\"\n";
    text += "from = \"" + std::string(user.name) + "\"\n";
    text += "domain = \"lab.test\"\n";
    text += extra;
    return dir.write("pigeon.toml", text);
}

/// Waits until a message whose header block contains `needle` is in the
/// user's Maildir (new/ or cur/), copies it into dir (other tests may move or
/// delete mail) and returns the copy's path; "" after the timeout.
inline std::string wait_for_mail(const temp_dir& dir, std::string_view user, const std::string& needle,
                                 std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const fs::path md = lab::maildir(user);
    static int copies = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        for (const char* sub : {"new", "cur"}) {
            std::error_code ec;
            for (fs::directory_iterator it(md / sub, ec), end; !ec && it != end; it.increment(ec)) {
                std::ifstream f(it->path(), std::ios::binary);
                if (!f) continue;
                std::string head(64 * 1024, '\0');
                f.read(head.data(), static_cast<std::streamsize>(head.size()));
                head.resize(static_cast<std::size_t>(f.gcount()));
                auto end_of_header = head.find("\n\n");
                if (end_of_header != std::string::npos) head.resize(end_of_header);
                if (head.find(needle) == std::string::npos) continue;
                std::string copy = dir.path() + "/delivered-" + std::string(user.substr(0, user.find('@'))) + "-" +
                                   std::to_string(++copies) + ".eml";
                std::error_code cec;
                fs::copy_file(it->path(), copy, fs::copy_options::overwrite_existing, cec);
                if (!cec) return copy;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

/// Parses a message file with tests/integration/send_check.py (Python's
/// email package, policy=default).
inline nlohmann::json python_view(const std::string& path) {
    process_options o;
    o.timeout = std::chrono::seconds(120);
    auto r = run_process("/usr/bin/python3",
                         {std::string(PIGEON_SOURCE_DIR) + "/tests/integration/send_check.py", path}, o);
    if (r.exit_code != 0) throw std::runtime_error("send_check.py failed: " + r.err);
    return nlohmann::json::parse(r.out);
}

/// Parses a message file with GMime: send_check_gmime.c compiled once per
/// test process into a temporary directory.
inline nlohmann::json gmime_view(const std::string& path) {
    static temp_dir build;
    static std::string exe;
    if (exe.empty()) {
        std::string out = build.path() + "/send_check_gmime";
        process_options o;
        o.timeout = std::chrono::seconds(180);
        auto r = run_process("/bin/sh",
                             {"-c", "cc -O1 -o \"$1\" \"$2\" $(pkg-config --cflags --libs gmime-3.0)", "sh", out,
                              std::string(PIGEON_SOURCE_DIR) + "/tests/integration/send_check_gmime.c"},
                             o);
        if (r.exit_code != 0) throw std::runtime_error("cannot build the GMime checker: " + r.err);
        exe = out;
    }
    process_options o;
    o.timeout = std::chrono::seconds(120);
    auto r = run_process(exe, {path}, o);
    if (r.exit_code != 0) throw std::runtime_error("GMime checker failed: " + r.err);
    return nlohmann::json::parse(r.out);
}

/// Text with every CRLF (and lone CR) turned into LF, for comparing bodies
/// across parsers that keep or convert line ends.
inline std::string lf(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

} // namespace pigeon::test::send_lab
