#pragma once
// Media type of an attachment from its file name's extension: a built-in
// table of the common types first, then (optionally) the system's
// /etc/mime.types, read once; application/octet-stream otherwise.
#include <string>
#include <string_view>

namespace pigeon::mime {

std::string media_type_for_filename(std::string_view filename, bool use_system_table = true);

/// True for "type/subtype" made of RFC 2045 tokens.
bool is_valid_media_type(std::string_view media_type) noexcept;

} // namespace pigeon::mime
