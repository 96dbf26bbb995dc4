// open_destination(): the "maildir:PATH" / "mbox:PATH" / "mda:COMMAND"
// spec, and the pieces the three stores share (destination_impl.hpp).
//
// PATH: a leading "~/" (or a PATH of just "~") is the home directory ($HOME,
// else the password database); "~user" is refused (bad_spec) rather than
// taken as a relative name. A relative PATH is made absolute against the
// current directory, so describe() — which the fetch state records — names
// the same store from any directory. Trailing slashes are dropped.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "destination_impl.hpp"

namespace pigeon::store {
namespace detail {

std::error_code errno_code(int err, errc other) noexcept {
    if (err == ENOSPC || err == EDQUOT) return make_error_code(errc::no_space);
    return make_error_code(other);
}

std::error_code write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_code(errno);
        }
        if (n == 0) return make_error_code(errc::io_error);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

std::error_code fsync_dir(const std::string& path) noexcept {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_code(errno);
    std::error_code ec;
    if (::fsync(fd) != 0 && errno != EINVAL) ec = errno_code(errno);  // EINVAL: fs without dir fsync
    ::close(fd);
    return ec;
}

// ---- sha256 ---------------------------------------------------------------

sha256::sha256() noexcept : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = nullptr;
    }
}

sha256::sha256(const sha256& other) noexcept : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ && (!other.ctx_ || EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1)) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = nullptr;
    }
}

sha256& sha256::operator=(const sha256& other) noexcept {
    if (this != &other) {
        sha256 copy(other);
        std::swap(ctx_, copy.ctx_);
    }
    return *this;
}

sha256::~sha256() { EVP_MD_CTX_free(ctx_); }

void sha256::update(std::string_view bytes) noexcept {
    if (ctx_ && !bytes.empty() && EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) != 1) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = nullptr;
    }
}

std::string sha256::hex() const {
    if (!ctx_) return {};
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    if (!copy) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string out;
    if (EVP_MD_CTX_copy_ex(copy, ctx_) == 1 && EVP_DigestFinal_ex(copy, md, &len) == 1) {
        static const char digits[] = "0123456789abcdef";
        out.reserve(len * 2);
        for (unsigned int i = 0; i < len; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 0xf];
        }
    }
    EVP_MD_CTX_free(copy);
    return out;
}

// ---- crlf_to_lf -----------------------------------------------------------

void crlf_to_lf::feed(std::string_view in, std::string& out) {
    if (in.empty()) return;
    std::size_t i = 0;
    const std::size_t n = in.size();
    if (pending_cr_) {
        pending_cr_ = false;
        if (in[0] != '\n') out += '\r';  // a lone CR stays; CRLF loses the CR
    }
    while (i < n) {
        const void* p = std::memchr(in.data() + i, '\r', n - i);
        if (!p) {
            out.append(in.data() + i, n - i);
            return;
        }
        const auto j = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
        out.append(in.data() + i, j - i);
        if (j + 1 == n) {
            pending_cr_ = true;
            return;
        }
        if (in[j + 1] != '\n') out += '\r';
        i = j + 1;
    }
}

void crlf_to_lf::finish(std::string& out) {
    if (pending_cr_) out += '\r';
    pending_cr_ = false;
}

// ---- lf_form --------------------------------------------------------------

void lf_form::update(std::string_view lf_bytes) {
    length_ += lf_bytes.size();
    lf_.update(lf_bytes);
    std::size_t i = 0;
    while (i < lf_bytes.size()) {
        const void* p = std::memchr(lf_bytes.data() + i, '\n', lf_bytes.size() - i);
        const std::size_t j = p ? static_cast<std::size_t>(static_cast<const char*>(p) - lf_bytes.data())
                                : lf_bytes.size();
        crlf_.update(lf_bytes.substr(i, j - i));
        if (!p) break;
        crlf_.update("\r\n");
        ++lfs_;
        i = j + 1;
    }
}

lf_form::verdict lf_form::check(std::uint64_t size, std::string_view sha256_hex) const {
    // Every stored LF came from a bare LF or from a CRLF (which lost its
    // CR); nothing else changes length. So the original had between
    // length_ and length_ + lfs_ bytes, and only the two ends of that range
    // can be rebuilt exactly.
    const bool as_is = size == length_;
    const bool all_crlf = size == length_ + lfs_;
    if (!as_is && !all_crlf) {
        return size > length_ && size < length_ + lfs_ ? verdict::unverifiable : verdict::impossible;
    }
    if (sha256_hex.empty()) return verdict::match;
    if (as_is && lf_.hex() == sha256_hex) return verdict::match;
    if (all_crlf && crlf_.hex() == sha256_hex) return verdict::match;
    return verdict::mismatch;
}

