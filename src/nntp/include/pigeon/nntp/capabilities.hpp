#pragma once
// The CAPABILITIES list of RFC 3977 section 5.2: one capability per line, a
// keyword and its arguments ("VERSION 2", "READER", "AUTHINFO USER SASL",
// "SASL PLAIN SCRAM-SHA-256", "LIST ACTIVE NEWSGROUPS", "STARTTLS").
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::nntp {

class capabilities {
public:
    struct entry {
        std::string keyword;                 ///< upper case
        std::vector<std::string> arguments;  ///< as sent
    };

    capabilities() = default;
    /// Builds the set from the lines of a 101 response (without the status
    /// line and the terminating "."). Blank lines are skipped; never fails.
    static capabilities parse(const std::vector<std::string>& lines);

    bool empty() const noexcept { return entries_.empty(); }
    bool has(std::string_view keyword) const noexcept;
    const std::vector<std::string>& arguments(std::string_view keyword) const noexcept;
    /// Does keyword carry argument arg (both ASCII case-insensitive)?
    bool has_argument(std::string_view keyword, std::string_view arg) const noexcept;

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
    /// The mechanisms of the SASL line, upper case.
    std::vector<std::string> sasl_mechanisms() const;
    /// The LIST variants offered (ACTIVE, NEWSGROUPS, OVERVIEW.FMT, ...), upper case.
    std::vector<std::string> list_variants() const;
    std::string implementation() const;

    const std::vector<entry>& entries() const noexcept { return entries_; }
    const std::vector<std::string>& lines() const noexcept { return lines_; }

private:
    std::vector<entry> entries_;
    std::vector<std::string> lines_;
};

} // namespace pigeon::nntp
