#pragma once
// Shared by the destination_*_test.cpp files: a temporary directory, file
// helpers, an independent SHA-256 and CRLF -> LF, a naive mboxrd reader,
// and a sample message with every line-end case.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <openssl/sha.h>

#include "pigeon/store/destination.hpp"

namespace pigeon::test {

namespace fs = std::filesystem;

/// A fresh directory under $TMPDIR (or /tmp), removed with its content.
class temp_dir {
public:
    temp_dir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base && *base ? base : "/tmp") + "/pigeon-store-XXXXXX";
        if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
        path_ = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }

private:
    std::string path_;
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, std::string_view data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

/// Names in a directory, sorted; [] when it does not exist.
inline std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

inline std::string sha256_of(std::string_view data) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    std::ostringstream out;
    static const char* digits = "0123456789abcdef";
    for (unsigned char c : md) out << digits[c >> 4] << digits[c & 15];
    return out.str();
}

/// The reference CRLF -> LF: a CR immediately followed by LF is dropped.
inline std::string lf_of(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
    return out;
}

/// The reference LF -> CRLF.
inline std::string crlf_of(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

/// Every line-end case: CRLF, bare LF, lone CR, CR CR LF, NUL, "From "
/// lines, no final line end (a lone CR last).
inline std::string sample_message() {
    using namespace std::string_literals;
    return "Return-Path: <a@example.org>\r\n"
           "From: A <a@example.org>\r\n"
           "Subject: line ends\r\n"
           "\r\n"
           "CRLF line\r\n"
           "bare LF line\n"
           "lone CR\rinside\r\n"
           "double CR\r\r\n"
           "From the start\r\n"
           ">From quoted\r\n"
           "NUL \0 byte\r\n"
           "last line, a lone CR\r"s;
}

struct delivered {
    std::error_code ec;  ///< the first error (begin, write or commit)
    std::string location;
    std::uint64_t bytes = 0;
    std::string sha;
};

/// begin(), write() each piece, commit(), sync() (a Maildir renames at sync()).
inline delivered deliver(store::destination& dest, const store::message_meta& meta,
                         const std::vector<std::string_view>& pieces) {
    delivered out;
    auto d = dest.begin(meta, out.ec);
    if (out.ec || !d) return out;
    for (auto p : pieces) {
        d->write(p, out.ec);
        if (out.ec) return out;
    }
    d->commit(out.ec);
    if (!out.ec) dest.sync(out.ec);
    out.location = d->location();
    out.bytes = d->bytes_written();
    out.sha = d->sha256_hex();
    return out;
}

inline delivered deliver(store::destination& dest, const store::message_meta& meta, std::string_view whole) {
    return deliver(dest, meta, std::vector<std::string_view>{whole});
}

struct mbox_message {
    std::uint64_t offset = 0;
    std::string from_line;  ///< without its "\n"
    std::string body;       ///< unquoted, the separating blank line removed
};

/// A naive mboxrd reader: a message starts with a "From " line at the start
/// of the file or after a blank line; ^>+From  lines lose one '>'.
inline std::vector<mbox_message> read_mboxrd(std::string_view data) {
    std::vector<mbox_message> out;
    std::size_t pos = 0;
    bool prev_blank = true;
    while (pos < data.size()) {
        const auto nl = data.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? data.size() : nl + 1;
        std::string_view line = data.substr(pos, end - pos);
        if (prev_blank && line.substr(0, 5) == "From ") {
            mbox_message m;
            m.offset = pos;
            m.from_line = std::string(line.substr(0, line.size() - (line.back() == '\n' ? 1 : 0)));
            out.push_back(m);
        } else if (!out.empty()) {
            const auto first = line.find_first_not_of('>');
            if (first != std::string_view::npos && first > 0 && line.substr(first, 5) == "From ")
                line.remove_prefix(1);
            out.back().body += line;
        }
        prev_blank = line == "\n";
        pos = end;
    }
    for (auto& m : out)
        if (m.body.size() >= 1 && m.body.back() == '\n') m.body.pop_back();  // the blank line
    return out;
}

} // namespace pigeon::test
