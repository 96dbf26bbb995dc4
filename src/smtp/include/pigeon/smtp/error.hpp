#pragma once
// SMTP errors are the core's (pigeon/core/error.hpp): one category and one
// exception hierarchy for every protocol, plus send_error, SMTP's own
// command_error that carries a result for every recipient.
//
//   std::system_error
//    ├─ net::transport_error        connection dead (timeouts, EOF, TLS)
//    │   └─ protocol_error          connection dead because of the server:
//    │                              bad reply syntax, 421, greeting or EHLO
//    │                              refused, STARTTLS missing or refused
//    ├─ command_error               the server refused a command; the
//    │   │                          connection stays usable (reply attached)
//    │   ├─ send_error              a message went to nobody; per-recipient
//    │   │                          results attached
//    │   └─ auth_error              authentication failed
//    └─ request_error               refused locally, nothing sent: invalid
//                                   address, message over SIZE, extension the
//                                   message needs not offered, wrong state
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/core/error.hpp"
#include "pigeon/smtp/reply.hpp"
#include "pigeon/smtp/result.hpp"

namespace pigeon::smtp {

using namespace core::error_names;

/// An SMTP reply in the error model's terms: code, enhanced status as
/// response_code ("5.1.1"), lines as "ddd text", 4yz transient, 5yz permanent.
core::server_reply to_server_reply(const reply& r);
/// Back from the error model to an SMTP reply (code, enhanced status, lines).
reply to_reply(const core::server_reply& r);

/// A message went to nobody: MAIL FROM refused, every recipient refused, or
/// the data refused. results() holds an entry per recipient with its reply.
/// server_reply() is the deciding reply; with several refused recipients it is
/// a permanent one if any (so is_transient() means "every refusal was 4yz").
class send_error : public core::command_error {
public:
    send_error(std::error_code ec, const std::string& what, const reply& r, std::vector<recipient_result> results);
    send_error(errc e, const std::string& what, const reply& r, std::vector<recipient_result> results)
        : send_error(make_error_code(e), what, r, std::move(results)) {}
    const std::vector<recipient_result>& results() const noexcept { return results_; }

private:
    std::vector<recipient_result> results_;
};

} // namespace pigeon::smtp
