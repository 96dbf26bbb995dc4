#pragma once
// A capability list of one keyword and its arguments a line, as POP3's CAPA
// (RFC 2449) and NNTP's CAPABILITIES (RFC 3977 section 5.2) send it:
// "SASL PLAIN SCRAM-SHA-256", "STLS", "AUTHINFO USER SASL", "VERSION 2".
// pop3::capabilities and nntp::capabilities add their protocols' names.
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::core {

class keyword_capabilities {
public:
    struct entry {
        std::string keyword;                 ///< upper case
        std::vector<std::string> arguments;  ///< as sent
    };

    bool empty() const noexcept { return entries_.empty(); }
    /// Is the keyword present (ASCII case-insensitive)?
    bool has(std::string_view keyword) const noexcept;
    /// The arguments of a keyword; empty if absent or without arguments.
    const std::vector<std::string>& arguments(std::string_view keyword) const noexcept;
    /// Does keyword carry argument arg (both ASCII case-insensitive)?
    bool has_argument(std::string_view keyword, std::string_view arg) const noexcept;
    /// The mechanisms of the SASL line, upper case.
    std::vector<std::string> sasl_mechanisms() const;
    /// IMPLEMENTATION's arguments joined by spaces (informational).
    std::string implementation() const;

    const std::vector<entry>& entries() const noexcept { return entries_; }
    /// The lines as received, for display.
    const std::vector<std::string>& lines() const noexcept { return lines_; }

protected:
    keyword_capabilities() = default;
    /// A Derived built from the lines (see add_lines).
    template <class Derived>
    static Derived parse_lines(const std::vector<std::string>& lines) {
        Derived d;
        d.add_lines(lines);
        return d;
    }
    /// Adds the lines of a response (without the status line and the
    /// terminating "."). Blank lines are skipped; never fails.
    void add_lines(const std::vector<std::string>& lines);
    /// A keyword's arguments, upper case.
    std::vector<std::string> upper_arguments(std::string_view keyword) const;

private:
    std::vector<entry> entries_;
    std::vector<std::string> lines_;
};

} // namespace pigeon::core
