#include "pigeon/smtp/crlf_normalizer.hpp"

#include <cstring>

#include "pigeon/net/error.hpp"

namespace {
// First CR or LF at or after i, or npos (memchr: find_first_of was 72% of
// the instructions of a 40 MB BDAT send).
inline std::size_t next_eol(std::string_view d, std::size_t i) noexcept {
    const char* p = d.data();
    const std::size_t n = d.size();
    const void* cr = std::memchr(p + i, '\r', n - i);
    const std::size_t lim = cr ? static_cast<std::size_t>(static_cast<const char*>(cr) - p) : n;
    const void* lf = std::memchr(p + i, '\n', lim - i);
    if (lf) return static_cast<std::size_t>(static_cast<const char*>(lf) - p);
    return lim == n ? std::string_view::npos : lim;
}
} // namespace

namespace pigeon::smtp {

std::error_code crlf_normalizer::feed(std::string_view data, std::string& out) {
    if (failed_) return net::errc::nul_in_data;
    for (;;) {
        if (data.empty()) return {};
        const void* z = std::memchr(data.data(), '\0', data.size());
        if (!z) {
            normalise(data, out);
            return {};
        }
        const std::size_t k = static_cast<std::size_t>(static_cast<const char*>(z) - data.data());
        normalise(data.substr(0, k), out);
        if (nul_ == net::nul_policy::refuse) {
            failed_ = true;
            return net::errc::nul_in_data;
        }
        ++stripped_;
        data.remove_prefix(k + 1);
    }
}

void crlf_normalizer::normalise(std::string_view data, std::string& out) {
    std::size_t i = 0;
    if (pending_cr_ && !data.empty()) {
        out += "\r\n";
        pending_cr_ = false;
        at_line_start_ = true;
        if (data[0] == '\n') i = 1;  // the LF of a CRLF split across feeds
    }
    while (i < data.size()) {
        const std::size_t j = next_eol(data, i);
        if (j == std::string_view::npos) {
            out.append(data.substr(i));
            at_line_start_ = false;
            return;
        }
        if (j > i) out.append(data.substr(i, j - i));
        if (data[j] == '\n') {
            out += "\r\n";
            at_line_start_ = true;
            i = j + 1;
        } else if (j + 1 == data.size()) {
            pending_cr_ = true;  // CRLF or bare CR: decided by the next byte
            return;
        } else {
            out += "\r\n";
            at_line_start_ = true;
            i = data[j + 1] == '\n' ? j + 2 : j + 1;
        }
    }
}

std::error_code crlf_normalizer::finish(std::string& out) {
    if (failed_) return net::errc::nul_in_data;
    if (pending_cr_ || !at_line_start_) out += "\r\n";
    pending_cr_ = false;
    at_line_start_ = true;
    return {};
}

} // namespace pigeon::smtp
