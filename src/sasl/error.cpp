#include "pigeon/sasl/error.hpp"

#include <string>

namespace pigeon::sasl {
namespace {

// Messages name what went wrong, never the credentials or the payloads.
class sasl_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.sasl"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::rejected: return "authentication failed: the server rejected the credentials";
        case errc::bad_challenge: return "SASL: malformed or unexpected server challenge";
        case errc::bad_server_nonce: return "SCRAM: the server nonce does not extend the client nonce";
        case errc::bad_server_signature:
            return "SCRAM: the server did not prove it knows the password (signature wrong or missing)";
        case errc::iteration_count: return "SCRAM: the server's iteration count is outside the allowed limits";
        case errc::too_many_challenges: return "SASL: the server sent too many challenges";
        case errc::saslprep_failed:
            return "SASLprep: the password is not valid UTF-8 or contains prohibited characters";
        case errc::no_mechanism: return "no usable SASL mechanism offered by the server";
        case errc::missing_credentials: return "the SASL mechanism needs credentials that were not given";
        case errc::invalid_credentials:
            return "a credential contains a character the SASL mechanism cannot carry";
        }
        return "unknown SASL error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
        case errc::rejected: return std::errc::permission_denied;
        case errc::missing_credentials:
        case errc::invalid_credentials:
        case errc::saslprep_failed: return std::errc::invalid_argument;
        default: return {ev, *this};
        }
    }
};

} // namespace

const std::error_category& sasl_category() noexcept {
    static const sasl_category_impl instance;
    return instance;
}

} // namespace pigeon::sasl
