#pragma once
// JSON objects written straight into a string, for the listings that print
// one object per message or article (news list, mail list): building an
// nlohmann::json per entry and dumping it cost more CPU than the protocol
// work (perf: a third of `pigeon news list --json`). The output is what
// nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) writes for
// the same members given in key order: the same escapes, invalid UTF-8 as
// U+FFFD.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::cli {

/// Appends s as a JSON string (quotes included).
void append_json_string(std::string& out, std::string_view s);

class json_object_writer {
public:
    json_object_writer() {
        out_.reserve(512);  // a mail summary's line, usually
        out_ = "{";
    }
    json_object_writer& string(std::string_view key, std::string_view value);
    json_object_writer& number(std::string_view key, std::uint64_t value);
    json_object_writer& number_or_null(std::string_view key, const std::optional<std::uint64_t>& value);
    /// value, or null when absent.
    json_object_writer& string_or_null(std::string_view key, std::string_view value, bool present);
    json_object_writer& string_array(std::string_view key, const std::vector<std::string>& values);
    /// A value that is JSON already (an array or object written elsewhere).
    json_object_writer& raw(std::string_view key, std::string_view json);
    /// (Every key is a plain ASCII name, written without escaping.)
    /// Writes key and ':' and returns the string the caller appends one
    /// JSON value to (no copy of a value built elsewhere).
    std::string& value_of(std::string_view key);
    /// The object, closed (the writer is left empty).
    std::string finish();

private:
    void key(std::string_view k);
    std::string out_;
};

} // namespace pigeon::cli
