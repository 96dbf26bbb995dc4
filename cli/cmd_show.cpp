// pigeon show FILE|-: a message file as a reader wants it (decoded From, To,
// Cc, Date, Subject; the text body or the HTML reduced to text; the
// attachment list), or all headers (--headers), one part (--part N), the
// attachments saved (--save-attachments DIR), or the whole structure as
// JSON (--json). Parsing is streamed from the file, so memory stays bounded
// whatever the message size.
//
// Exit codes: 0 ok; 64 usage (also: no such part, binary part to a
// terminal); 65 empty input; 66 file missing or unreadable; 73 DIR cannot
// be created or written; 74 I/O error while reading or writing.
#include <memory>
#include <string>

#include "command.hpp"
#include "common.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

const registrar show_cmd{command_info{
    "show",
    "Show a message file: headers, text, attachments; one part; saved attachments; JSON",
    [](CLI::App& sub) -> std::function<int()> {
        struct state {
            std::string file;
            bool headers = false;
            std::string part;
            std::string save_dir;
            bool json = false;
        };
        auto s = std::make_shared<state>();
        sub.add_option("file", s->file, "Message file (RFC 5322 / MIME), or - for standard input")->required();
        auto* headers = sub.add_flag("--headers", s->headers,
                                     "Show every header field (unfolded, decoded) instead of From/To/Cc/Date/Subject");
        auto* part = sub.add_option("--part", s->part,
                                    "Print the decoded content of part N (numbers as in the attachment list and "
                                    "--json: 1, 2.1, ...; 0 is the whole message)")
                         ->type_name("N");
        auto* save = sub.add_option("--save-attachments", s->save_dir,
                                    "Save every attachment and inline part into DIR (created if missing; "
                                    "never overwrites)")
                         ->type_name("DIR");
        auto* json = sub.add_flag("--json", s->json, "Print the whole structure as one JSON document");
        part->excludes(headers)->excludes(save)->excludes(json);
        save->excludes(headers)->excludes(json);
        json->excludes(headers);
        return [s, part, save]() -> int {
            mime::message m = show::load_message(s->file);
            int rc = exit_ok;
            if (part->count() > 0) rc = show::print_part(m, s->part);
            else if (save->count() > 0) rc = show::save_attachments(m, s->save_dir);
            else if (s->json) rc = show::print_json(m);
            else rc = show::print_view(m, s->headers);
            show::finish_output();
            return rc;
        };
    },
    {}}};

} // namespace
} // namespace pigeon::cli
