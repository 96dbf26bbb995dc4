#pragma once
// The one SASL exchange loop, shared by SMTP, POP3, IMAP and NNTP. Each
// protocol supplies a binding: how to send the start command and responses,
// and how to classify a reply. The loop does base64, the challenge limit,
// cancellation and the server-verification check.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/sasl/mechanism.hpp"

namespace pigeon::sasl {

/// A protocol reply as the exchange needs it.
struct reply {
    enum class kind {
        challenge,  ///< 334 / "+ " / 383: payload is base64 (may be empty)
        success,    ///< 235 / +OK / tagged OK / 281 (283 with data)
        failure,    ///< anything else; the exchange ends
    };
    kind type = kind::failure;
    std::string payload;  ///< base64 challenge, or base64 success data (may be empty)
    std::string text;     ///< the whole reply as received, for error messages
};

class binding {
public:
    virtual ~binding() = default;
    /// Sends the start command ("AUTH mech [ir]", "AUTHENTICATE mech [ir]",
    /// "AUTHINFO SASL mech [ir]"). initial_b64 is the base64 initial response
    /// ("=" for an empty one) when the protocol may carry it on this line, or
    /// nullopt. The binding marks the response as secret for the trace.
    virtual void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) = 0;
    /// Sends one base64 response line (secret in the trace).
    virtual void send_response(std::string_view b64) = 0;
    /// Sends the cancel line "*".
    virtual void send_cancel() = 0;
    /// Reads and classifies the next reply.
    virtual reply read_reply() = 0;
    /// May the initial response of this length (base64) go on the start line?
    /// SMTP: if the line stays within 512 octets; IMAP: only with SASL-IR.
    virtual bool initial_response_fits(std::size_t b64_length) const = 0;
};

struct exchange_limits {
    /// Most challenges answered before the exchange gives up.
    unsigned max_challenges = 10;
};

struct exchange_result {
    bool ok = false;
    std::error_code error;    ///< why it failed (sasl::errc), empty when ok
    reply final_reply;        ///< the server's last reply
};

/// Runs the exchange. Transport failures from the binding propagate as
/// exceptions; everything else is in the result.
exchange_result exchange(mechanism& mech, binding& b, const exchange_limits& limits = {});

} // namespace pigeon::sasl
