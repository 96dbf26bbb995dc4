// pigeon's configuration file (TOML, src/account): any text gives a
// config_file or an account::error, never a crash, a hang or another
// exception; what parses keeps the promises of config.hpp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pigeon/account/config.hpp"
#include "pigeon/account/error.hpp"

namespace {

void check(bool c) {
    if (!c) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace a = pigeon::account;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const a::config_file cfg = a::parse_config(text, "/fuzz/config.toml");
        check(cfg.loaded);
        int defaults = 0;
        for (const auto& acc : cfg.accounts) {
            defaults += acc.is_default ? 1 : 0;
            check(acc.tls.empty() || acc.tls == "starttls" || acc.tls == "implicit" || acc.tls == "none");
            check(a::check_proxy_spec(acc.proxy).empty() || acc.proxy.empty());
            check(acc.tls_ca.empty() || acc.tls_ca[0] == '/' || acc.tls_ca[0] == '~');
            if (acc.timeout) check(*acc.timeout > 0);
        }
        check(defaults <= 1);
        if (const a::account_config* d = cfg.default_account()) check(cfg.find(d->name) == d);
        (void)a::holds_secret(cfg);
        try {
            (void)a::find_account(cfg, "");
        } catch (const a::error& e) {
            check(e.code() == a::errc::config);
        }
    } catch (const a::error& e) {
        check(e.code() == a::errc::config);
    }
    return 0;
}
