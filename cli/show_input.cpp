// pigeon show: opening the message. A regular file is parsed where it is
// (positioned reads, bounded memory); standard input, pipes and other
// streams are first copied to an unlinked temporary file in $TMPDIR, so a
// 1 GB message never has to fit in memory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common.hpp"
#include "pigeon/mime/builder.hpp"
#include "pigeon/mime/source.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {
namespace {

std::string error_text(int err) { return std::strerror(err); }

} // namespace

int open_temp_file() {
    std::string dir = "/tmp";
    if (const char* t = std::getenv("TMPDIR"); t && *t) dir = t;
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    std::string tmpl = dir + "/pigeon-show-XXXXXX";
    fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) throw exit_error(exit_ioerr, "cannot create a temporary file in " + printable(dir) + ": " + error_text(errno));
    ::unlink(tmpl.c_str());
    return fd;
}

namespace {

// Copies everything readable from in to a temporary file; returns its descriptor.
int copy_to_temp(int in, const std::string& what) {
    int fd = open_temp_file();
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = ::read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            throw exit_error(exit_ioerr, "reading " + what + ": " + error_text(err));
        }
        if (n == 0) break;
        std::size_t done = 0;
        while (done < static_cast<std::size_t>(n)) {
            ssize_t w = ::write(fd, buf + done, static_cast<std::size_t>(n) - done);
            if (w < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                ::close(fd);
                throw exit_error(exit_ioerr, "writing the temporary copy of " + what + ": " + error_text(err));
            }
            done += static_cast<std::size_t>(w);
        }
    }
    return fd;
}

} // namespace

mime::message load_message(const std::string& name) {
    int fd = -1;
    std::string what = name == "-" ? std::string("standard input") : printable(name);
    if (name == "-") {
        fd = copy_to_temp(STDIN_FILENO, what);
    } else {
        fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw exit_error(exit_noinput, "cannot open " + what + ": " + error_text(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            int err = errno;
            ::close(fd);
            throw exit_error(exit_noinput, "cannot open " + what + ": " + error_text(err));
        }
        if (S_ISDIR(st.st_mode)) {
            ::close(fd);
            throw exit_error(exit_noinput, what + " is a directory, not a message file");
        }
        if (!S_ISREG(st.st_mode)) { // a pipe, FIFO or device: take a copy first
            int copy = -1;
            try {
                copy = copy_to_temp(fd, what);
            } catch (...) {
                ::close(fd);
                throw;
            }
            ::close(fd);
            fd = copy;
        }
    }
    return parse_message_fd(fd, what);
}

mime::message parse_message_fd(int fd, const std::string& what) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw exit_error(exit_ioerr, "reading " + what + ": " + error_text(err));
    }
    if (st.st_size == 0) {
        ::close(fd);
        throw exit_error(exit_data, what + " is empty: not a message");
    }
    auto src = std::make_shared<mime::file_source>(fd, static_cast<std::uint64_t>(st.st_size)); // owns fd
    mime::message m = mime::parse_message(std::shared_ptr<const mime::source>(src));
    if (src->error()) throw exit_error(exit_ioerr, "reading " + what + ": " + src->error().message());
    if (!m.root()) throw exit_error(exit_data, what + ": not a message");
    return m;
}

} // namespace pigeon::cli::show
