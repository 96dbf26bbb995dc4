// What OAuth2 endpoints and browsers send pigeon: the input as a JSON
// object, a token response and a device authorization (under a 200 and a
// 400 status), a token cache file and a redirect request line. Checks what
// the headers promise: an error leaves nothing behind, a success has the
// fields it must have.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pigeon/oauth2/json_object.hpp"
#include "pigeon/oauth2/redirect_listener.hpp"
#include "pigeon/oauth2/token_cache.hpp"
#include "pigeon/oauth2/token_response.hpp"

namespace {

void check(bool c) {
    if (!c) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace o = pigeon::oauth2;
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    o::json_object obj;
    if (o::parse_json_object(in, obj)) check(obj.empty());
    o::json_limits tight;
    tight.max_depth = 2;
    tight.max_members = 4;
    if (!o::parse_json_object(in, obj, tight)) check(obj.size() <= 4);

    for (long status : {200L, 400L}) {
        o::token_set t;
        o::error_document err;
        if (!o::parse_token_response(status, in, t, err)) check(!t.access_token.empty() && status == 200);
        else check(t.access_token.empty());
        o::device_authorization d;
        if (!o::parse_device_authorization(status, in, d, err))
            check(!d.device_code.empty() && !d.user_code.empty() && d.interval.count() >= 1);
    }

    if (auto c = o::parse_cached_token(in)) {
        check(!c->access_token.empty());
        auto again = o::parse_cached_token(o::format_cached_token(*c));
        check(again && again->access_token == c->access_token && again->expires_at == c->expires_at);
    }

    o::redirect_result r;
    if (!o::parse_redirect_request(in, "/", r)) check(!r.code.empty() || !r.error.empty());
    return 0;
}
