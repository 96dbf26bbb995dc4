// SMTP results and failures in the spool's terms.
#include "pigeon/outbox/attempt.hpp"

#include "pigeon/net/error.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::outbox {
namespace {

store::outcome outcome_of(const smtp::reply& r) {
    if (r.positive()) return store::outcome::accepted;
    return r.code >= 500 && r.code < 600 ? store::outcome::permanent : store::outcome::temporary;
}

std::string flatten(std::string text) {
    for (auto& c : text)
        if (c == '\r' || c == '\n') c = ' ';
    return text;
}

} // namespace

std::string one_line(const smtp::reply& r) { return r.empty() ? std::string() : flatten(r.to_string()); }

std::vector<store::recipient_outcome> outcomes_of(const smtp::send_result& r) {
    std::vector<store::recipient_outcome> out;
    for (const auto& rr : r.recipients) {
        const smtp::reply* ref = rr.refusal();
        const smtp::reply& said = ref ? *ref : rr.data_reply ? *rr.data_reply : r.final_reply;
        out.push_back({rr.address, ref ? outcome_of(*ref) : store::outcome::accepted, one_line(said)});
    }
    return out;
}

failed_attempt outcomes_of_failure(const std::exception& e, const std::vector<std::string>& recipients) {
    failed_attempt f;
    f.error = flatten(e.what());
    if (const auto* se = dynamic_cast<const smtp::send_error*>(&e)) {
        const smtp::reply deciding = smtp::to_reply(se->server_reply());
        for (const auto& rr : se->results()) {
            const smtp::reply* ref = rr.refusal();
            const smtp::reply& said = ref && !ref->empty() ? *ref : deciding;
            f.outcomes.push_back({rr.address, said.empty() ? store::outcome::temporary : outcome_of(said),
                                  one_line(said)});
        }
        return f;
    }
    bool permanent = dynamic_cast<const smtp::request_error*>(&e) != nullptr;
    // A NUL in the message: the same bytes would be refused again.
    if (const auto* sys = dynamic_cast<const std::system_error*>(&e); sys && sys->code() == net::errc::nul_in_data)
        permanent = true;
    if (const auto* ce = dynamic_cast<const smtp::command_error*>(&e);
        ce && !dynamic_cast<const smtp::auth_error*>(&e) && ce->is_permanent())
        permanent = true;
    if (permanent)
        for (const auto& r : recipients) f.outcomes.push_back({r, store::outcome::permanent, f.error});
    return f;
}

} // namespace pigeon::outbox
