#include "pigeon/text/line_normalizer.hpp"

#include <cstring>

namespace pigeon::text {

std::size_t find_line_end(const char* p, std::size_t i, std::size_t n) noexcept {
    const void* cr = std::memchr(p + i, '\r', n - i);
    const std::size_t lim = cr ? static_cast<std::size_t>(static_cast<const char*>(cr) - p) : n;
    const void* lf = std::memchr(p + i, '\n', lim - i);
    return lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - p) : lim;
}

bool line_normalizer::feed(std::string_view data, std::string& out) {
    if (failed_) return false;
    out.reserve(out.size() + data.size() + data.size() / 64 + 8);
    if (nul_ == nul_handling::keep) {
        encode(data.data(), data.size(), out);
        return true;
    }
    for (;;) {
        if (data.empty()) return true;
        // One memchr pass finds the NULs; the common case has none.
        const void* z = std::memchr(data.data(), '\0', data.size());
        if (!z) {
            encode(data.data(), data.size(), out);
            return true;
        }
        const std::size_t k = static_cast<std::size_t>(static_cast<const char*>(z) - data.data());
        encode(data.data(), k, out);
        if (nul_ == nul_handling::refuse) {
            failed_ = true;
            return false;
        }
        ++fed_;
        ++stripped_;
        data.remove_prefix(k + 1);
    }
}

void line_normalizer::encode(const char* p, std::size_t n, std::string& out) {
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
        const char c = p[i];
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
        if (stuff_ && at_line_start_ && c == '.') out.push_back('.');
        const std::size_t end = find_line_end(p, i, n);
        out.append(p + i, end - i);
        at_line_start_ = false;
        i = end;
    }
}

bool line_normalizer::finish(std::string& out) {
    if (failed_) return false;
    if (pending_cr_) {
        pending_cr_ = false;
        out.append("\r\n", 2);
        at_line_start_ = true;
    }
    if (!at_line_start_) out.append("\r\n", 2);
    at_line_start_ = true;
    return true;
}

std::string normalize_line_ends(std::string_view text) {
    line_normalizer n(line_normalizer::nul_handling::keep);
    std::string out;
    n.feed(text, out);
    if (!text.empty() && text.back() == '\r') n.finish(out);  // a final bare CR still becomes CRLF
    return out;
}

} // namespace pigeon::text
