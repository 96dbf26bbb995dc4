#include "pigeon/nntp/codec_error.hpp"

#include <string>

namespace pigeon::nntp {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.nntp.codec"; }
    std::string message(int ev) const override {
        switch (static_cast<codec_errc>(ev)) {
        case codec_errc::ok: return "success";
        case codec_errc::malformed: return "malformed NNTP response line";
        case codec_errc::invalid_number: return "invalid number in an NNTP response line";
        case codec_errc::number_too_large: return "number too large in an NNTP response line";
        case codec_errc::invalid_message_id: return "invalid message-id in an NNTP response line";
        case codec_errc::invalid_name: return "invalid group or field name in an NNTP response line";
        case codec_errc::invalid_date: return "invalid date in an NNTP response line";
        case codec_errc::unexpected_code: return "unexpected NNTP status code";
        }
        return "unknown NNTP codec error";
    }
};

} // namespace

const std::error_category& codec_category() noexcept {
    static const category c;
    return c;
}

} // namespace pigeon::nntp
