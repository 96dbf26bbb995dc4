#include <pigeon/mime/error.hpp>

#include <string>

namespace pigeon::mime {
namespace {
class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.mime"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::io_error: return "I/O error";
        case errc::not_found: return "not found";
        case errc::invalid_argument: return "invalid argument";
        }
        return "unknown mime error";
    }
};
} // namespace

const std::error_category& mime_category() noexcept {
    static const category c;
    return c;
}

} // namespace pigeon::mime
