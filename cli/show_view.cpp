// pigeon show (default and --headers): the message as a reader wants it.
//
//   From: Alice <alice@example.org>
//   To: bob@example.net
//   Date: Thu, 04 Jan 2024 12:00:00 +0000
//   Subject: Report
//
//   See the attached report.
//
//   Attachments:
//     [2] "report.pdf" application/pdf, 2048 bytes (2.0 KiB)
//     [1.2.2] image/png, 108 bytes, inline, cid:logo@example.com
//
// Everything taken from the message goes through printable(), so no
// control character (a terminal escape) reaches the terminal.
#include <algorithm>
#include <string>

#include "common.hpp"
#include "pigeon/mime/header.hpp"
#include "pigeon/mime/reader.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {
namespace {

// A value shown inside double quotes: printable, with '"' and '\' escaped.
std::string quote_value(std::string_view text) {
    std::string escaped;
    for (char c : text) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    return "\"" + printable(escaped) + "\"";
}

std::string summary_headers(const mime::message& m, const mime::message_reader& r) {
    std::string out;
    const mime::header_list& h = m.root()->headers();
    auto line = [&](std::string_view label, const std::string& value) {
        if (value.empty()) return;
        out += label;
        out += printable(value);
        out += '\n';
    };
    if (h.find("From")) line("From: ", format_addresses(r.from()));
    if (h.find("To")) line("To: ", format_addresses(r.to()));
    if (h.find("Cc")) line("Cc: ", format_addresses(r.cc()));
    if (auto d = h.find("Date")) {
        auto parsed = r.date();
        line("Date: ", parsed ? parsed->to_string() : mime::decode_unstructured(*d));
    }
    if (h.find("Subject")) line("Subject: ", r.subject());
    return out;
}

std::string all_headers(const mime::message& m) {
    std::string out;
    for (mime::header_field f : m.root()->headers()) {
        out += printable(f.name);
        out += ": ";
        std::string value = mime::decode_unstructured(f.value);
        std::replace(value.begin(), value.end(), '\t', ' '); // folding blanks read as spaces
        out += printable(value);
        out += '\n';
    }
    return out;
}

std::string attachment_line(const mime::message& m, const mime::attachment_info& a) {
    std::string s = "  [" + printable(part_label(*a.part)) + "] ";
    if (!a.filename.empty()) s += quote_value(a.filename) + " ";
    s += printable(a.mime_type);
    s += ", " + format_size(mime::decoded_size(m, *a.part));
    if (a.is_inline) s += ", inline";
    if (!a.content_id.empty()) s += ", cid:" + printable(a.content_id);
    if (a.part->is_message()) {
        std::string subject = enclosed_subject(*a.part);
        if (!subject.empty()) s += ", subject " + quote_value(subject);
    }
    return s + "\n";
}

} // namespace

int print_view(const mime::message& m, bool headers) {
    mime::message_reader r(m);
    std::string head = headers ? all_headers(m) : summary_headers(m, r);
    if (!head.empty()) {
        head += '\n';
        write_out(head);
    }
    escaped_text_writer w;
    bool ok = true;
    stream_body(r, [&w](std::string_view b) { w.write(b); }, ok);
    w.finish();
    if (!ok) throw exit_error(exit_ioerr, "reading the message failed: " + m.src().error().message());
    if (!r.attachments().empty()) {
        write_out(w.wrote() ? "\nAttachments:\n" : "Attachments:\n");
        for (const auto& a : r.attachments()) write_out(attachment_line(m, a));
    }
    return exit_ok;
}

} // namespace pigeon::cli::show
