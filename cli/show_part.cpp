// pigeon show --part N: one part's decoded content on standard output.
//
// - text/* parts: converted to UTF-8 from their charset; on a terminal
//   every line goes through printable(), elsewhere the UTF-8 is written as is.
// - other leaf parts: the transfer-decoded bytes, only when standard output
//   is not a terminal (binary data would garble it, and could carry escape
//   sequences); on a terminal pigeon refuses (exit 64) and says how to save it.
// - message/rfc822 and multipart parts: their MIME text as stored (pipe it
//   into `pigeon show -`), escaped on a terminal.
#include <string>

#include "common.hpp"
#include "pigeon/mime/reader.hpp"
#include "show_common.hpp"

namespace pigeon::cli::show {
namespace {

bool valid_part_number(const std::string& n) {
    if (n.empty()) return false;
    bool digit = false;
    for (char c : n) {
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c == '.' && digit) {
            digit = false;
        } else {
            return false;
        }
    }
    return digit;
}

std::string known_parts(const mime::message& m) {
    std::string out;
    std::size_t n = 0;
    for (const mime::entity& e : m.parts()) {
        if (++n > 30) {
            out += ", ...";
            break;
        }
        if (!out.empty()) out += ", ";
        out += part_label(e);
    }
    return out;
}

} // namespace

int print_part(const mime::message& m, const std::string& number) {
    if (!valid_part_number(number))
        throw exit_error(exit_usage, "--part wants a part number such as 1 or 2.1 (0 is the whole message), not '" +
                                         printable(number) + "'");
    const mime::entity* e = m.find_part(number == "0" ? std::string() : number);
    if (!e)
        throw exit_error(exit_usage, "this message has no part " + printable(number) + " (its parts: " +
                                         known_parts(m) + ")");
    const bool terminal = stdout_is_terminal();
    bool ok = true;
    if (e->is_leaf() && !e->type().is_text() && terminal) {
        const std::string label = part_label(*e);
        throw exit_error(exit_usage,
                         "part " + label + " is " + printable(e->type().mime_type()) + ", " +
                             format_size(mime::decoded_size(m, *e)) +
                             ": not written to a terminal; redirect standard output (pigeon show --part " + label +
                             " FILE > out) or use --save-attachments DIR");
    }
    if (terminal) {
        escaped_text_writer w;
        auto sink = [&w](std::string_view b) { w.write(b); };
        ok = e->is_leaf() ? mime::decode_text(m, *e, sink) : mime::decode_body(m, *e, sink);
        w.finish();
    } else {
        auto sink = [](std::string_view b) { write_out(b); };
        ok = e->is_leaf() && e->type().is_text() ? mime::decode_text(m, *e, sink) : mime::decode_body(m, *e, sink);
    }
    if (!ok) throw exit_error(exit_ioerr, "reading the message failed: " + m.src().error().message());
    return exit_ok;
}

} // namespace pigeon::cli::show
