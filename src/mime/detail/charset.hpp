#pragma once
// Private: charset conversion entry for callers that already normalised the
// charset name (normalize_charset), e.g. the RFC 2047 decoder.
#include <string>
#include <string_view>

namespace pigeon::mime::detail {

/// Appends the UTF-8 of in (in charset `normalized`) to out.
void append_utf8_from(const std::string& normalized, std::string_view in, std::string& out);

} // namespace pigeon::mime::detail
