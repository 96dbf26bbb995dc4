#include "pigeon/oauth2/token_response.hpp"

#include <charconv>
#include <cstdint>

#include "pigeon/net/ascii.hpp"
#include "pigeon/oauth2/error.hpp"
#include "pigeon/oauth2/json_object.hpp"

namespace pigeon::oauth2 {
namespace {

std::string string_member(const json_object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->second.type != json_value::kind::string) return {};
    return it->second.text;
}

/// A count of seconds, as a JSON integer or (some providers) a string of
/// digits; nullopt when absent or not a non-negative integer.
std::optional<std::chrono::seconds> seconds_member(const json_object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) return std::nullopt;
    const auto& v = it->second;
    if (v.type != json_value::kind::number && v.type != json_value::kind::string) return std::nullopt;
    std::int64_t n = 0;
    const char* first = v.text.data();
    const char* last = first + v.text.size();
    auto [p, ec] = std::from_chars(first, last, n);
    if (ec != std::errc() || p != last || n < 0 || n > 10LL * 365 * 24 * 3600) return std::nullopt;
    return std::chrono::seconds(n);
}

/// The common part: an error document, a bad status, or the object of a
/// 2xx answer in obj.
std::error_code read_answer(long status, std::string_view body, json_object& obj, error_document& err) {
    err = {};
    std::error_code jec = parse_json_object(body, obj);
    if (!jec) {
        err.error = string_member(obj, "error");
        if (!err.error.empty()) {
            err.description = string_member(obj, "error_description");
            err.uri = string_member(obj, "error_uri");
            if (err.error == "authorization_pending") return errc::authorization_pending;
            if (err.error == "slow_down") return errc::slow_down;
            if (err.error == "access_denied") return errc::access_denied;
            if (err.error == "expired_token") return errc::expired_token;
            return errc::refused;
        }
    }
    if (status < 200 || status > 299) {
        err.description = "HTTP " + std::to_string(status);
        std::string_view start = body.substr(0, 200);
        if (!start.empty()) err.description += ": " + std::string(start);
        return errc::http_status;
    }
    if (jec) return errc::bad_response;
    return {};
}

} // namespace

std::error_code parse_token_response(long http_status, std::string_view body, token_set& out, error_document& err) {
    out = {};
    json_object obj;
    if (auto ec = read_answer(http_status, body, obj, err)) return ec;
    out.access_token = string_member(obj, "access_token");
    out.token_type = string_member(obj, "token_type");
    out.refresh_token = string_member(obj, "refresh_token");
    out.scope = string_member(obj, "scope");
    out.expires_in = seconds_member(obj, "expires_in");
    if (out.access_token.empty() || (!out.token_type.empty() && !net::ascii::iequals(out.token_type, "bearer"))) {
        out = {};
        return errc::bad_response;
    }
    return {};
}

std::error_code parse_device_authorization(long http_status, std::string_view body, device_authorization& out,
                                           error_document& err) {
    out = {};
    json_object obj;
    if (auto ec = read_answer(http_status, body, obj, err)) return ec;
    out.device_code = string_member(obj, "device_code");
    out.user_code = string_member(obj, "user_code");
    out.verification_uri = string_member(obj, "verification_uri");
    // QUIRK(google): Google's device endpoint names it verification_url.
    if (out.verification_uri.empty()) out.verification_uri = string_member(obj, "verification_url");
    out.verification_uri_complete = string_member(obj, "verification_uri_complete");
    out.message = string_member(obj, "message");
    auto expires = seconds_member(obj, "expires_in");
    if (auto interval = seconds_member(obj, "interval")) out.interval = *interval;
    if (out.interval < std::chrono::seconds(1)) out.interval = std::chrono::seconds(1);
    if (out.device_code.empty() || out.user_code.empty() || out.verification_uri.empty() || !expires) {
        out = {};
        return errc::bad_response;
    }
    out.expires_in = *expires;
    return {};
}

} // namespace pigeon::oauth2
