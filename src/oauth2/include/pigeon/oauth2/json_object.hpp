#pragma once
// A bounded reader for the JSON objects OAuth2 endpoints answer with: one
// object whose members are read as strings, numbers (kept as text), booleans
// and null; nested objects and arrays are checked and skipped. Sans-I/O,
// never throws on bad input: returns errc::bad_response.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::oauth2 {

struct json_value {
    enum class kind { string, number, boolean, null, nested };
    kind type = kind::null;
    /// The decoded string (UTF-8), the number as written, "true"/"false";
    /// empty for null and nested values.
    std::string text;
};

using json_object = std::map<std::string, json_value, std::less<>>;

struct json_limits {
    std::size_t max_bytes = 1024 * 1024;  ///< the whole document
    std::size_t max_depth = 16;           ///< nesting of skipped values
    std::size_t max_members = 512;        ///< top-level members
};

/// Parses text (surrounding white space allowed) as one JSON object into
/// out. A repeated member keeps its last value. Errors: errc::bad_response.
std::error_code parse_json_object(std::string_view text, json_object& out, const json_limits& limits = {});

} // namespace pigeon::oauth2
