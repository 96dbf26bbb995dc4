#pragma once
// A stable text description of a parsed message (structure, decoded sizes
// and hashes, reader view), compared against tests/corpus/*.structure.
#include <cstdio>
#include <string>

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/reader.hpp>

#include "parse_support.hpp"

namespace pigeon::mime::test {

inline std::string hex32(std::uint64_t v) {
    char b[20];
    std::snprintf(b, sizeof b, "%08x", static_cast<unsigned>(v ^ (v >> 32)));
    return b;
}

inline std::string describe(const message& m) {
    std::string out;
    for (const entity& e : m.parts()) {
        out += std::string(2 * e.depth(), ' ');
        out += "part [" + e.part_number() + "] " + e.type().mime_type();
        out += e.is_multipart() ? " multipart" : e.is_message() ? " message" : " leaf";
        if (e.is_leaf()) {
            std::uint64_t h = fnv({});
            std::uint64_t n = 0;
            decode_body(m, e, [&](std::string_view b) {
                h = fnv(b, h);
                n += b.size();
            });
            out += " enc=" + std::string(to_string(e.encoding()));
            if (!e.charset().empty()) out += " charset=" + e.charset();
            if (!e.filename().empty()) out += " name=\"" + escape(e.filename()) + "\"";
            out += " decoded=" + std::to_string(n) + " fnv=" + hex32(h);
        } else if (e.is_multipart()) {
            out += " boundary=\"" + escape(e.type().boundary()) + "\" children=" + std::to_string(e.children().size());
        }
        if (e.defects()) out += " defects=" + std::to_string(e.defects());
        out += "\n";
    }
    message_reader r(m);
    out += "subject: " + escape(r.subject()) + "\n";
    auto list = [](const address_list& l) {
        std::string s;
        for (const auto& mb : l.mailboxes()) s += (s.empty() ? "" : ", ") + escape(mb.to_string());
        for (const auto& e : l.errors) s += (s.empty() ? "" : ", ") + std::string("!") + escape(e);
        return s;
    };
    out += "from: " + list(r.from()) + "\n";
    out += "to: " + list(r.to()) + "\n";
    auto d = r.date();
    out += "date: " + (d ? d->to_iso8601() : std::string("-")) + "\n";
    out += "text: " + (r.text_part() ? "[" + r.text_part()->part_number() + "] " + escape(r.text_body(), 60) : "-") + "\n";
    out += "html: " + (r.html_part() ? "[" + r.html_part()->part_number() + "] " + escape(r.html_body(), 60) : "-") + "\n";
    for (const auto& a : r.attachments()) {
        out += std::string(a.is_inline ? "inline" : "attachment") + ": [" + a.part->part_number() + "] " + a.mime_type;
        if (!a.filename.empty()) out += " name=\"" + escape(a.filename) + "\"";
        if (!a.content_id.empty()) out += " cid=" + escape(a.content_id);
        out += " size=" + std::to_string(decoded_size(m, *a.part)) + "\n";
    }
    out += "defects: " + std::to_string(m.defects()) + "\n";
    return out;
}

} // namespace pigeon::mime::test
