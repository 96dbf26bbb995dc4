#pragma once
// What an IMAP connection learned while it was set up, for `pigeon probe`.
#include <string>
#include <vector>

namespace pigeon::imap {

struct session_info {
    /// The greeting line's text as received: "* OK [CAPABILITY ...] Dovecot
    /// ready." On a STARTTLS connection it came before TLS: informational,
    /// not trusted.
    std::string greeting;
    /// True for a "* PREAUTH" greeting.
    bool preauth = false;
    /// Capabilities (one atom per entry, as sent) learned on the clear
    /// connection, from the greeting's [CAPABILITY] code or CAPABILITY;
    /// empty with implicit TLS.
    std::vector<std::string> capabilities_before_tls;
    /// Capabilities learned under TLS (CAPABILITY after STARTTLS, or the
    /// greeting / CAPABILITY with implicit TLS).
    std::vector<std::string> capabilities_after_tls;
    bool tls_active = false;
    bool starttls_used = false;
};

} // namespace pigeon::imap
