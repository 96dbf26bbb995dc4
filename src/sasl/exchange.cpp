#include "pigeon/sasl/exchange.hpp"

#include "detail/crypto.hpp"
#include "pigeon/sasl/error.hpp"

namespace pigeon::sasl {
namespace {

exchange_result failed(std::error_code ec, reply r) {
    exchange_result res;
    res.ok = false;
    res.error = ec;
    res.final_reply = std::move(r);
    return res;
}

/// Cancels the exchange ("*") and returns the server's closing reply with ec.
exchange_result cancel(binding& b, std::error_code ec) {
    b.send_cancel();
    return failed(ec, b.read_reply());
}

/// Base64-encodes a response, sends it and wipes both copies.
void send_secret_response(binding& b, std::string& raw) {
    std::string b64 = detail::base64_encode(raw);
    detail::wipe(raw);
    b.send_response(b64);
    detail::wipe(b64);
}

} // namespace

exchange_result exchange(mechanism& mech, binding& b, const exchange_limits& limits) {
    std::error_code ec;
    std::optional<std::string> initial = mech.initial_response(ec);
    if (ec) {
        if (initial) detail::wipe(*initial);
        return failed(ec, {});  // nothing sent yet: nothing to cancel
    }

    // An initial response that cannot go on the start line is sent in answer
    // to the server's first (empty) challenge instead. On the start line an
    // empty initial response is "=" (RFC 4954, RFC 4959); as a response line
    // it is the empty line.
    std::optional<std::string> deferred;
    if (initial) {
        std::string b64 = detail::base64_encode(*initial);
        detail::wipe(*initial);
        std::optional<std::string> on_line = b64.empty() ? std::string("=") : b64;
        if (b.initial_response_fits(on_line->size())) {
            b.send_start(mech.name(), on_line);
            detail::wipe(b64);
        } else {
            b.send_start(mech.name(), std::nullopt);
            deferred = std::move(b64);
        }
        detail::wipe(*on_line);
    } else {
        b.send_start(mech.name(), std::nullopt);
    }

    unsigned challenges = 0;
    for (;;) {
        reply r = b.read_reply();
        switch (r.type) {
        case reply::kind::failure:
            if (deferred) detail::wipe(*deferred);
            return failed(errc::rejected, std::move(r));

        case reply::kind::success: {
            if (deferred) detail::wipe(*deferred);
            if (!r.payload.empty()) {
                std::optional<std::string> data = detail::base64_decode(r.payload);
                if (!data) return failed(errc::bad_challenge, std::move(r));
                mech.on_success_data(*data, ec);
                if (ec) return failed(ec, std::move(r));
            }
            // A server that claims success without proving it knows the
            // password (SCRAM's server signature) may be an impostor.
            if (!mech.server_verified()) return failed(errc::bad_server_signature, std::move(r));
            exchange_result res;
            res.ok = true;
            res.final_reply = std::move(r);
            return res;
        }

        case reply::kind::challenge: {
            if (++challenges > limits.max_challenges) {
                if (deferred) detail::wipe(*deferred);
                return cancel(b, errc::too_many_challenges);
            }
            if (deferred) {
                // The prompt for the initial response. Its content is not used
                // (it should be empty; some servers put text there).
                b.send_response(*deferred);
                detail::wipe(*deferred);
                deferred.reset();
                continue;
            }
            const std::optional<std::string> data = detail::base64_decode(r.payload);
            if (!data) return cancel(b, errc::bad_challenge);
            std::string response = mech.respond(*data, ec);
            if (ec) {
                detail::wipe(response);
                return cancel(b, ec);
            }
            send_secret_response(b, response);
            continue;
        }
        }
        // A reply kind outside the enumeration: treat as failure.
        if (deferred) detail::wipe(*deferred);
        return failed(errc::rejected, std::move(r));
    }
}

} // namespace pigeon::sasl
