#include "pigeon/imap/error.hpp"

namespace pigeon::imap {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.imap"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::bad_syntax: return "malformed IMAP response";
        case errc::line_too_long: return "IMAP response line too long";
        case errc::literal_too_large: return "IMAP literal too large";
        case errc::too_deep: return "IMAP response nested too deeply";
        case errc::too_many_tokens: return "IMAP response has too many elements";
        case errc::response_too_large: return "IMAP response too large";
        case errc::bad_greeting: return "the server's greeting is not an IMAP greeting";
        case errc::greeting_refused: return "the server refused the connection (BYE)";
        case errc::preauth_without_tls: return "TLS required, but the server sent PREAUTH on a clear connection";
        case errc::starttls_not_offered: return "TLS required, but the server does not offer STARTTLS";
        case errc::starttls_refused: return "TLS required, but the server refused STARTTLS";
        case errc::capability_failed: return "the server did not answer CAPABILITY";
        case errc::unknown_tag: return "tagged response for an unknown command";
        case errc::early_completion: return "tagged response before the command was sent completely";
        case errc::unexpected_continuation: return "unexpected continuation request";
        case errc::server_bye: return "the server closed the connection (BYE)";
        case errc::command_failed: return "the server refused the command";
        case errc::auth_failed: return "authentication failed";
        case errc::no_mechanism: return "no usable authentication mechanism offered";
        case errc::cleartext_refused: return "refusing to send a password without TLS";
        case errc::login_disabled: return "the server disabled LOGIN (LOGINDISABLED)";
        case errc::invalid_argument: return "invalid character in a command argument";
        case errc::invalid_state: return "command not allowed in this session state";
        }
        return "unknown IMAP error";
    }
};

} // namespace

const std::error_category& imap_category() noexcept {
    static const category c;
    return c;
}

bool command_error::transient() const noexcept {
    if (response_.code) {
        const auto& n = response_.code->name;
        if (n == "UNAVAILABLE" || n == "INUSE" || n == "LIMIT" || n == "SERVERBUG")
            return true;
        if (n == "AUTHENTICATIONFAILED" || n == "AUTHORIZATIONFAILED" || n == "EXPIRED" || n == "PRIVACYREQUIRED" ||
            n == "CONTACTADMIN" || n == "NOPERM" || n == "ALERT")
            return false;
    }
    return response_.cond == condition::bye;
}

} // namespace pigeon::imap
