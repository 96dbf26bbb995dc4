#pragma once
// What a POP3 connection learned while it was set up, for `pigeon probe`.
#include <string>
#include <vector>

namespace pigeon::pop3 {

struct session_info {
    /// The greeting line as received (without CRLF). On a STARTTLS
    /// connection it was received before TLS: informational, not trusted.
    std::string greeting;
    /// The CAPA lines received on the clear connection (STARTTLS, or no TLS
    /// at all); empty with implicit TLS or when CAPA was refused.
    std::vector<std::string> capabilities_before_tls;
    /// The CAPA lines received under TLS (after STLS, or with implicit TLS).
    std::vector<std::string> capabilities_after_tls;
    /// True once TLS protects the connection; channel().tls() has details.
    bool tls_active = false;
    /// True when TLS came from STLS rather than implicit TLS.
    bool starttls_used = false;
};

} // namespace pigeon::pop3
