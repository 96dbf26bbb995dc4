#include "news_newsrc.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common.hpp"

namespace pigeon::cli {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

std::string errno_text(int e) { return std::strerror(e); }

/// A descriptor closed on scope exit.
struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

void article_set::add(std::uint64_t first, std::uint64_t last) {
    if (last < first) return;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    out.reserve(ranges_.size() + 1);
    bool placed = false;
    for (const auto& r : ranges_) {
        if (r.second != UINT64_MAX && r.second + 1 < first) {
            out.push_back(r);   // wholly before
        } else if (last != UINT64_MAX && last + 1 < r.first) {
            if (!placed) out.emplace_back(first, last);   // wholly after
            placed = true;
            out.push_back(r);
        } else {
            first = std::min(first, r.first);   // overlapping or adjacent
            last = std::max(last, r.second);
        }
    }
    if (!placed) out.emplace_back(first, last);
    ranges_ = std::move(out);
}

void article_set::add(const article_set& other) {
    for (const auto& [a, b] : other.ranges_) add(a, b);
}

bool article_set::contains(std::uint64_t n) const noexcept {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), n,
                               [](std::uint64_t v, const auto& r) { return v < r.first; });
    if (it == ranges_.begin()) return false;
    --it;
    return n >= it->first && n <= it->second;
}

std::uint64_t article_set::first_missing(std::uint64_t n) const noexcept {
    for (const auto& [a, b] : ranges_) {
        if (b < n) continue;
        if (a > n) return n;
        if (b == UINT64_MAX) return b;
        n = b + 1;
    }
    return n;
}

std::string article_set::to_string() const {
    std::string out;
    for (const auto& [a, b] : ranges_) {
        if (!out.empty()) out += ',';
        out += std::to_string(a);
        if (b != a) out += '-' + std::to_string(b);
    }
    return out;
}

bool article_set::parse(std::string_view text) {
    bool ok = true;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (item.empty()) continue;
        auto dash = item.find('-');
        std::uint64_t a = 0, b = 0;
        if (dash == std::string_view::npos) {
            if (!parse_u64(item, a)) {
                ok = false;
                continue;
            }
            b = a;
        } else if (!parse_u64(trim(item.substr(0, dash)), a) || !parse_u64(trim(item.substr(dash + 1)), b)) {
            ok = false;
            continue;
        }
        if (a == 0) a = 1;   // "0" and "0-N": INN numbers from 1
        if (b >= a) add(a, b);
    }
    return ok;
}

newsrc newsrc::parse(std::string_view text) {
    newsrc n;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        line = trim(line);
        if (line.empty()) continue;
        auto mark = line.find_first_of(":!");
        std::string_view name = mark == std::string_view::npos ? std::string_view() : trim(line.substr(0, mark));
        if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
            ++n.skipped_;
            continue;
        }
        article_set read;
        if (!read.parse(line.substr(mark + 1))) ++n.skipped_;
        newsrc_group& g = n.get(name);
        g.subscribed = line[mark] == ':';
        g.read.add(read);
    }
    return n;
}

std::string newsrc::format() const {
    std::string out;
    for (const auto& g : groups_) {
        out += g.name;
        out += g.subscribed ? ':' : '!';
        std::string r = g.read.to_string();
        if (!r.empty()) out += ' ' + r;
        out += '\n';
    }
    return out;
}

newsrc_group* newsrc::find(std::string_view name) {
    for (auto& g : groups_)
        if (g.name == name) return &g;
    return nullptr;
}

const newsrc_group* newsrc::find(std::string_view name) const {
    for (const auto& g : groups_)
        if (g.name == name) return &g;
    return nullptr;
}

newsrc_group& newsrc::get(std::string_view name) {
    if (auto* g = find(name)) return *g;
    groups_.push_back({std::string(name), true, {}});
    return groups_.back();
}

void newsrc::merge(const newsrc& other) {
    for (const auto& g : other.groups_) {
        bool existed = find(g.name) != nullptr;
        newsrc_group& mine = get(g.name);
        if (!existed) mine.subscribed = g.subscribed;
        mine.read.add(g.read);
    }
}

std::string newsrc_path(const std::string& state_dir) { return state_dir + "/newsrc"; }

newsrc load_newsrc(const std::string& path) {
    fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        if (errno == ENOENT) return {};
        throw exit_error(exit_noinput, "cannot read " + printable(path) + ": " + errno_text(errno));
    }
    std::string text;
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw exit_error(exit_ioerr, "reading " + printable(path) + ": " + errno_text(errno));
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > (64u << 20)) throw exit_error(exit_data, printable(path) + ": larger than 64 MiB");
    }
    return newsrc::parse(text);
}

void save_newsrc(const std::string& path, const newsrc& n) {
    namespace fs = std::filesystem;
    fs::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) {
        fs::create_directories(p.parent_path(), ec);
        if (ec) throw exit_error(exit_cantcreat, "cannot create " + printable(p.parent_path().string()) + ": " + ec.message());
    }
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    fd_guard f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (f.fd < 0) throw exit_error(exit_cantcreat, "cannot create " + printable(tmp) + ": " + errno_text(errno));
    std::string text = n.format();
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t w = ::write(f.fd, text.data() + done, text.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::unlink(tmp.c_str());
            throw exit_error(exit_ioerr, "writing " + printable(tmp) + ": " + errno_text(e));
        }
        done += static_cast<std::size_t>(w);
    }
    if (::fsync(f.fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw exit_error(exit_ioerr, "writing " + printable(path) + ": " + errno_text(e));
    }
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
}

void update_newsrc(const std::string& path, const std::function<void(newsrc&)>& change) {
    namespace fs = std::filesystem;
    fs::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
    std::string lock = path + ".lock";
    fd_guard l{::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)};
    if (l.fd < 0) throw exit_error(exit_cantcreat, "cannot create " + printable(lock) + ": " + errno_text(errno));
    while (::flock(l.fd, LOCK_EX) != 0) {
        if (errno != EINTR) throw exit_error(exit_ioerr, "cannot lock " + printable(lock) + ": " + errno_text(errno));
    }
    newsrc n = load_newsrc(path);
    change(n);
    save_newsrc(path, n);
}

} // namespace pigeon::cli
