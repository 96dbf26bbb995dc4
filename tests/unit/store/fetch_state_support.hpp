#pragma once
// Helpers for the fetch-state tests: a temporary directory, records made
// from a number (so a reader can tell a corrupted one), raw journal access.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/store/destination.hpp"
#include "pigeon/store/fetch_state.hpp"

namespace fs_test {

using pigeon::store::delivered_record;
using pigeon::store::fetch_state;
using pigeon::store::lock_mode;
using pigeon::store::message_key;

class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pigeon-state-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

/// An IMAP record whose every field derives from (folder, uidvalidity, uid).
inline delivered_record imap_record(const std::string& folder, std::uint32_t uidvalidity, std::uint32_t uid) {
    delivered_record r;
    r.key.folder = folder;
    r.key.uidvalidity = uidvalidity;
    r.key.uid = uid;
    r.size = 1000 + std::uint64_t{uid} * 7;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 64; ++i) r.sha256_hex.push_back(hex[(uid * 31 + static_cast<std::uint32_t>(i) * 7) % 16]);
    r.message_id = "<" + std::to_string(uid) + "." + std::to_string(uidvalidity) + "@example.org>";
    r.location = "new/1733500000.M" + std::to_string(uid) + "P42Q1.host,S=" + std::to_string(r.size);
    r.destination = "maildir:/home/someone/Mail";
    return r;
}

inline delivered_record pop3_record(const std::string& uidl) {
    delivered_record r = imap_record("", 0, 0);
    r.key.uidl = uidl;
    r.message_id = "<" + uidl + "@pop.example>";
    r.location = "offset:" + std::to_string(uidl.size() * 1000);
    r.destination = "mbox:/var/mail/someone";
    return r;
}

inline std::optional<fetch_state> open_state(const std::string& dir, std::error_code& ec,
                                             lock_mode mode = lock_mode::fail_if_held) {
    return fetch_state::open(dir, mode, [](const delivered_record&) { return false; }, ec);
}

inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
}

inline void append_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::app);
    f << text;
}

inline std::size_t count_lines(const std::string& text) {
    std::size_t n = 0;
    for (char c : text) n += c == '\n' ? 1 : 0;
    return n;
}

inline std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

/// Records are equal field by field (doctest prints which one differs).
inline bool same(const delivered_record& a, const delivered_record& b) {
    return a.key == b.key && a.size == b.size && a.sha256_hex == b.sha256_hex && a.message_id == b.message_id &&
           a.location == b.location && a.destination == b.destination && a.delivered_at == b.delivered_at;
}

}  // namespace fs_test
