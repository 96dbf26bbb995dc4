#include "pigeon/oauth2/token_cache.hpp"

#include <charconv>
#include <cstdint>

#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/private_file.hpp"

namespace pigeon::oauth2 {
namespace {

constexpr std::string_view magic = "pigeon-oauth2-token 1";

/// Splits off the next line (without its LF); false at the end.
bool next_line(std::string_view& text, std::string_view& line) {
    if (text.empty()) return false;
    auto lf = text.find('\n');
    line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    return true;
}

bool printable_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) <= 0x20 || c == '\x7f') return false;
    return true;
}

} // namespace

std::string format_cached_token(const cached_token& t) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.expires_at.time_since_epoch()).count();
    return std::string(magic) + "\nexpires_at " + std::to_string(secs) + "\naccess_token " + t.access_token + "\n";
}

std::optional<cached_token> parse_cached_token(std::string_view text) {
    std::string_view line;
    if (!next_line(text, line) || line != magic) return std::nullopt;
    cached_token t;
    bool have_expiry = false;
    while (next_line(text, line)) {
        if (line.rfind("expires_at ", 0) == 0) {
            std::string_view v = line.substr(11);
            std::int64_t n = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            // Past 2096 (4 * 10^9 s) is no expiry time; beyond 2262 the
            // clock's 64-bit nanoseconds would overflow.
            if (ec != std::errc() || p != v.data() + v.size() || n < 0 || n > 4'000'000'000) return std::nullopt;
            t.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(n));
            have_expiry = true;
        } else if (line.rfind("access_token ", 0) == 0) {
            std::string_view v = line.substr(13);
            if (!printable_token(v)) return std::nullopt;
            t.access_token.assign(v);
        } else if (!line.empty()) {
            return std::nullopt;
        }
    }
    if (!have_expiry || t.access_token.empty()) return std::nullopt;
    return t;
}

std::optional<cached_token> load_cached_token(const std::string& path, std::error_code& ec) {
    std::string text;
    ec = read_private_file(path, text);
    if (ec) return std::nullopt;
    auto t = parse_cached_token(text);
    if (!t) ec = errc::file_error;
    return t;
}

std::error_code store_cached_token(const std::string& path, const cached_token& t) {
    if (!printable_token(t.access_token)) return errc::bad_response;
    return write_private_file(path, format_cached_token(t));
}

} // namespace pigeon::oauth2
