#pragma once
#include <system_error>

namespace pigeon::sasl {

enum class errc {
    ok = 0,
    rejected = 1,            ///< the server refused the credentials
    bad_challenge,           ///< a challenge that is not base64 or not parseable
    bad_server_nonce,        ///< SCRAM: nonce does not extend ours
    bad_server_signature,    ///< SCRAM: server signature wrong or missing
    iteration_count,         ///< SCRAM: iteration count outside the limits
    too_many_challenges,     ///< the server kept challenging
    saslprep_failed,         ///< the password has prohibited characters
    no_mechanism,            ///< nothing offered that may be used
    missing_credentials,     ///< the mechanism needs what was not given
    invalid_credentials,     ///< a credential holds a byte the mechanism cannot carry (e.g. NUL)
};

const std::error_category& sasl_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), sasl_category()}; }

} // namespace pigeon::sasl

namespace std {
template <> struct is_error_code_enum<pigeon::sasl::errc> : true_type {};
}
