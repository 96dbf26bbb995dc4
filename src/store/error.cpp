#include <string>

#include "pigeon/store/destination.hpp"

namespace pigeon::store {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.store"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::bad_spec: return "bad destination (expected maildir:PATH, mbox:PATH or mda:COMMAND)";
        case errc::cannot_create: return "cannot create the destination";
        case errc::io_error: return "I/O error in the destination";
        case errc::no_space: return "no space left in the destination";
        case errc::locked: return "locked by another process";
        case errc::mda_tempfail: return "the delivery command failed temporarily (exit 75)";
        case errc::mda_failed: return "the delivery command failed";
        case errc::forward_deferred: return "the receiving server deferred the message (4xx)";
        case errc::forward_refused: return "the receiving server refused the message (5xx)";
        case errc::forward_unreachable: return "the receiving server cannot be reached";
        case errc::bad_state: return "delivery used in the wrong state";
        case errc::corrupt_entry: return "the spool entry is damaged";
        case errc::not_found: return "no such spool entry";
        }
        return "unknown store error";
    }
};

} // namespace

const std::error_category& store_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), store_category()}; }

} // namespace pigeon::store
