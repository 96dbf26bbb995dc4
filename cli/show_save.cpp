// pigeon show --save-attachments DIR: every attachment and inline part
// (what the attachment list shows) decoded into DIR, streamed.
//
// File names come from the message, so they are hostile until proven
// otherwise. The name used is:
//   - the last component of the name after '/' or '\' ("../../etc/passwd"
//     -> "passwd", "C:\dir\a.pdf" -> "a.pdf");
//   - with control characters (C0, DEL, C1), bidirectional overrides and
//     invalid UTF-8 replaced by '_';
//   - with runs of dots reduced to one, and leading dots, blanks and '-'
//     and trailing dots and blanks removed;
//   - at most 200 bytes (cut at a character boundary, keeping a short
//     extension);
//   - "part-N.ext" when nothing is left (or the part names no file), ext
//     from the media type (.eml, .txt, .html, .png, .jpg, .gif, .pdf) or .bin.
// Files are created with O_EXCL|O_NOFOLLOW relative to DIR's descriptor and
// never overwrite anything: a taken name gets "-1", "-2", ... before its
// extension. DIR is created if missing; exit 73 when it (or a file in it)
// cannot be created, 74 when writing fails midway (the partial file is
// removed).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "common.hpp"
#include "pigeon/mime/reader.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {
namespace {

constexpr std::size_t k_max_name = 200;
constexpr std::size_t k_max_extension = 16;
constexpr int k_max_suffix = 9999;

// Length of the valid UTF-8 sequence at s[i] (0 if invalid).
std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c < 0xE0) ? 2 : (c >= 0xE0 && c < 0xF0) ? 3 : (c >= 0xF0 && c < 0xF5) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    auto c1 = static_cast<unsigned char>(s[i + 1 < s.size() ? i + 1 : i]);
    if (len == 3 && c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (len == 3 && c == 0xED && c1 >= 0xA0) return 0; // surrogate
    if (len == 4 && c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (len == 4 && c == 0xF4 && c1 >= 0x90) return 0; // past U+10FFFF
    return len;
}

// C1 controls, and the invisible marks that reorder or hide text
// (U+200E/F, U+202A..U+202E, U+2066..U+2069): "evil\u202Efdp.exe".
bool unsafe_sequence(std::string_view seq) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(seq[k]); };
    if (seq.size() == 2) return b(0) == 0xC2 && b(1) < 0xA0;
    if (seq.size() == 3 && b(0) == 0xE2 && b(1) == 0x80) return b(2) == 0x8E || b(2) == 0x8F || (b(2) >= 0xAA && b(2) <= 0xAE);
    if (seq.size() == 3 && b(0) == 0xE2 && b(1) == 0x81) return b(2) >= 0xA6 && b(2) <= 0xA9;
    return false;
}

std::string fallback_name(const mime::entity& e) {
    const mime::content_type& t = e.type();
    const char* ext = ".bin";
    if (e.is_message()) ext = ".eml";
    else if (t.is("text", "plain")) ext = ".txt";
    else if (t.is("text", "html")) ext = ".html";
    else if (t.is("image", "png")) ext = ".png";
    else if (t.is("image", "jpeg")) ext = ".jpg";
    else if (t.is("image", "gif")) ext = ".gif";
    else if (t.is("application", "pdf")) ext = ".pdf";
    return "part-" + part_label(e) + ext;
}

// Splits name into stem and extension (".pdf"); no extension when it would
// be the whole name or is long.
std::pair<std::string, std::string> split_extension(const std::string& name) {
    auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0 || name.size() - dot > k_max_extension) return {name, {}};
    return {name.substr(0, dot), name.substr(dot)};
}

void cut_utf8(std::string& s, std::size_t max) {
    if (s.size() <= max) return;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
}

} // namespace

