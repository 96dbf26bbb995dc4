#include <pigeon/mime/reader.hpp>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <pigeon/mime/charset.hpp>
#include <pigeon/mime/rfc2047.hpp>
#include <pigeon/mime/error.hpp>
#include <pigeon/mime/transfer_decoder.hpp>

#include "detail/ascii.hpp"

namespace pigeon::mime {

namespace {

constexpr std::size_t k_slice = 64 * 1024;     // reads from a file source
constexpr std::size_t k_dec_slice = 16 * 1024; // decoder input per step

bool body_candidate(const entity& e) {
    content_disposition d = e.disposition();
    if (d.is_attachment()) return false;
    if (!d.is_inline() && !e.filename().empty()) return false;
    return true;
}

} // namespace

bool decode_body(const message& m, const entity& e, const sink_fn& sink) {
    const source& src = m.src();
    if (!e.is_leaf() || is_identity(e.encoding()) || e.encoding() == transfer_encoding::uuencode)
        return src.read_range(e.body_range(), sink, k_slice);
    // Decode in slices through a stack buffer: no allocation per body.
    transfer_decoder dec(e.encoding());
    char out[transfer_decoder::max_output(k_dec_slice)];
    bool ok = src.read_range(
        e.body_range(),
        [&](std::string_view chunk) {
            while (!chunk.empty()) {
                std::string_view s = chunk.substr(0, k_dec_slice);
                std::size_t n = dec.feed(s, out);
                if (n) sink(std::string_view(out, n));
                chunk.remove_prefix(s.size());
            }
        },
        k_slice);
    std::size_t n = dec.finish(out);
    if (n) sink(std::string_view(out, n));
    return ok;
}

bool decode_text(const message& m, const entity& e, const sink_fn& sink) {
    charset_decoder cd(e.charset());
    std::string buf;
    bool ok = decode_body(m, e, [&](std::string_view chunk) {
        buf.clear();
        cd.feed(chunk, buf);
        if (!buf.empty()) sink(buf);
    });
    buf.clear();
    cd.finish(buf);
    if (!buf.empty()) sink(buf);
    return ok;
}

std::uint64_t decoded_size(const message& m, const entity& e) {
    std::uint64_t n = 0;
    decode_body(m, e, [&n](std::string_view b) { n += b.size(); });
    return n;
}

std::error_code save_part(const message& m, const entity& e, const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return {errno, std::generic_category()};
    std::error_code ec;
    bool ok = decode_body(m, e, [&](std::string_view b) {
        while (!ec && !b.empty()) {
            ssize_t w = ::write(fd, b.data(), b.size());
            if (w < 0) {
                if (errno == EINTR) continue;
                ec.assign(errno, std::generic_category());
                return;
            }
            b.remove_prefix(static_cast<std::size_t>(w));
        }
    });
    if (::close(fd) != 0 && !ec) ec.assign(errno, std::generic_category());
    if (!ec && !ok) ec = m.src().error() ? m.src().error() : make_error_code(errc::io_error);
    return ec;
}

message_reader::message_reader(const message& m) : m_(m) {
    if (m.root()) walk(*m.root(), false, false, false);
}

void message_reader::walk(const entity& e, bool in_alternative, bool in_related, bool is_related_root) {
    auto add_attachment = [&](const entity& p, bool inl) {
        attachment_info a;
        a.part = &p;
        a.filename = p.filename();
        a.mime_type = p.type().mime_type();
        a.content_id = p.content_id();
        a.encoded_size = p.body_range().length;
        a.is_inline = inl;
        attachments_.push_back(std::move(a));
    };
    if (e.is_message()) {
        if (e.depth() == 0) {
            for (const entity* c : e.children()) walk(*c, false, false, false);
            return;
        }
        add_attachment(e, e.disposition().is_inline());
        return;
    }
    if (e.is_multipart()) {
        const content_type& t = e.type();
        const auto& kids = e.children();
        if (t.subtype == "alternative") {
            const entity* before_text = text_;
            const entity* before_html = html_;
            const entity* alt_text = nullptr;
            const entity* alt_html = nullptr;
            for (const entity* c : kids) {
                text_ = nullptr;
                html_ = nullptr;
                if (c->is_leaf() && c->type().is("text", "plain") && body_candidate(*c)) alt_text = c;
                else if (c->is_leaf() && c->type().is("text", "html") && body_candidate(*c)) alt_html = c;
                else if (c->is_multipart()) {
                    walk(*c, true, false, false);
                    if (text_) alt_text = text_;
                    if (html_) alt_html = html_;
                } else {
                    add_attachment(*c, false);
                }
            }
            text_ = before_text ? before_text : alt_text;
            html_ = before_html ? before_html : alt_html;
            return;
        }
        if (t.subtype == "related" && !kids.empty()) {
            const entity* root = kids.front();
            if (auto start = t.params.get("start")) {
                std::string_view s = detail::trim(*start);
                if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
                for (const entity* c : kids)
                    if (c->content_id() == s) { root = c; break; }
            }
            walk(*root, in_alternative, true, true);
            for (const entity* c : kids)
                if (c != root) {
                    if (c->is_multipart()) walk(*c, in_alternative, true, false);
                    else add_attachment(*c, !c->disposition().is_attachment());
                }
            return;
        }
        if (t.subtype == "encrypted") {
            for (const entity* c : kids) add_attachment(*c, false);
            return;
        }
        for (const entity* c : kids) walk(*c, in_alternative, in_related, false);
        return;
    }
    // leaf
    const content_type& t = e.type();
    const bool text_like = t.is("text", "plain") || t.is("text", "html");
    if (text_like && body_candidate(e) && (!in_related || is_related_root || t.is("text", "html"))) {
        if (t.is("text", "plain") && !text_) { text_ = &e; return; }
        if (t.is("text", "html") && !html_) { html_ = &e; return; }
    }
    content_disposition d = e.disposition();
    add_attachment(e, d.is_inline() || (in_related && !is_related_root && !d.is_attachment()));
}

std::string message_reader::subject() const { return header_text("Subject"); }

std::string message_reader::header_text(std::string_view name) const {
    if (!m_.root()) return {};
    auto v = m_.root()->headers().find(name);
    return v ? decode_unstructured(*v) : std::string();
}

address_list message_reader::addresses(std::string_view header_name) const {
    address_list out;
    if (!m_.root()) return out;
    for (std::string_view v : m_.root()->headers().find_all(header_name)) {
        address_list l = parse_address_list(v);
        for (auto& a : l.items) out.items.push_back(std::move(a));
        for (auto& e : l.errors) out.errors.push_back(std::move(e));
    }
    return out;
}

std::optional<date_time> message_reader::date() const {
    if (!m_.root()) return std::nullopt;
    auto v = m_.root()->headers().find("Date");
    return v ? parse_date(*v) : std::nullopt;
}

std::string message_reader::message_id() const {
    if (!m_.root()) return {};
    std::string v = m_.root()->headers().get("Message-ID");
    std::string_view s = detail::trim(v);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return detail::scrub_controls(sanitize_utf8(s));
}

std::string message_reader::text_body() const {
    std::string out;
    if (text_) decode_text(m_, *text_, [&out](std::string_view b) { out.append(b); });
    return out;
}

std::string message_reader::html_body() const {
    std::string out;
    if (html_) decode_text(m_, *html_, [&out](std::string_view b) { out.append(b); });
    return out;
}

} // namespace pigeon::mime
