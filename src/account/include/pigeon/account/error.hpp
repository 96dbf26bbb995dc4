#pragma once
// Errors of the account layer (configuration file, password and secret
// commands, OAuth2 logins): one category "pigeon.account". The pigeon
// command maps them to exit codes: config 78 (EX_CONFIG), no_permission 77
// (EX_NOPERM), temporary 75 (EX_TEMPFAIL).
#include <string>
#include <system_error>

namespace pigeon::account {

enum class errc {
    ok = 0,
    config,         ///< the file, an account or a command it names is unusable
    no_permission,  ///< a login secret was refused for good (an OAuth2 refresh token revoked)
    temporary,      ///< a token endpoint failed in a way that may pass (5xx)
};

const std::error_category& account_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), account_category()}; }

class error : public std::system_error {
public:
    error(errc e, const std::string& what) : std::system_error(make_error_code(e), what) {}
};

} // namespace pigeon::account

namespace std {
template <> struct is_error_code_enum<pigeon::account::errc> : true_type {};
} // namespace std
