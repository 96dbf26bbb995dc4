#include "pigeon/sasl/mechanism.hpp"

#include "detail/crypto.hpp"
#include "detail/mechanisms.hpp"
#include "pigeon/sasl/scram.hpp"

namespace pigeon::sasl {

void mechanism::on_success_data(std::string_view /*data*/, std::error_code& ec) {
    // Mechanisms without a server-final message have nothing to verify; the
    // extra data (rare, and never secret to the client) is ignored.
    ec.clear();
}

std::unique_ptr<mechanism> make_mechanism(std::string_view name, const credentials& creds,
                                          const mechanism_limits& limits) {
    using detail::iequals;
    if (iequals(name, "SCRAM-SHA-256")) return make_scram(scram_hash::sha256, creds, limits);
    if (iequals(name, "SCRAM-SHA-1")) return make_scram(scram_hash::sha1, creds, limits);
    if (iequals(name, "CRAM-MD5")) return detail::make_cram_md5(creds);
    if (iequals(name, "PLAIN")) return detail::make_plain(creds);
    if (iequals(name, "LOGIN")) return detail::make_login(creds);
    if (iequals(name, "OAUTHBEARER")) return detail::make_oauthbearer(creds);
    if (iequals(name, "XOAUTH2")) return detail::make_xoauth2(creds);
    if (iequals(name, "EXTERNAL")) return detail::make_external(creds);
    return nullptr;
}

namespace detail {

void wipe_secrets(credentials& creds) noexcept {
    wipe(creds.password);
    wipe(creds.oauth_token);
}

std::string gs2_saslname(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out.push_back(c);
    }
    return out;
}

} // namespace detail
} // namespace pigeon::sasl
