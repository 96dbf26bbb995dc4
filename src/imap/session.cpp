#include "pigeon/imap/session.hpp"

#include <limits>

#include "pigeon/imap/error.hpp"

namespace pigeon::imap {

std::error_code session::check_starttls() const {
    if (state_ != state::not_authenticated || tls_) return make_error_code(errc::invalid_state);
    if (!caps_known_ || !caps_.starttls()) return make_error_code(errc::starttls_not_offered);
    return {};
}

auth_plan session::plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const {
    auth_plan plan;
    if (state_ != state::not_authenticated) {
        plan.refusal = make_error_code(errc::invalid_state);
        return plan;
    }
    auto ranked = sasl::rank(caps_.auth_mechanisms(), creds, tls_, opts);
    if (!ranked.empty()) {
        plan.how = auth_plan::method::sasl;
        plan.mechanism = ranked.front();
        return plan;
    }
    if (!opts.allowed.empty() || creds.username.empty() || creds.password.empty()) {
        plan.refusal = make_error_code(errc::no_mechanism);
        return plan;
    }
    if (caps_.login_disabled()) {
        plan.refusal = make_error_code(errc::login_disabled);
        return plan;
    }
    if (!tls_ && !opts.allow_cleartext_secrets) {
        plan.refusal = make_error_code(errc::cleartext_refused);
        return plan;
    }
    plan.how = auth_plan::method::login;
    return plan;
}

literal_options session::literals() const noexcept {
    literal_options o;
    if (caps_.literal_plus()) {
        o.non_synchronizing = true;
        o.non_sync_max = std::numeric_limits<std::size_t>::max();
    } else if (caps_.literal_minus()) {
        o.non_synchronizing = true;
        o.non_sync_max = 4096;
    }
    return o;
}

} // namespace pigeon::imap
