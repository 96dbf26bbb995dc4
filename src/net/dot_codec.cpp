#include "pigeon/net/dot_codec.hpp"

#include <cstring>

#include "pigeon/net/error.hpp"

namespace pigeon::net {
using text::find_line_end;

std::error_code dot_stuffer::feed(std::string_view data, std::string& out) {
    return n_.feed(data, out) ? std::error_code() : make_error_code(errc::nul_in_data);
}

std::error_code dot_stuffer::finish(std::string& out) {
    if (!n_.finish(out)) return errc::nul_in_data;
    out.append(".\r\n", 3);
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
            std::size_t end = find_line_end(p, i, n);
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
