#include "pigeon/sasl/select.hpp"

#include <algorithm>
#include <utility>

#include "detail/crypto.hpp"

namespace pigeon::sasl {
namespace {

enum class needs { password, token, token_and_user, nothing };

struct known {
    std::string_view name;
    needs need;
    bool exposes_secret;  ///< as mechanism::exposes_secret()
};

// Strongest first. CRAM-MD5 ranks above PLAIN because it keeps the password
// off the wire; the bearer-token mechanisms only apply with a token, and
// EXTERNAL only when the caller names it.
constexpr known table[] = {
    {"SCRAM-SHA-256", needs::password, false},
    {"SCRAM-SHA-1", needs::password, false},
    {"CRAM-MD5", needs::password, false},
    {"PLAIN", needs::password, true},
    {"LOGIN", needs::password, true},
    {"OAUTHBEARER", needs::token, true},
    {"XOAUTH2", needs::token_and_user, true},
    {"EXTERNAL", needs::nothing, false},
};

bool listed(const std::vector<std::string>& names, std::string_view name) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return detail::iequals(n, name); });
}

bool served_by(const credentials& creds, needs need) {
    switch (need) {
    case needs::password: return !creds.username.empty() && !creds.password.empty();
    case needs::token: return !creds.oauth_token.empty();
    case needs::token_and_user: return !creds.oauth_token.empty() && !creds.username.empty();
    case needs::nothing: return true;
    }
    return false;
}

} // namespace

const std::vector<std::string>& known_mechanisms() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const known& k : table) v.emplace_back(k.name);
        return v;
    }();
    return names;
}

std::vector<std::string> rank(const std::vector<std::string>& offered, const credentials& creds,
                              bool tls_active, const selection_options& opts) {
    std::vector<std::string> out;
    for (const known& k : table) {
        if (!listed(offered, k.name)) continue;
        const bool named = listed(opts.allowed, k.name);
        if (!opts.allowed.empty() && !named) continue;
        // EXTERNAL asserts an identity established outside SASL; it is used
        // only when the caller asked for it by name.
        if (k.need == needs::nothing && !named) continue;
        if (!served_by(creds, k.need)) continue;
        // RFC 4954 section 4, RFC 8314: no reusable secret on a connection an
        // eavesdropper can read (Go CVE-2017-15042).
        if (k.exposes_secret && !tls_active && !opts.allow_cleartext_secrets) continue;
        out.emplace_back(k.name);
    }
    return out;
}

std::optional<std::string> choose(const std::vector<std::string>& offered, const credentials& creds,
                                  bool tls_active, const selection_options& opts) {
    std::vector<std::string> ranked = rank(offered, creds, tls_active, opts);
    if (ranked.empty()) return std::nullopt;
    return std::move(ranked.front());
}

} // namespace pigeon::sasl
