#pragma once
// The CAPABILITIES list of RFC 3977 section 5.2: one capability per line, a
// keyword and its arguments ("VERSION 2", "READER", "AUTHINFO USER SASL",
// "SASL PLAIN SCRAM-SHA-256", "LIST ACTIVE NEWSGROUPS", "STARTTLS").
// has(), arguments(), has_argument(), sasl_mechanisms(), lines():
// core::keyword_capabilities.
#include <string>
#include <vector>

#include "pigeon/core/keyword_capabilities.hpp"

namespace pigeon::nntp {

class capabilities : public core::keyword_capabilities {
public:
    capabilities() = default;
    /// From the lines of a 101 response without its status line and final
    /// ".". Blank lines are skipped; never fails.
    static capabilities parse(const std::vector<std::string>& lines) { return parse_lines<capabilities>(lines); }

    /// The highest number on the VERSION line (2 for RFC 3977), 0 if none.
    int version() const noexcept;
    bool reader() const noexcept { return has("READER"); }
    bool mode_reader() const noexcept { return has("MODE-READER"); }
    bool starttls() const noexcept { return has("STARTTLS"); }
    bool post() const noexcept { return has("POST"); }
    bool ihave() const noexcept { return has("IHAVE"); }
    bool over() const noexcept { return has("OVER"); }
    bool hdr() const noexcept { return has("HDR"); }
    bool newnews() const noexcept { return has("NEWNEWS"); }
    /// AUTHINFO USER (RFC 4643 section 2.3) is offered now.
    bool authinfo_user() const noexcept { return has_argument("AUTHINFO", "USER"); }
    /// AUTHINFO SASL (RFC 4643 section 2.4) is offered now.
    bool authinfo_sasl() const noexcept { return has_argument("AUTHINFO", "SASL"); }
    /// The LIST variants offered (ACTIVE, NEWSGROUPS, OVERVIEW.FMT, ...), upper case.
    std::vector<std::string> list_variants() const { return upper_arguments("LIST"); }
};

} // namespace pigeon::nntp