std::string sanitize_filename(std::string_view name, const std::string& fallback) {
    if (auto sep = name.find_last_of("/\\"); sep != std::string_view::npos) name.remove_prefix(sep + 1);
    std::string clean;
    for (std::size_t i = 0; i < name.size();) {
        std::size_t len = utf8_length(name, i);
        if (len == 0) {
            clean += '_';
            ++i;
            continue;
        }
        std::string_view seq = name.substr(i, len);
        auto c = static_cast<unsigned char>(seq[0]);
        i += len;
        if ((len == 1 && (c < 0x20 || c == 0x7F)) || unsafe_sequence(seq)) clean += '_';
        else if (seq == "." && !clean.empty() && clean.back() == '.') continue; // no ".."
        else clean.append(seq);
    }
    std::size_t start = clean.find_first_not_of(". \t-");
    if (start == std::string::npos) return fallback;
    clean.erase(0, start);
    while (!clean.empty() && (clean.back() == '.' || clean.back() == ' ' || clean.back() == '\t')) clean.pop_back();
    if (clean.size() > k_max_name) {
        auto [stem, ext] = split_extension(clean);
        cut_utf8(stem, k_max_name - ext.size());
        clean = stem + ext;
    }
    return clean.empty() ? fallback : clean;
}

namespace {

struct created_file {
    int fd = -1;
    std::string name;
};

created_file create_unique(int dir_fd, const std::string& dir_shown, const std::string& base) {
    auto [stem, ext] = split_extension(base);
    for (int n = 0; n <= k_max_suffix; ++n) {
        std::string name = n == 0 ? base : stem + "-" + std::to_string(n) + ext;
        int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) return {fd, name};
        if (errno == EEXIST) continue;
        throw exit_error(exit_cantcreat,
                         "cannot create " + printable(dir_shown + name) + ": " + std::strerror(errno));
    }
    throw exit_error(exit_cantcreat, "cannot create " + printable(dir_shown + base) + ": every numbered name is taken");
}

void write_all(int fd, std::string_view b) {
    while (!b.empty()) {
        ssize_t w = ::write(fd, b.data(), b.size());
        if (w < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category());
        }
        b.remove_prefix(static_cast<std::size_t>(w));
    }
}

} // namespace

int save_attachments(const mime::message& m, const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw exit_error(exit_cantcreat, "cannot create the directory " + printable(dir) + ": " + ec.message());
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) throw exit_error(exit_cantcreat, "cannot open the directory " + printable(dir) + ": " + std::strerror(errno));
    struct dir_closer {
        int fd;
        ~dir_closer() { ::close(fd); }
    } closer{dir_fd};
    const std::string dir_shown = dir.empty() || dir.back() == '/' ? dir : dir + "/";

    mime::message_reader r(m);
    if (r.attachments().empty()) {
        write_out("no attachments to save\n");
        return exit_ok;
    }
    for (const auto& a : r.attachments()) {
        const std::string label = part_label(*a.part);
        created_file f = create_unique(dir_fd, dir_shown, sanitize_filename(a.filename, fallback_name(*a.part)));
        std::uint64_t size = 0;
        bool read_ok = true;
        try {
            read_ok = mime::decode_body(m, *a.part, [&](std::string_view b) {
                write_all(f.fd, b);
                size += b.size();
            });
            if (::close(f.fd) != 0) {
                f.fd = -1;
                throw std::system_error(errno, std::generic_category());
            }
            f.fd = -1;
        } catch (const std::system_error& e) {
            if (f.fd >= 0) ::close(f.fd);
            ::unlinkat(dir_fd, f.name.c_str(), 0);
            throw exit_error(exit_ioerr, "writing " + printable(dir_shown + f.name) + ": " + e.code().message());
        }
        if (!read_ok) {
            ::unlinkat(dir_fd, f.name.c_str(), 0);
            throw exit_error(exit_ioerr, "reading the message failed: " + m.src().error().message());
        }
        std::string line = "saved part " + printable(label) + " to " + printable(dir_shown + f.name) + ", " +
                           format_size(size);
        if (!a.filename.empty() && a.filename != f.name) line += " (named \"" + printable(a.filename) + "\" in the message)";
        write_out(line + "\n");
    }
    return exit_ok;
}

} // namespace pigeon::cli::show
