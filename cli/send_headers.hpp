#pragma once
// Sendmail mode's view of a message on standard input: the header block,
// read (bounded) and split into fields, so that Bcc can be removed, missing
// From/Date/Message-ID added and -t recipients found; the body is never
// held: it streams from the input after the header block.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::cli {

/// Reads up to cap bytes; 0 at the end.
using read_fn = std::function<std::size_t(char*, std::size_t)>;

/// The input of sendmail mode: standard input (or any descriptor), where a
/// line holding only "." ends the message unless -i/-oi was given (the
/// traditional rule; the "." line is not part of the message).
class message_input {
public:
    message_input(int fd, bool dot_ends_input) : fd_(fd), dot_ends_(dot_ends_input) {}
    /// Throws exit_error(exit_ioerr) on a read error.
    std::size_t read(char* buf, std::size_t cap);

private:
    bool fill();
    int fd_;
    bool dot_ends_;
    bool at_line_start_ = true;
    bool ended_ = false;
    bool eof_ = false;
    std::string held_;     // "." or ".\r" seen at a line start, not yet decided
    std::string pending_;  // held bytes found to be content, not yet returned
    std::vector<char> raw_ = std::vector<char>(64 * 1024);
    std::size_t raw_pos_ = 0, raw_len_ = 0;
};

struct raw_field {
    std::string name;  ///< as written
    std::string raw;   ///< the whole field as read: "Name: value" + folded lines, line ends kept
};

struct header_block {
    std::vector<raw_field> fields;
    /// What ended the block as read: the blank line ("\n" or "\r\n"), or ""
    /// when the input ended or a line that is no header field began the body.
    std::string separator;
    /// Input read beyond the header block: the start of the body.
    std::string body_start;
};

/// Reads the header block (a leading mbox "From " line is dropped). Throws
/// exit_error(exit_data) when it exceeds max_bytes before its end.
header_block read_header_block(const read_fn& read, std::size_t max_bytes);

/// The unfolded values of every field named name (case-insensitive).
std::vector<std::string> field_values(const header_block& h, std::string_view name);
bool has_field(const header_block& h, std::string_view name);
/// Removes every field named name; returns how many.
std::size_t remove_fields(header_block& h, std::string_view name);
/// True when a field (name or value) holds a byte over 0x7F.
bool has_non_ascii_field(const header_block& h);

} // namespace pigeon::cli
