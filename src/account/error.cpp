#include "pigeon/account/error.hpp"

namespace pigeon::account {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.account"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::config: return "configuration error";
        case errc::no_permission: return "login refused";
        case errc::temporary: return "temporary failure";
        }
        return "unknown account error";
    }
};

} // namespace

const std::error_category& account_category() noexcept {
    static const category c;
    return c;
}

} // namespace pigeon::account
