#pragma once
// The article range argument of LISTGROUP, OVER, XOVER, HDR and XHDR
// (RFC 3977 section 1.6 / 6.1.2): "n" (one article), "n-" (n and every
// later one), "n-m" (n to m; empty when m < n).
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/nntp/article_ref.hpp"

namespace pigeon::nntp {

struct range {
    enum class shape { single, from, between };

    shape form = shape::single;
    article_number first = 0;
    article_number last = 0;   ///< == first for single; unused for from

    static range single(article_number n) noexcept { return {shape::single, n, n}; }
    static range from(article_number n) noexcept { return {shape::from, n, 0}; }
    static range between(article_number n, article_number m) noexcept { return {shape::between, n, m}; }

    /// The wire form: "n", "n-" or "n-m".
    std::string to_string() const;
    bool contains(article_number n) const noexcept;
    /// "n-m" with m < n selects nothing (RFC 3977 section 1.6).
    bool empty() const noexcept { return form == shape::between && last < first; }

    friend bool operator==(const range&, const range&) = default;
};

/// Parses "n", "n-" or "n-m" (as a user might type it; the server never sends
/// one). Errors: codec_errc::malformed, invalid_number, number_too_large.
std::optional<range> parse_range(std::string_view s, std::error_code& ec) noexcept;

} // namespace pigeon::nntp
