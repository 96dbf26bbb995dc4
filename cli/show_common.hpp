#pragma once
// pigeon show: what its parts (input, views, JSON, saving) share.
//
// Part numbers are entity::part_number() as the parser defines them: the
// top-level entity is "0" (the parser's "" and "0" both find it); its
// children are 1, 2, ...; a child's children 2.1, 2.2, ...; the message
// inside a message/rfc822 part N is N.1. Unlike IMAP, containers get their
// own numbers too, so every part listed by --json can be asked for.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pigeon/mime/address.hpp"
#include "pigeon/mime/entity.hpp"
#include "pigeon/mime/reader.hpp"

namespace pigeon::cli::show {

/// The message named on the command line ("-": standard input), parsed
/// from a file in bounded memory. Throws exit_error: 66 when the file is
/// missing or unreadable, 65 when it is empty, 74 on a read error.
mime::message load_message(const std::string& name);

/// An unlinked read-write file in $TMPDIR (or /tmp); throws exit_error(74).
int open_temp_file();
/// The message in the regular file fd (taken over, closed on error), parsed
/// in bounded memory; what names it in messages. Throws exit_error: 65 when
/// it is empty, 74 on a read error.
mime::message parse_message_fd(int fd, const std::string& what);

/// "0" for the root, else entity::part_number().
std::string part_label(const mime::entity& e);

/// Writes bytes to standard output, remembering a failure (checked by
/// finish_output()).
void write_out(std::string_view bytes);
/// Flushes standard output; throws exit_error(74) if any write failed.
void finish_output();
/// True when standard output is a terminal.
bool stdout_is_terminal();
/// A 64 KB buffer for standard output when it is not a terminal, for
/// commands that write a whole listing at once (a 4 KB stdio buffer was a
/// write(2) per 4 KB: a thousand for `list --all --json` of 10,000
/// messages). Call before anything is written to standard output.
void buffer_bulk_output();

/// Text (UTF-8, in chunks split anywhere) written to standard output line by
/// line through printable(): controls escaped, CR before LF dropped. Holds
/// at most one line, or 64 KiB of a longer one.
class escaped_text_writer {
public:
    void write(std::string_view text);
    /// Flushes a partial last line and ends it with a line end.
    void finish();
    /// True once anything was written.
    bool wrote() const noexcept { return wrote_; }

private:
    void emit_line(std::string_view line, bool newline);
    void flush_long();
    std::string pending_;
    bool wrote_ = false;
    bool at_line_start_ = true;
};

/// Streams the reader view of the body: the text part, else the HTML part
/// reduced to text, into sink as UTF-8. Returns "text/plain", "text/html"
/// or "" (no body). False in ok when the source could not be read.
std::string stream_body(const mime::message_reader& r, const mime::sink_fn& sink, bool& ok);

/// "Name <a@b>, Team: x@y, z@w;" with the rejected elements as written.
std::string format_addresses(const mime::address_list& list);

/// The names of the defect flags set in defects ("missing_close_boundary", ...).
std::vector<std::string> defect_names(std::uint32_t defects);

/// "2048 bytes (2.0 KiB)".
std::string format_size(std::uint64_t bytes);

/// Subject of the message enclosed in a message/rfc822 part ("" if none).
std::string enclosed_subject(const mime::entity& e);

/// A file name from a message made safe to create in a directory (rules in
/// show_save.cpp); fallback when nothing usable is left.
std::string sanitize_filename(std::string_view name, const std::string& fallback);

// The modes of pigeon show; each returns the exit code.
int print_view(const mime::message& m, bool all_headers);
/// extra: members written before the message's own (`pigeon read --json`
/// adds where the message is on the server); null: none.
int print_json(const mime::message& m, const nlohmann::ordered_json& extra = nullptr);
int print_part(const mime::message& m, const std::string& number);
int save_attachments(const mime::message& m, const std::string& dir);

} // namespace pigeon::cli::show
