#include "pigeon/oauth2/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "pigeon/oauth2/error.hpp"

namespace pigeon::oauth2 {
namespace {

bool make_parents(const std::string& path) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
    return true;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace

std::error_code read_private_file(const std::string& path, std::string& out, std::size_t max) {
    out.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::make_error_code(std::errc::no_such_file_or_directory);
        return errc::file_error;
    }
    struct stat st {};
    std::error_code ec;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) ec = errc::file_error;
    else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) ec = errc::insecure_file;
    char buf[4096];
    while (!ec) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ec = errc::file_error;
        else if (n == 0) break;
        else if (out.size() + static_cast<std::size_t>(n) > max) ec = errc::file_error;
        else out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (ec) out.clear();
    return ec;
}

std::error_code write_private_file(const std::string& path, std::string_view data) {
    if (path.empty() || !make_parents(path)) return errc::file_error;
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return errc::file_error;
    bool ok = ::fchmod(fd, 0600) == 0 && write_all(fd, data) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return errc::file_error;
    }
    if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

} // namespace pigeon::oauth2