// ---- stream_delivery ------------------------------------------------------

void stream_delivery::write(std::string_view bytes, std::error_code& ec) {
    ec.clear();
    if (state_ != state::open) {
        ec = make_error_code(errc::bad_state);
        return;
    }
    if (failed_) {
        ec = failed_;
        return;
    }
    sha_.update(bytes);
    received_ += bytes.size();
    while (!bytes.empty()) {
        const std::string_view piece = bytes.substr(0, write_slice);
        bytes.remove_prefix(piece.size());
        transform(piece, buf_);
        if (buf_.size() >= write_buffer) {
            if (auto e = flush_buffer()) {
                failed_ = e;
                ec = e;
                return;
            }
        }
    }
}

std::string stream_delivery::sha256_hex() const {
    if (state_ == state::committed) return hex_;
    return sha_.hex();
}

std::error_code stream_delivery::flush_buffer() {
    if (buf_.empty()) return {};
    auto e = drain(buf_);
    buf_.clear();
    return e;
}

bool stream_delivery::end_stream(std::error_code& ec) {
    ec.clear();
    if (state_ != state::open) {
        ec = make_error_code(errc::bad_state);
        return false;
    }
    if (failed_) {
        ec = failed_;
        return false;
    }
    transform_end(buf_);
    if (auto e = flush_buffer()) {
        failed_ = e;
        ec = e;
        return false;
    }
    hex_ = sha_.hex();
    return true;
}

} // namespace detail

namespace {

bool home_directory(std::string& out) {
    if (const char* h = std::getenv("HOME"); h && h[0] == '/') {
        out = h;
        return true;
    }
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    if (size <= 0) size = 16384;
    std::vector<char> buf(static_cast<std::size_t>(size));
    struct passwd pw {};
    struct passwd* result = nullptr;
    if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &result) != 0 || !result || !pw.pw_dir ||
        pw.pw_dir[0] != '/')
        return false;
    out = pw.pw_dir;
    return true;
}

/// PATH of the spec -> absolute path, or "" (bad_spec).
std::string absolute_path(std::string_view path) {
    if (path.empty()) return {};
    std::string out;
    if (path == "~" || path.substr(0, 2) == "~/") {
        if (!home_directory(out)) return {};
        out.append(path.substr(1));
    } else if (path[0] == '~') {
        return {};  // "~user/..." is not expanded, and not a sensible relative name
    } else if (path[0] == '/') {
        out.assign(path);
    } else {
        std::vector<char> cwd(4096);
        while (!::getcwd(cwd.data(), cwd.size())) {
            if (errno != ERANGE || cwd.size() > (1u << 20)) return {};
            cwd.resize(cwd.size() * 2);
        }
        out = cwd.data();
        if (out.empty() || out.back() != '/') out += '/';
        out.append(path);
    }
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

} // namespace

std::unique_ptr<destination> open_destination(std::string_view spec, const destination_options& opts,
                                              std::error_code& ec) {
    ec.clear();
    const auto colon = spec.find(':');
    if (colon == std::string_view::npos || spec.find('\0') != std::string_view::npos) {
        ec = make_error_code(errc::bad_spec);
        return nullptr;
    }
    const std::string_view kind = spec.substr(0, colon);
    const std::string_view rest = spec.substr(colon + 1);
    if (kind == "mda") {
        if (rest.find_first_not_of(" \t") == std::string_view::npos) {
            ec = make_error_code(errc::bad_spec);
            return nullptr;
        }
        return detail::open_mda(std::string(rest), opts, ec);
    }
    if (kind != "maildir" && kind != "mbox") {
        ec = make_error_code(errc::bad_spec);
        return nullptr;
    }
    std::string path = absolute_path(rest);
    if (path.empty()) {
        ec = make_error_code(errc::bad_spec);
        return nullptr;
    }
    if (kind == "maildir") return detail::open_maildir(std::move(path), opts, ec);
    return detail::open_mbox(std::move(path), opts, ec);
}

} // namespace pigeon::store
