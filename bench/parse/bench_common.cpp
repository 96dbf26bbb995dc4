#include "bench_common.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

namespace parse_bench {
namespace fs = std::filesystem;

namespace {

bool skip_name(const fs::path& p) {
    const std::string n = p.filename().string();
    return n.empty() || n[0] == '.' || (n.size() > 6 && n.compare(n.size() - 6, 6, ".jsonl") == 0);
}

void walk_dir(const std::string& dir, bool sorted,
              const std::function<void(const std::string&, const std::string&)>& fn) {
    std::error_code ec;
    const fs::path root(dir);
    if (sorted) {
        std::vector<std::pair<std::string, std::string>> all;
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (skip_name(it->path())) {
                if (it->is_directory()) it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file()) continue;
            all.emplace_back(fs::relative(it->path(), root).generic_string(), it->path().string());
        }
        std::sort(all.begin(), all.end());
        for (const auto& [name, path] : all) fn(name, path);
    } else {
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (skip_name(it->path())) {
                if (it->is_directory()) it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file()) continue;
            const std::string path = it->path().string();
            fn(path.substr(dir.size() + (dir.back() == '/' ? 0 : 1)), path);
        }
    }
    if (ec) std::fprintf(stderr, "parse_bench: %s: %s\n", dir.c_str(), ec.message().c_str());
}

} // namespace

void walk_corpus(const std::vector<std::string>& args, bool sorted,
                 const std::function<void(const std::string&, const std::string&)>& fn) {
    for (const std::string& a : args) {
        if (!a.empty() && a[0] == '@') {
            std::ifstream list(a.substr(1));
            if (!list) {
                std::fprintf(stderr, "parse_bench: cannot read list %s\n", a.c_str() + 1);
                continue;
            }
            std::string line;
            while (std::getline(list, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (!line.empty()) fn(line, line);
            }
            continue;
        }
        std::error_code ec;
        if (fs::is_directory(a, ec)) {
            walk_dir(a, sorted, fn);
        } else {
            fn(a, a);
        }
    }
}

bool append_file(const std::string& path, std::string& out, std::uint64_t& size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return false;
    }
    const std::size_t base = out.size();
    out.resize(base + static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    const std::size_t want = static_cast<std::size_t>(st.st_size);
    while (got < want) {
        const ssize_t n = ::read(fd, out.data() + base + got, want - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(base + got);
    size = got;
    return true;
}

namespace {
long status_kib(const char* key) {
    std::ifstream st("/proc/self/status");
    std::string line;
    const std::size_t n = std::strlen(key);
    while (std::getline(st, line)) {
        if (line.compare(0, n, key) == 0) return std::strtol(line.c_str() + n, nullptr, 10);
    }
    return 0;
}
} // namespace

long self_peak_rss_kib() { return status_kib("VmHWM:"); }
long self_rss_kib() { return status_kib("VmRSS:"); }

} // namespace parse_bench
