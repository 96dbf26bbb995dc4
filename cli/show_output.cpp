// pigeon show: writing to standard output, terminal-safe text, and the
// small formatting helpers the views share.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "common.hpp"
#include "pigeon/mime/error.hpp"
#include "pigeon/mime/html_text.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {

namespace {
constexpr std::size_t k_max_held_line = 64 * 1024;
} // namespace

std::string part_label(const mime::entity& e) {
    std::string n = e.part_number();
    return n.empty() ? std::string("0") : n;
}

void write_out(std::string_view bytes) {
    while (!bytes.empty()) {
        std::size_t n = std::fwrite(bytes.data(), 1, bytes.size(), stdout);
        if (n == 0) {
            int err = errno;
            throw exit_error(exit_ioerr, std::string("writing to standard output: ") +
                                             (err ? std::strerror(err) : "write failed"));
        }
        bytes.remove_prefix(n);
    }
}

void finish_output() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        int err = errno;
        throw exit_error(exit_ioerr, std::string("writing to standard output: ") +
                                         (err ? std::strerror(err) : "write failed"));
    }
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

void buffer_bulk_output() {
    static char buffer[64 * 1024];
    if (!stdout_is_terminal()) std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
}

void escaped_text_writer::emit_line(std::string_view line, bool newline) {
    if (newline && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string out = printable(line);
    if (newline) out += '\n';
    write_out(out);
    wrote_ = true;
    at_line_start_ = newline;
}

void escaped_text_writer::write(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            pending_.append(text);
            if (pending_.size() >= k_max_held_line) flush_long();
            return;
        }
        if (pending_.empty()) {
            emit_line(text.substr(0, nl), true);
        } else {
            pending_.append(text.substr(0, nl));
            emit_line(pending_, true);
            pending_.clear();
        }
        text.remove_prefix(nl + 1);
    }
}

void escaped_text_writer::flush_long() {
    // Cut before an incomplete UTF-8 sequence or a CR that may precede LF.
    std::size_t cut = pending_.size();
    std::size_t i = cut;
    while (i > 0 && cut - i < 4 && (static_cast<unsigned char>(pending_[i - 1]) & 0xC0) == 0x80) --i;
    if (i > 0) {
        auto lead = static_cast<unsigned char>(pending_[i - 1]);
        std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (len > 1 && cut - (i - 1) < len) cut = i - 1;
    }
    if (cut > 0 && pending_[cut - 1] == '\r') --cut;
    if (cut == 0) return;
    emit_line(std::string_view(pending_).substr(0, cut), false);
    pending_.erase(0, cut);
}

void escaped_text_writer::finish() {
    if (!pending_.empty() || !at_line_start_) emit_line(pending_, true);
    pending_.clear();
}

std::string stream_body(const mime::message_reader& r, const mime::sink_fn& sink, bool& ok) {
    ok = true;
    if (const mime::entity* t = r.text_part()) {
        ok = mime::decode_text(r.msg(), *t, sink);
        return "text/plain";
    }
    if (const mime::entity* h = r.html_part()) {
        mime::html_text_converter conv;
        std::string buf;
        ok = mime::decode_text(r.msg(), *h, [&](std::string_view chunk) {
            buf.clear();
            conv.feed(chunk, buf);
            if (!buf.empty()) sink(buf);
        });
        buf.clear();
        conv.finish(buf);
        if (!buf.empty()) sink(buf);
        return "text/html";
    }
    return {};
}

std::string format_addresses(const mime::address_list& list) {
    std::string out;
    auto sep = [&] {
        if (!out.empty()) out += ", ";
    };
    for (const auto& a : list.items) {
        sep();
        if (a.is_group) {
            out += a.group_name + ":";
            for (std::size_t i = 0; i < a.mailboxes.size(); ++i) {
                out += i == 0 ? " " : ", ";
                out += a.mailboxes[i].to_string();
            }
            out += ";";
        } else {
            for (const auto& mb : a.mailboxes) out += mb.to_string();
        }
    }
    for (const auto& e : list.errors) {
        sep();
        out += e;
    }
    return out;
}

std::vector<std::string> defect_names(std::uint32_t d) {
    static constexpr struct {
        std::uint32_t flag;
        const char* name;
    } names[] = {
        {mime::missing_close_boundary, "missing_close_boundary"},
        {mime::missing_header_separator, "missing_header_separator"},
        {mime::header_limit, "header_limit"},
        {mime::depth_limit, "depth_limit"},
        {mime::part_limit, "part_limit"},
        {mime::boundary_too_long, "boundary_too_long"},
        {mime::missing_boundary, "missing_boundary"},
        {mime::long_line, "long_line"},
        {mime::unterminated_header, "unterminated_header"},
        {mime::orphan_continuation, "orphan_continuation"},
        {mime::bad_content_type, "bad_content_type"},
        {mime::missing_first_boundary, "missing_first_boundary"},
        {mime::encoded_message, "encoded_message"},
    };
    std::vector<std::string> out;
    std::uint32_t known = 0;
    for (const auto& n : names) {
        known |= n.flag;
        if (d & n.flag) out.emplace_back(n.name);
    }
    if (d & ~known) out.push_back("other");
    return out;
}

std::string format_size(std::uint64_t bytes) {
    std::string out = std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    if (bytes < 1024) return out;
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes) / 1024.0;
    std::size_t u = 0;
    while (v >= 1024.0 && u + 1 < std::size(units)) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.1f %s)", v, units[u]);
    return out + buf;
}

std::string enclosed_subject(const mime::entity& e) {
    if (!e.is_message() || e.children().empty()) return {};
    auto v = e.children().front()->headers().find("Subject");
    return v ? mime::decode_unstructured(*v) : std::string();
}

} // namespace pigeon::cli::show
