// pigeon show --json: the whole structure as one JSON document.
//
// {
//   "subject": "...", "from": [{"name": "...", "address": "..."}], "to", "cc",
//   "bcc", "reply_to": same shape (members of a group carry "group"),
//   "date": "2024-01-04T12:00:00+00:00" | null, "date_header": "..." | null,
//   "message_id": "..." | null,
//   "headers": [{"name": "...", "value": "unfolded, decoded"}],
//   "defects": ["missing_close_boundary", ...],
//   "parts": [{"part": "0", "content_type": "multipart/mixed", "kind":
//     "multipart"|"message"|"leaf", "depth", "charset", "filename",
//     "disposition", "content_id", "transfer_encoding", "encoded_size",
//     "decoded_size" (null for multiparts), "defects": [...]}, ...],
//   "text_part": "1" | null, "html_part": "2" | null,
//   "attachments": [{"part", "filename", "content_type", "size", "inline",
//     "content_id"}],
//   "text_source": "text/plain" | "text/html" | null,
//   "text": "the text body, or the HTML reduced to text"
// }
//
// The document is written member by member (parts and attachments one at a
// time, "text" last and streamed), so neither many parts nor a huge text
// part have to fit in memory at once.
#include <unordered_map>
#include <string>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "pigeon/mime/charset.hpp"
#include "pigeon/mime/reader.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {
namespace {

using json = nlohmann::ordered_json;

json string_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json addresses(const mime::address_list& list) {
    json arr = json::array();
    for (const auto& a : list.items) {
        for (const auto& mb : a.mailboxes) {
            json o = {{"name", mb.display_name}, {"address", mb.address()}};
            if (a.is_group) o["group"] = a.group_name;
            arr.push_back(std::move(o));
        }
    }
    return arr;
}

json part_json(const mime::entity& e, std::uint64_t decoded) {
    json p;
    p["part"] = part_label(e);
    p["content_type"] = e.type().mime_type();
    p["kind"] = e.is_multipart() ? "multipart" : e.is_message() ? "message" : "leaf";
    p["depth"] = e.depth();
    p["charset"] = string_or_null(e.charset());
    p["filename"] = string_or_null(e.filename());
    p["disposition"] = string_or_null(e.disposition().type);
    p["content_id"] = string_or_null(e.content_id());
    p["transfer_encoding"] = std::string(mime::to_string(e.encoding()));
    p["encoded_size"] = e.body_range().length;
    p["decoded_size"] = e.is_multipart() ? json(nullptr) : json(decoded);
    p["defects"] = defect_names(e.defects());
    return p;
}

// Appends s as the inside of a JSON string.
void escape_into(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20 || u == 0x7f) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 15];
            } else {
                out += c;
            }
        }
    }
}

// Writes one JSON object member by member, so that the parts and
// attachments arrays are streamed instead of built as one document (a
// message may have 10 000 parts). The layout is that of dump(2).
class object_writer {
public:
    object_writer() { write_out("{"); }
    void member(std::string_view key, const json& value) {
        start(key);
        write_out(indented(value, 2));
    }
    void begin_array(std::string_view key) {
        start(key);
        write_out("[");
        first_item_ = true;
    }
    void item(const json& value) {
        write_out(first_item_ ? "\n    " : ",\n    ");
        write_out(indented(value, 4));
        first_item_ = false;
    }
    void end_array() { write_out(first_item_ ? "]" : "\n  ]"); }
    /// Starts a string member whose contents the caller writes (escaped).
    void begin_string(std::string_view key) {
        start(key);
        write_out("\"");
    }
    void end_string() { write_out("\""); }
    void end() { write_out(first_ ? "}\n" : "\n}\n"); }

private:
    void start(std::string_view key) {
        write_out(first_ ? "\n  " : ",\n  ");
        first_ = false;
        write_out(json(std::string(key)).dump() + ": ");
    }
    static std::string indented(const json& value, std::size_t by) {
        std::string d = value.dump(2, ' ', false, json::error_handler_t::replace);
        std::string out;
        out.reserve(d.size());
        for (char c : d) {
            out += c;
            if (c == '\n') out.append(by, ' ');
        }
        return out;
    }
    bool first_ = true;
    bool first_item_ = true;
};

} // namespace

int print_json(const mime::message& m, const json& extra) {
    mime::message_reader r(m);
    const mime::entity& root = *m.root();
    object_writer w;
    if (extra.is_object())
        for (const auto& [key, value] : extra.items()) w.member(key, value);
    w.member("subject", r.subject());
    w.member("from", addresses(r.from()));
    w.member("to", addresses(r.to()));
    w.member("cc", addresses(r.cc()));
    w.member("bcc", addresses(r.bcc()));
    w.member("reply_to", addresses(r.reply_to()));
    json bad = json::object();
    for (const char* name : {"From", "To", "Cc", "Bcc", "Reply-To"}) {
        auto l = r.addresses(name);
        if (!l.errors.empty()) bad[name] = l.errors;
    }
    if (!bad.empty()) w.member("address_errors", bad);
    auto date = r.date();
    w.member("date", date ? json(date->to_iso8601()) : json(nullptr));
    auto date_raw = root.headers().find("Date");
    w.member("date_header", date_raw ? json(mime::decode_unstructured(*date_raw)) : json(nullptr));
    w.member("message_id", string_or_null(r.message_id()));

    json headers = json::array();
    for (mime::header_field f : root.headers())
        headers.push_back({{"name", std::string(f.name)}, {"value", mime::decode_unstructured(f.value)}});
    w.member("headers", headers);
    w.member("defects", defect_names(m.defects()));

    std::unordered_map<const mime::entity*, std::uint64_t> sizes;
    w.begin_array("parts");
    for (const mime::entity& e : m.parts()) {
        std::uint64_t n = e.is_multipart() ? 0 : mime::decoded_size(m, e);
        sizes[&e] = n;
        w.item(part_json(e, n));
    }
    w.end_array();
    w.member("text_part", r.text_part() ? json(part_label(*r.text_part())) : json(nullptr));
    w.member("html_part", r.html_part() ? json(part_label(*r.html_part())) : json(nullptr));
    w.begin_array("attachments");
    for (const auto& a : r.attachments()) {
        w.item({{"part", part_label(*a.part)},
                {"filename", string_or_null(a.filename)},
                {"content_type", a.mime_type},
                {"size", sizes[a.part]},
                {"inline", a.is_inline},
                {"content_id", string_or_null(a.content_id)}});
    }
    w.end_array();
    std::string source_type;
    if (r.text_part()) source_type = "text/plain";
    else if (r.html_part()) source_type = "text/html";
    w.member("text_source", string_or_null(source_type));

    // The text last, streamed.
    w.begin_string("text");
    std::string buf;
    bool ok = true;
    stream_body(r,
                [&buf](std::string_view chunk) {
                    buf.clear();
                    if (mime::is_valid_utf8(chunk)) escape_into(buf, chunk);
                    else escape_into(buf, mime::sanitize_utf8(chunk));
                    write_out(buf);
                },
                ok);
    w.end_string();
    w.end();
    if (!ok) throw exit_error(exit_ioerr, "reading the message failed: " + m.src().error().message());
    return exit_ok;
}

} // namespace pigeon::cli::show
