#pragma once
// Test helpers for the MIME parser: an event recorder that turns parser
// events into a canonical text log (adjacent body pieces merged), so two
// parses can be compared however their input was split.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pigeon/mime/parser.hpp>

#include "support/split_feed.hpp"

namespace pigeon::mime::test {

inline std::string escape(std::string_view s, std::size_t max = 200) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c < 32 || c >= 127) {
            const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else out += static_cast<char>(c);
    }
    if (s.size() > max) out += "...(" + std::to_string(s.size()) + ")";
    return out;
}

inline std::uint64_t fnv(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

class recorder : public parser_handler {
public:
    std::vector<std::string> log;
    /// Every byte range reported, in order, to check they tile the input.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    bool keep_body_text = true;

    void on_header(const header_event& h) override {
        flush();
        log.push_back("H " + escape(h.name) + ": " + escape(h.value) + " @" + std::to_string(h.offset) + "+" +
                      std::to_string(h.length) + (h.truncated ? " T" : ""));
    }
    void on_headers_end(std::uint64_t off, std::size_t sep) override {
        flush();
        log.push_back("E @" + std::to_string(off) + "+" + std::to_string(sep));
    }
    void on_part_begin(const part_info& p) override {
        flush();
        const char* k = p.kind == part_kind::leaf ? "leaf" : p.kind == part_kind::multipart ? "multi" : "msg";
        log.push_back("B " + p.type.mime_type() + " " + k + " d" + std::to_string(p.depth) + " #" +
                      std::to_string(p.index) + " h@" + std::to_string(p.header_offset) + " b@" +
                      std::to_string(p.body_offset) + " f" + std::to_string(p.defects));
        ranges.emplace_back(p.header_offset, p.body_offset - p.header_offset);
    }
    void on_body(std::string_view b, std::uint64_t off, body_section s) override {
        if (!body_open_ || s != body_section_ || off != body_off_ + body_len_) {
            flush();
            body_open_ = true;
            body_section_ = s;
            body_off_ = off;
            body_len_ = 0;
            body_.clear();
            hash_ = fnv({});
        }
        body_len_ += b.size();
        hash_ = fnv(b, hash_);
        if (keep_body_text && body_.size() < 400) body_.append(b.substr(0, 400 - body_.size()));
    }
    void on_boundary(std::uint64_t off, std::uint64_t len, bool close) override {
        flush();
        log.push_back(std::string(close ? "C" : "D") + " @" + std::to_string(off) + "+" + std::to_string(len));
        ranges.emplace_back(off, len);
    }
    void on_part_end(const part_end_info& e) override {
        flush();
        log.push_back("P d" + std::to_string(e.depth) + " end@" + std::to_string(e.end) + " f" +
                      std::to_string(e.defects));
    }
    void flush() {
        if (!body_open_) return;
        body_open_ = false;
        const char* s = body_section_ == body_section::content ? "body" :
                        body_section_ == body_section::preamble ? "pre" : "epi";
        log.push_back(std::string("T ") + s + " @" + std::to_string(body_off_) + "+" + std::to_string(body_len_) +
                      " #" + std::to_string(hash_) + (keep_body_text ? " " + escape(body_, 400) : ""));
        ranges.emplace_back(body_off_, body_len_);
    }
    std::string text() {
        flush();
        std::string out;
        for (auto& l : log) out += l + "\n";
        return out;
    }

private:
    bool body_open_ = false;
    body_section body_section_ = body_section::content;
    std::uint64_t body_off_ = 0, body_len_ = 0, hash_ = 0;
    std::string body_;
};

/// Parses pieces in order and returns the event log.
inline std::string parse_log(const pigeon::test::pieces& pieces, const parser_limits& lim = {},
                             bool keep_text = true) {
    recorder r;
    r.keep_body_text = keep_text;
    parser p(r, lim);
    for (auto s : pieces) p.feed(s);
    p.finish();
    return r.text() + "defects " + std::to_string(p.defects()) + " offset " + std::to_string(p.offset()) + "\n";
}

inline std::string parse_log(std::string_view whole, const parser_limits& lim = {}, bool keep_text = true) {
    return parse_log(pigeon::test::pieces{whole}, lim, keep_text);
}

} // namespace pigeon::mime::test
