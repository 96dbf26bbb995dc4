#pragma once
// The CAPA list of RFC 2449: one capability per line, a keyword and its
// arguments ("SASL PLAIN SCRAM-SHA-256", "STLS", "USER", "RESP-CODES").
// has(), arguments(), sasl_mechanisms(), lines(): core::keyword_capabilities.
#include <string>
#include <vector>

#include "pigeon/core/keyword_capabilities.hpp"

namespace pigeon::pop3 {

class capabilities : public core::keyword_capabilities {
public:
    capabilities() = default;
    /// From the lines of a CAPA response without its status line and final
    /// ".". Blank lines are skipped; never fails.
    static capabilities parse(const std::vector<std::string>& lines) { return parse_lines<capabilities>(lines); }

    bool stls() const noexcept { return has("STLS"); }
    bool user() const noexcept { return has("USER"); }
    bool pipelining() const noexcept { return has("PIPELINING"); }
    bool resp_codes() const noexcept { return has("RESP-CODES"); }
    bool top() const noexcept { return has("TOP"); }
    bool uidl() const noexcept { return has("UIDL"); }
};

} // namespace pigeon::pop3
