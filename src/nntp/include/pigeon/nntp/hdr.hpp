#pragma once
// Header retrieval: the lines of HDR (RFC 3977 section 8.5), XHDR (RFC 2980
// section 2.6) and LIST HEADERS (RFC 3977 section 8.6).
//   HDR Subject 1-            "1 first post with tab"
//   HDR Subject <id>          "0 first post with tab"  (0: asked by message-id)
//   XHDR Subject <id>         "<first.1@lab.test> first post with tab"
//   HDR References 1-         "1 "   (no such header: empty value)
//   LIST HEADERS RANGE        ":"  ":bytes"  ":lines"
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/nntp/article_ref.hpp"

namespace pigeon::nntp {

struct hdr_entry {
    article_number number = 0;  ///< 0 when the line names the article by message-id
    std::string message_id;     ///< set when the line starts with one (XHDR by id)
    std::string value;          ///< the content, leading blanks removed; may be empty
};

/// One HDR or XHDR line: a number or a message-id, then the value. A line
/// with nothing after the first field has an empty value. Errors:
/// codec_errc::malformed (empty line), invalid_number, number_too_large,
/// invalid_message_id.
std::optional<hdr_entry> parse_hdr_line(std::string_view line, std::error_code& ec);

/// One line of LIST HEADERS: a header name ("Subject"), a metadata item
/// (":bytes"), or ":" meaning any header may be asked for.
struct header_field {
    std::string name;  ///< as sent, e.g. "Subject", ":bytes", ":"

    bool any() const noexcept { return name == ":"; }
    bool metadata() const noexcept { return name.size() > 1 && name.front() == ':'; }
};

/// Blanks around the name are ignored. Error: codec_errc::invalid_name.
std::optional<header_field> parse_list_headers_line(std::string_view line, std::error_code& ec);

} // namespace pigeon::nntp
