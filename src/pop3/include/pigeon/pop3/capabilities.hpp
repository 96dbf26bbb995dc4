#pragma once
// The CAPA list of RFC 2449: one capability per line, a keyword and its
// arguments ("SASL PLAIN SCRAM-SHA-256", "STLS", "USER", "RESP-CODES").
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::pop3 {

class capabilities {
public:
    struct entry {
        std::string keyword;                 ///< upper case
        std::vector<std::string> arguments;  ///< as sent
    };

    capabilities() = default;
    /// Builds the set from the lines of a CAPA response (without the status
    /// line and the terminating "."). Blank lines are skipped; never fails.
    static capabilities parse(const std::vector<std::string>& lines);

    bool empty() const noexcept { return entries_.empty(); }
    /// Is the keyword present (ASCII case-insensitive)?
    bool has(std::string_view keyword) const noexcept;
    /// The arguments of a keyword; empty if absent or without arguments.
    const std::vector<std::string>& arguments(std::string_view keyword) const noexcept;

    bool stls() const noexcept { return has("STLS"); }
    bool user() const noexcept { return has("USER"); }
    bool pipelining() const noexcept { return has("PIPELINING"); }
    bool resp_codes() const noexcept { return has("RESP-CODES"); }
    bool top() const noexcept { return has("TOP"); }
    bool uidl() const noexcept { return has("UIDL"); }
    /// The mechanisms of the SASL line, upper case.
    std::vector<std::string> sasl_mechanisms() const;
    /// IMPLEMENTATION's arguments joined by spaces (informational).
    std::string implementation() const;

    const std::vector<entry>& entries() const noexcept { return entries_; }
    /// The lines as received, for display.
    const std::vector<std::string>& lines() const noexcept { return lines_; }

private:
    std::vector<entry> entries_;
    std::vector<std::string> lines_;
};

} // namespace pigeon::pop3
