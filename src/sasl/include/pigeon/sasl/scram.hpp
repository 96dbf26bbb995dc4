#pragma once
// SCRAM (RFC 5802, RFC 7677) with options beyond make_mechanism().
#include <memory>
#include <string>

#include "pigeon/sasl/mechanism.hpp"

namespace pigeon::sasl {

enum class scram_hash { sha1, sha256 };

struct scram_options {
    /// TEST ONLY. The client nonce to send instead of a fresh random one, so
    /// that tests can replay the RFC 5802 / RFC 7677 example exchanges. Must
    /// be printable ASCII without ','. Empty (the default): 18 bytes from
    /// RAND_bytes, base64-encoded. Never set this outside tests: a fixed
    /// nonce lets anyone who saw one exchange replay it.
    std::string client_nonce;
};

/// SCRAM-SHA-1 or SCRAM-SHA-256 without channel binding (gs2 header "n,,",
/// or "n,a=<authzid>," with an authzid). make_mechanism() calls this with
/// default options.
std::unique_ptr<mechanism> make_scram(scram_hash hash, const credentials& creds,
                                      const mechanism_limits& limits = {},
                                      const scram_options& opts = {});

} // namespace pigeon::sasl
