#pragma once
// SASL mechanisms as byte-in/byte-out state machines. They never see base64
// or the protocol: the exchange loop (exchange.hpp) does that.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::sasl {

struct credentials {
    std::string username;     ///< authentication identity (authcid)
    std::string password;     ///< UTF-8; SASLprep'd by the mechanisms that need it
    std::string authzid;      ///< authorisation identity; usually empty
    std::string oauth_token;  ///< bearer token for XOAUTH2 / OAUTHBEARER
    std::string host;         ///< server host, for OAUTHBEARER's "host=" (optional)
    unsigned short port = 0;  ///< server port, for OAUTHBEARER's "port=" (optional)
};

struct mechanism_limits {
    /// Highest SCRAM iteration count accepted from a server (CPU DoS guard).
    unsigned scram_max_iterations = 100000;
    /// Lowest SCRAM iteration count accepted: 4096, the minimum RFC 7677 (5)
    /// sets for SCRAM-SHA-256 and RFC 5802 (5.1) recommends for SCRAM-SHA-1.
    /// A lower count from a server (a downgrade that makes a stolen exchange
    /// cheap to brute-force) fails with errc::iteration_count.
    unsigned scram_min_iterations = 4096;
};

class mechanism {
public:
    virtual ~mechanism() = default;
    /// IANA name, upper case: "SCRAM-SHA-256".
    virtual std::string_view name() const noexcept = 0;
    /// The client's first message when the mechanism is client-first
    /// (PLAIN, SCRAM, XOAUTH2, OAUTHBEARER, EXTERNAL); nullopt when the server
    /// speaks first (LOGIN, CRAM-MD5). An empty string is a real, empty
    /// initial response (distinct from nullopt).
    virtual std::optional<std::string> initial_response(std::error_code& ec) = 0;
    /// Answers a server challenge (raw bytes). Sets ec on a challenge the
    /// mechanism cannot accept (bad SCRAM nonce, wrong server signature,
    /// iteration count over the limit); the exchange then cancels.
    virtual std::string respond(std::string_view challenge, std::error_code& ec) = 0;
    /// Additional data delivered with the success reply (SCRAM's server-final
    /// message may come this way); verify it. Default: accept nothing special.
    virtual void on_success_data(std::string_view data, std::error_code& ec);
    /// True once the mechanism has verified the server where it can (SCRAM's
    /// server signature). The exchange refuses success before that.
    virtual bool server_verified() const noexcept { return true; }
    /// True when the mechanism sends the password or token in a form an
    /// eavesdropper can reuse (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER).
    virtual bool exposes_secret() const noexcept = 0;
};

/// Creates a mechanism by IANA name (case-insensitive). nullptr if unknown.
std::unique_ptr<mechanism> make_mechanism(std::string_view name, const credentials& creds,
                                          const mechanism_limits& limits = {});

} // namespace pigeon::sasl
