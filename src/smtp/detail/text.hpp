#pragma once
// Reply text helpers shared by the smtp sources (not public API). The ASCII
// basics (case, character classes) are in pigeon/net/ascii.hpp.
#include <cstddef>
#include <string_view>

namespace pigeon::smtp::detail {

/// Length of a leading enhanced status "k.s.d" of class klass followed by a
/// space (included) or the end of s; 0 when s does not start with one.
/// Sets the parsed numbers when non-null.
std::size_t enhanced_status_prefix(std::string_view s, int klass, unsigned* subject = nullptr,
                                   unsigned* detail = nullptr) noexcept;

} // namespace pigeon::smtp::detail
