#include "pigeon/core/error.hpp"

#include <utility>

namespace pigeon::core {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pigeon.client"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::malformed_reply: return "malformed reply from the server";
        case errc::unexpected_reply: return "unexpected reply from the server";
        case errc::response_too_large: return "server response exceeds its limit";
        case errc::bad_greeting: return "the server's greeting is not valid";
        case errc::greeting_refused: return "the server refused the connection";
        case errc::service_unavailable: return "service not available, server closing the connection";
        case errc::server_bye: return "the server closed the connection (BYE)";
        case errc::starttls_not_offered: return "TLS required, but the server does not offer STARTTLS";
        case errc::starttls_refused: return "TLS required, but the server refused STARTTLS";
        case errc::preauth_without_tls: return "PREAUTH greeting on a connection that must use TLS";
        case errc::capability_failed: return "the server did not report its capabilities";
        case errc::hello_refused: return "EHLO/HELO refused by the server";
        case errc::unknown_tag: return "response for a command that is not in progress";
        case errc::early_completion: return "command completed before it was sent completely";
        case errc::unexpected_continuation: return "unexpected continuation request";
        case errc::line_too_long: return "reply line too long";
        case errc::literal_too_large: return "literal too large";
        case errc::too_deep: return "response nested too deeply";
        case errc::too_many_tokens: return "response has too many elements";
        case errc::inconsistent_reply: return "multi-line reply with differing codes";
        case errc::nul_in_reply: return "reply contains a NUL or CR byte";
        case errc::command_failed: return "command refused by the server";
        case errc::sender_refused: return "sender refused by the server";
        case errc::recipients_refused: return "all recipients refused by the server";
        case errc::data_refused: return "message refused by the server";
        case errc::auth_failed: return "authentication failed";
        case errc::no_mechanism: return "no usable authentication mechanism offered";
        case errc::cleartext_refused: return "refusing to send a secret over a connection without TLS";
        case errc::login_disabled: return "the server disabled password login (LOGINDISABLED)";
        case errc::invalid_argument: return "argument contains a forbidden character";
        case errc::invalid_state: return "operation not allowed in the current session state";
        case errc::not_supported: return "the server does not support this operation";
        case errc::invalid_address: return "invalid envelope address";
        case errc::invalid_parameter: return "invalid ESMTP parameter value";
        case errc::no_recipients: return "no recipients";
        case errc::message_too_big: return "message exceeds the server's size limit";
        case errc::need_8bitmime: return "message needs 8BITMIME, which the server does not offer";
        case errc::need_smtputf8: return "message needs SMTPUTF8, which the server does not offer";
        case errc::need_dsn: return "DSN requested, but the server does not offer DSN";
        case errc::need_binarymime:
            return "BINARYMIME requested, but the server does not offer BINARYMIME and CHUNKING";
        }
        return "unknown client error";
    }
};

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

} // namespace

const std::error_category& client_category() noexcept {
    static const category c;
    return c;
}

std::string server_reply::text() const {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        out += lines[i];
    }
    return out;
}

bool server_reply::has_code(std::string_view c) const noexcept {
    if (c.empty() || response_code.size() < c.size()) return false;
    for (std::size_t i = 0; i < c.size(); ++i)
        if (lower(response_code[i]) != lower(c[i])) return false;
    return response_code.size() == c.size() || response_code[c.size()] == '/';
}

// std::system_error appends ": " + ec.message() to what: when what already is
// that message, pass nothing, or the text would say it twice.
protocol_error::protocol_error(std::error_code ec, const std::string& what, core::server_reply r)
    : net::transport_error(what == ec.message() || what.empty() ? net::transport_error(ec)
                                                                : net::transport_error(ec, what)),
      reply_(std::move(r)) {}

command_error::command_error(std::error_code ec, const std::string& what, core::server_reply r)
    : std::system_error(what == ec.message() || what.empty() ? std::system_error(ec) : std::system_error(ec, what)),
      reply_(std::move(r)) {}

auth_error::auth_error(std::error_code ec, const std::string& what, core::server_reply r, std::error_code sasl_ec,
                       std::string mechanism)
    : command_error(ec, what, std::move(r)), sasl_(sasl_ec), mechanism_(std::move(mechanism)) {}

request_error::request_error(std::error_code ec, const std::string& what)
    : std::system_error(what == ec.message() || what.empty() ? std::system_error(ec) : std::system_error(ec, what)) {}

std::string excerpt(std::string_view s, std::size_t max) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    const bool cut = s.size() > max;
    if (cut) s = s.substr(0, max);
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '\\') {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        } else {
            out += c;
        }
    }
    if (cut) out += "...";
    return out;
}

} // namespace pigeon::core
