#include "pigeon/smtp/error.hpp"

#include <utility>

namespace pigeon::smtp {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "smtp"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::bad_reply: return "malformed reply from the server";
        case errc::inconsistent_reply: return "multi-line reply with differing codes";
        case errc::reply_too_long: return "reply has too many lines";
        case errc::reply_line_too_long: return "reply line too long";
        case errc::nul_in_reply: return "reply contains a NUL or CR byte";
        case errc::invalid_argument: return "command argument contains a forbidden character";
        case errc::invalid_address: return "invalid envelope address";
        case errc::invalid_parameter: return "invalid ESMTP parameter value";
        case errc::no_recipients: return "no recipients";
        case errc::message_too_big: return "message exceeds the server's size limit";
        case errc::need_8bitmime: return "message needs 8BITMIME, which the server does not offer";
        case errc::need_smtputf8: return "message needs SMTPUTF8, which the server does not offer";
        case errc::need_dsn: return "DSN requested, but the server does not offer DSN";
        case errc::need_binarymime: return "BINARYMIME requested, but the server does not offer BINARYMIME and CHUNKING";
        case errc::invalid_state: return "operation not allowed in the current session state";
        case errc::unexpected_reply: return "unexpected reply from the server";
        case errc::service_unavailable: return "service not available, server closing the connection";
        case errc::starttls_unavailable: return "TLS required, but the server does not offer STARTTLS";
        case errc::starttls_refused: return "TLS required, but the server refused STARTTLS";
        case errc::command_refused: return "command refused by the server";
        case errc::hello_refused: return "EHLO/HELO refused by the server";
        case errc::sender_refused: return "sender refused by the server";
        case errc::recipients_refused: return "all recipients refused by the server";
        case errc::data_refused: return "message refused by the server";
        case errc::auth_unavailable: return "no usable authentication mechanism offered";
        case errc::auth_failed: return "authentication failed";
        }
        return "unknown smtp error";
    }
};

} // namespace

const std::error_category& smtp_category() noexcept {
    static const category c;
    return c;
}

// std::system_error appends ": " + ec.message() to what: when what already is
// that message, pass nothing, or the text would say it twice.
protocol_error::protocol_error(std::error_code ec, const std::string& what, reply r)
    : net::transport_error(what == ec.message() ? net::transport_error(ec) : net::transport_error(ec, what)),
      reply_(std::move(r)) {}

command_error::command_error(std::error_code ec, const std::string& what, reply r)
    : std::system_error(what == ec.message() ? std::system_error(ec) : std::system_error(ec, what)),
      reply_(std::move(r)) {}

send_error::send_error(std::error_code ec, const std::string& what, reply r,
                       std::vector<recipient_result> results)
    : command_error(ec, what, std::move(r)), results_(std::move(results)) {}

auth_error::auth_error(std::error_code ec, const std::string& what, reply r, std::error_code sasl_ec,
                       std::string mechanism)
    : command_error(ec, what, std::move(r)), sasl_(sasl_ec), mechanism_(std::move(mechanism)) {}

} // namespace pigeon::smtp
