#pragma once
// What an NNTP connection learned while it was set up, for `pigeon probe`.
#include <string>
#include <vector>

namespace pigeon::nntp {

struct session_info {
    /// The greeting line as received (without CRLF). On a STARTTLS
    /// connection it was received before TLS: informational, not trusted.
    std::string greeting;
    /// 200 (posting allowed) or 201 (no posting).
    int greeting_code = 0;
    /// The CAPABILITIES lines received on the clear connection (STARTTLS, or
    /// no TLS at all); empty with implicit TLS or when the server refused.
    std::vector<std::string> capabilities_before_tls;
    /// The CAPABILITIES lines received under TLS.
    std::vector<std::string> capabilities_after_tls;
    bool tls_active = false;
    bool starttls_used = false;
};

} // namespace pigeon::nntp
