#pragma once
// From an SMTP attempt to the spool's bookkeeping (store/retry_schedule.hpp):
// which recipients were accepted, which refused for good (5yz) and which are
// to be tried again (4yz, and everything that stopped the attempt before
// the server answered for them: connection refused, timeouts, TLS, AUTH).
#include <exception>
#include <string>
#include <vector>

#include "pigeon/smtp/result.hpp"
#include "pigeon/store/retry_schedule.hpp"

namespace pigeon::outbox {

/// A reply on one line ("451 4.3.0 try again later").
std::string one_line(const smtp::reply& r);

/// The outcome of each recipient of a send() that returned.
std::vector<store::recipient_outcome> outcomes_of(const smtp::send_result& r);

struct failed_attempt {
    std::vector<store::recipient_outcome> outcomes;  ///< per recipient, when the server said
    std::string error;                               ///< what stopped the attempt
};

/// The outcome of a send() that threw e, for the given recipients:
/// smtp::send_error gives each recipient its own reply (a recipient the
/// server never answered takes the deciding reply: MAIL FROM's or the
/// data's); smtp::request_error (refused locally: over SIZE, DSN or
/// SMTPUTF8 not offered) and other 5yz command errors fail every recipient;
/// anything else (transport, TLS, protocol, AUTH refused, 4yz) leaves them
/// pending: outcomes is empty, error says why.
failed_attempt outcomes_of_failure(const std::exception& e, const std::vector<std::string>& recipients);

} // namespace pigeon::outbox
