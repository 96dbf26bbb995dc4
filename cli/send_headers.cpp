#include "send_headers.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common.hpp"

namespace pigeon::cli {
namespace {

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// The length of "name" when line starts a header field ("name:"), else 0.
std::size_t field_name_length(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] > 32 && line[i] < 127 && line[i] != ':') ++i;
    return i > 0 && i < line.size() && line[i] == ':' ? i : 0;
}

bool is_blank_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

} // namespace

bool message_input::fill() {
    raw_pos_ = 0;
    raw_len_ = 0;
    for (;;) {
        ssize_t n = ::read(fd_, raw_.data(), raw_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw exit_error(exit_ioerr, std::string("cannot read the message: ") + std::strerror(errno));
        raw_len_ = static_cast<std::size_t>(n);
        if (n == 0) eof_ = true;
        return n > 0;
    }
}

std::size_t message_input::read(char* buf, std::size_t cap) {
    std::size_t out = 0;
    while (out < cap) {
        if (!pending_.empty()) {
            std::size_t n = std::min(cap - out, pending_.size());
            std::memcpy(buf + out, pending_.data(), n);
            pending_.erase(0, n);
            out += n;
            continue;
        }
        if (ended_) break;
        if (raw_pos_ == raw_len_ && (eof_ || !fill())) {
            // The end of input: a held "." or ".\r" is content after all.
            pending_ = std::move(held_);
            held_.clear();
            ended_ = true;
            continue;
        }
        if (!dot_ends_) {
            std::size_t n = std::min(cap - out, raw_len_ - raw_pos_);
            std::memcpy(buf + out, raw_.data() + raw_pos_, n);
            raw_pos_ += n;
            out += n;
            continue;
        }
        const char c = raw_[raw_pos_];
        if (held_.empty()) {
            ++raw_pos_;
            if (at_line_start_ && c == '.') {
                held_ = ".";
                continue;
            }
            buf[out++] = c;
            at_line_start_ = c == '\n';
            continue;
        }
        // held_ is "." or ".\r" at the start of a line.
        if (c == '\n') {
            ++raw_pos_;
            held_.clear();
            ended_ = true;  // "." alone on a line: the end of the message
            continue;
        }
        if (c == '\r' && held_ == ".") {
            held_ = ".\r";
            ++raw_pos_;
            continue;
        }
        // Not the end: the held bytes are content; c is looked at again.
        pending_ = std::move(held_);
        held_.clear();
        at_line_start_ = false;
    }
    return out;
}

header_block read_header_block(const read_fn& read, std::size_t max_bytes) {
    header_block h;
    std::string buf;       // unconsumed input
    std::size_t used = 0;  // header bytes consumed so far
    bool eof = false;
    bool first_line = true;
    std::vector<char> chunk(16 * 1024);
    for (;;) {
        // One complete line, or the rest at the end of input.
        auto nl = buf.find('\n');
        if (nl == std::string::npos && !eof) {
            if (buf.size() + used > max_bytes)
                throw exit_error(exit_data, "the message header is larger than " + std::to_string(max_bytes) +
                                                " bytes");
            std::size_t n = read(chunk.data(), chunk.size());
            if (n == 0) eof = true;
            buf.append(chunk.data(), n);
            continue;
        }
        if (buf.empty()) break;  // end of input right after the header
        std::string line = nl == std::string::npos ? buf : buf.substr(0, nl + 1);
        if (first_line && line.compare(0, 5, "From ") == 0) {
            // An mbox envelope line, not a header field.
            buf.erase(0, line.size());
            used += line.size();
            first_line = false;
            continue;
        }
        first_line = false;
        if (is_blank_line(line)) {
            h.separator = line;
            buf.erase(0, line.size());
            break;
        }
        if ((line[0] == ' ' || line[0] == '\t') && !h.fields.empty()) {
            h.fields.back().raw += line;
        } else if (std::size_t n = field_name_length(line); n > 0) {
            h.fields.push_back({line.substr(0, n), line});
        } else {
            break;  // not a header line: the body starts here
        }
        buf.erase(0, line.size());
        used += line.size();
        if (used > max_bytes)
            throw exit_error(exit_data, "the message header is larger than " + std::to_string(max_bytes) + " bytes");
    }
    h.body_start = std::move(buf);
    return h;
}

std::vector<std::string> field_values(const header_block& h, std::string_view name) {
    std::vector<std::string> out;
    for (const auto& f : h.fields) {
        if (!iequal(f.name, name)) continue;
        std::string v;
        std::string_view raw(f.raw);
        raw.remove_prefix(f.name.size() + 1);
        // Unfold: drop every CR and LF (folding keeps the blank after them).
        for (char c : raw)
            if (c != '\r' && c != '\n') v.push_back(c);
        out.push_back(std::move(v));
    }
    return out;
}

bool has_field(const header_block& h, std::string_view name) {
    for (const auto& f : h.fields)
        if (iequal(f.name, name)) return true;
    return false;
}

std::size_t remove_fields(header_block& h, std::string_view name) {
    std::size_t before = h.fields.size();
    std::erase_if(h.fields, [&](const raw_field& f) { return iequal(f.name, name); });
    return before - h.fields.size();
}

bool has_non_ascii_field(const header_block& h) {
    for (const auto& f : h.fields)
        for (char c : f.raw)
            if (static_cast<unsigned char>(c) > 0x7f) return true;
    return false;
}

} // namespace pigeon::cli
