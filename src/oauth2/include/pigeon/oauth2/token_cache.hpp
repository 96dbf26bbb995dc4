#pragma once
// The access token cache: one private file per account holding the token
// and when it expires, so that consecutive runs reuse it until then.
//
//   pigeon-oauth2-token 1
//   expires_at 1796560000
//   access_token ya29....
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::oauth2 {

struct cached_token {
    std::string access_token;
    std::chrono::system_clock::time_point expires_at;

    /// True while the token has more than margin left.
    bool fresh(std::chrono::system_clock::time_point now,
               std::chrono::seconds margin = std::chrono::seconds(60)) const {
        return !access_token.empty() && now + margin < expires_at;
    }
};

std::string format_cached_token(const cached_token& t);
/// nullopt for anything but the format above (a token with a control byte
/// or white space included).
std::optional<cached_token> parse_cached_token(std::string_view text);

/// read_private_file + parse; nullopt (ec set) when absent, insecure or bad.
std::optional<cached_token> load_cached_token(const std::string& path, std::error_code& ec);
/// format + write_private_file.
std::error_code store_cached_token(const std::string& path, const cached_token& t);

} // namespace pigeon::oauth2
