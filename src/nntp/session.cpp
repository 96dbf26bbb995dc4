#include "pigeon/nntp/session.hpp"

#include "pigeon/nntp/error.hpp"

namespace pigeon::nntp {

std::error_code session::check_starttls() const {
    if (state_ != state::ready || tls_) return make_error_code(errc::invalid_state);
    if (!caps_known_ || !caps_.starttls()) return make_error_code(errc::starttls_not_offered);
    return {};
}

auth_plan session::plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const {
    auth_plan plan;
    if (state_ != state::ready) {
        plan.refusal = make_error_code(errc::invalid_state);
        return plan;
    }
    if (caps_.authinfo_sasl()) {
        auto ranked = sasl::rank(caps_.sasl_mechanisms(), creds, tls_, opts);
        if (!ranked.empty()) {
            plan.how = auth_plan::method::sasl;
            plan.mechanism = ranked.front();
            return plan;
        }
    }
    bool user_pass_offered = caps_.authinfo_user() || !caps_known_;
    if (!opts.allowed.empty() || !user_pass_offered || creds.username.empty() || creds.password.empty()) {
        plan.refusal = make_error_code(errc::no_mechanism);
        return plan;
    }
    if (!tls_ && !opts.allow_cleartext_secrets) {
        plan.refusal = make_error_code(errc::cleartext_refused);
        return plan;
    }
    plan.how = auth_plan::method::user_pass;
    return plan;
}

} // namespace pigeon::nntp
