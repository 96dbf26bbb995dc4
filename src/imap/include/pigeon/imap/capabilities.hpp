#pragma once
// IMAP capabilities (RFC 9051 section 7.2.2): atoms such as IMAP4rev1,
// STARTTLS, LOGINDISABLED, AUTH=SCRAM-SHA-256, SASL-IR, LITERAL+, IDLE.
// From an untagged CAPABILITY response or a [CAPABILITY ...] response code.
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/imap/response.hpp"

namespace pigeon::imap {

class capabilities {
public:
    capabilities() = default;
    /// From capability atoms as sent; empty strings are skipped.
    static capabilities parse(const std::vector<std::string>& atoms);
    /// From "* CAPABILITY ..." data tokens (non-atoms are ignored).
    static capabilities from_tokens(const std::vector<token>& data);
    /// From a response code's text: "IMAP4rev1 STARTTLS AUTH=PLAIN".
    static capabilities from_code(const response_code& code);

    bool empty() const noexcept { return atoms_.empty(); }
    /// Is the capability present (ASCII case-insensitive)?
    bool has(std::string_view name) const noexcept;

    bool imap4rev1() const noexcept { return has("IMAP4rev1"); }
    bool imap4rev2() const noexcept { return has("IMAP4rev2"); }
    bool starttls() const noexcept { return has("STARTTLS"); }
    bool login_disabled() const noexcept { return has("LOGINDISABLED"); }
    bool sasl_ir() const noexcept { return has("SASL-IR"); }
    /// Non-synchronizing literals of any size (RFC 7888 LITERAL+).
    bool literal_plus() const noexcept { return has("LITERAL+"); }
    /// Non-synchronizing literals up to 4096 octets (RFC 7888 LITERAL-).
    bool literal_minus() const noexcept { return has("LITERAL-"); }
    /// The AUTH= mechanisms, upper case, in the server's order.
    std::vector<std::string> auth_mechanisms() const;

    /// The atoms as received, for display.
    const std::vector<std::string>& atoms() const noexcept { return atoms_; }

private:
    std::vector<std::string> atoms_;
};

} // namespace pigeon::imap
