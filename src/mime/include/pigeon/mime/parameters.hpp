#pragma once
// MIME parameter lists (RFC 2045 section 5.1) with RFC 2231 extensions:
// continuations (name*0, name*1...), charset and language (name*=utf-8'en'..)
// and percent-encoding. Values come out as UTF-8.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::mime {

struct parameter {
    std::string name;   ///< lower-cased, without RFC 2231 section markers
    std::string value;  ///< decoded, UTF-8
};

struct parameter_options {
    /// Most raw name=value pairs read from one header; the rest are ignored
    /// (bounds CPU on hostile input, cf. Dovecot CVE-2026-27859).
    std::size_t max_parameters = 512;
    /// Highest RFC 2231 section number accepted (name*N); higher ones are ignored.
    std::size_t max_section = 999;
    /// Decode RFC 2047 encoded words found in plain parameter values (not
    /// standard, but what many mailers send for filenames).
    bool decode_encoded_words = true;
};

class parameter_list {
public:
    /// Value of the parameter named name (case-insensitive), if present.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const parameter& operator[](std::size_t i) const noexcept { return items_[i]; }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }
    /// Sets (replaces) a parameter.
    void set(std::string_view name, std::string_view value);
    /// True when the header had malformed parameters (skipped or repaired).
    bool had_defects = false;

private:
    friend parameter_list parse_parameters(std::string_view, const parameter_options&);
    std::vector<parameter> items_;
};

/// Parses "; a=b; c*0*=utf-8''%C3%A9..." (text after the main value of a
/// Content-Type or Content-Disposition). Input may be folded; comments are
/// skipped. Never fails: unparsable pieces are dropped and had_defects set.
parameter_list parse_parameters(std::string_view text, const parameter_options& opts = {});

} // namespace pigeon::mime
