#include "pigeon/pop3/session.hpp"

#include "pigeon/pop3/error.hpp"

namespace pigeon::pop3 {

std::error_code session::check_starttls() const {
    if (state_ != state::authorization || tls_) return make_error_code(errc::invalid_state);
    if (!caps_known_ || !caps_.stls()) return make_error_code(errc::starttls_not_offered);
    return {};
}

auth_plan session::plan_auth(const sasl::credentials& creds, const sasl::selection_options& opts) const {
    auth_plan plan;
    if (state_ != state::authorization) {
        plan.refusal = make_error_code(errc::invalid_state);
        return plan;
    }
    auto offered = caps_.sasl_mechanisms();
    auto ranked = sasl::rank(offered, creds, tls_, opts);
    if (!ranked.empty()) {
        plan.how = auth_plan::method::sasl;
        plan.mechanism = ranked.front();
        return plan;
    }
    // USER/PASS: offered, or the server predates CAPA (RFC 1939 servers
    // without RFC 2449 still know USER).
    bool user_pass_offered = caps_.user() || !caps_known_;
    if (!opts.allowed.empty() || !user_pass_offered || creds.password.empty() || creds.username.empty()) {
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

} // namespace pigeon::pop3
