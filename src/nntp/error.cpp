#include "pigeon/nntp/error.hpp"

namespace pigeon::nntp {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.nntp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::bad_greeting: return "the server's greeting is not an NNTP greeting";
        case errc::greeting_refused: return "the server refused the connection";
        case errc::malformed_reply: return "malformed NNTP reply";
        case errc::unexpected_reply: return "unexpected NNTP reply";
        case errc::starttls_not_offered: return "TLS required, but the server does not offer STARTTLS";
        case errc::starttls_refused: return "TLS required, but the server refused STARTTLS";
        case errc::command_failed: return "the server refused the command";
        case errc::auth_failed: return "authentication failed";
        case errc::no_mechanism: return "no usable authentication mechanism offered";
        case errc::cleartext_refused: return "refusing to send a password without TLS";
        case errc::invalid_argument: return "invalid character in a command argument";
        case errc::invalid_state: return "command not allowed in this session state";
        case errc::response_too_large: return "multi-line response too large";
        }
        return "unknown NNTP error";
    }
};

} // namespace

const std::error_category& nntp_category() noexcept {
    static const category c;
    return c;
}

} // namespace pigeon::nntp
