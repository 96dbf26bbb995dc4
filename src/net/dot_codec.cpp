#include "pigeon/net/dot_codec.hpp"

#include <cstring>

#include "pigeon/net/error.hpp"

namespace pigeon::net {
namespace {

// Index of the first CR or LF at or after i, or n.
inline std::size_t next_eol(const char* p, std::size_t i, std::size_t n) noexcept {
    // Two memchr scans beat a byte loop several times over (bench/RESULTS.md).
    const void* cr = std::memchr(p + i, '\r', n - i);
    const std::size_t lim = cr ? static_cast<std::size_t>(static_cast<const char*>(cr) - p) : n;
    const void* lf = std::memchr(p + i, '\n', lim - i);
    return lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - p) : lim;
}

} // namespace

std::error_code dot_stuffer::feed(std::string_view data, std::string& out) {
    if (failed_) return errc::nul_in_data;
    out.reserve(out.size() + data.size() + data.size() / 64 + 8);
    for (;;) {
        if (data.empty()) return {};
        // One memchr pass finds the NULs; the common case has none.
        const void* z = std::memchr(data.data(), '\0', data.size());
        if (!z) {
            encode(data.data(), data.size(), out);
            return {};
        }
        const std::size_t k = static_cast<std::size_t>(static_cast<const char*>(z) - data.data());
        encode(data.data(), k, out);
        if (nul_ == nul_policy::refuse) {
            failed_ = true;
            return errc::nul_in_data;
        }
        ++fed_;
        ++stripped_;
        data.remove_prefix(k + 1);
    }
}

void dot_stuffer::encode(const char* p, std::size_t n, std::string& out) {
    fed_ += n;
    std::size_t i = 0;
    while (i < n) {
        if (pending_cr_) {
            // CR already seen: CRLF, or a bare CR which becomes CRLF too.
            pending_cr_ = false;
            out.append("\r\n", 2);
            at_line_start_ = true;
            if (p[i] == '\n') {
                ++i;
                continue;
            }
        }
        char c = p[i];
        if (c == '\r') {
            pending_cr_ = true;
            ++i;
            continue;
        }
        if (c == '\n') {
            out.append("\r\n", 2);
            at_line_start_ = true;
            ++i;
            continue;
        }
        if (at_line_start_ && c == '.') out.push_back('.');
        std::size_t end = next_eol(p, i, n);
        out.append(p + i, end - i);
        at_line_start_ = false;
        i = end;
    }
}

std::error_code dot_stuffer::finish(std::string& out) {
    if (failed_) return errc::nul_in_data;
    if (pending_cr_) {
        pending_cr_ = false;
        out.append("\r\n", 2);
        at_line_start_ = true;
    }
    if (!at_line_start_) out.append("\r\n", 2);
    out.append(".\r\n", 3);
    at_line_start_ = true;
    return {};
}

dot_unstuffer::status dot_unstuffer::feed(std::string_view data, std::string& out, std::size_t& consumed) {
    const char* p = data.data();
    const std::size_t n = data.size();
    std::size_t i = 0;
    while (i < n) {
        char c = p[i];
        switch (state_) {
        case state::line_start:
            if (c == '.') {
                state_ = state::dot;
                ++i;
                continue;
            }
            state_ = state::in_line;
            [[fallthrough]];
        case state::in_line: {
            std::size_t end = next_eol(p, i, n);
            out.append(p + i, end - i);
            i = end;
            if (i == n) break;
            if (p[i] == '\r') {
                state_ = state::saw_cr;
            } else {
                out.append("\r\n", 2); // QUIRK(sloppy servers): bare LF line end
                state_ = state::line_start;
            }
            ++i;
            break;
        }
        case state::saw_cr:
            if (c == '\n') {
                out.append("\r\n", 2);
                state_ = state::line_start;
            } else if (c == '\r') {
                out.push_back('\r'); // a CR inside the line is content
            } else {
                out.push_back('\r');
                out.push_back(c);
                state_ = state::in_line;
            }
            ++i;
            break;
        case state::dot:
            if (c == '\r') {
                state_ = state::dot_cr;
                ++i;
            } else if (c == '\n') {
                consumed = i + 1; // QUIRK(sloppy servers): ".\n" terminator
                state_ = state::line_start;
                return status::done;
            } else {
                // A stuffed dot: drop it, the rest is content.
                state_ = state::in_line;
            }
            break;
        case state::dot_cr:
            if (c == '\n') {
                consumed = i + 1;
                state_ = state::line_start;
                return status::done;
            }
            // ".\r" followed by more: the dot was stuffing, the CR content.
            state_ = state::saw_cr;
            break;
        }
    }
    consumed = n;
    return status::need_more;
}

} // namespace pigeon::net
