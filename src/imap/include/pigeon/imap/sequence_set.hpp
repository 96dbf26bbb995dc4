#pragma once
// Sequence sets and UID sets (RFC 9051 sequence-set, RFC 4315 uid-set):
// "1:500,502", "7:*". Kept as ranges and never expanded behind the
// caller's back, so "1:4294967295" costs one range, not four billion
// numbers.
//
//   auto s = sequence_set::from_numbers({3, 1, 2, 7});     // "1:3,7"
//   std::error_code ec;
//   auto t = sequence_set::parse("5:3,9:*", ec);          // 3:5 and 9:*
//   for (std::uint32_t n : t->resolved(12)) ...           // 3 4 5 9 10 11 12
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pigeon::imap {

class sequence_set {
public:
    /// "*": the largest number in use (the last message, the largest UID).
    /// It is never a real message number, which start at 1.
    static constexpr std::uint32_t star = 0;

    /// first..last inclusive; first <= last, where star counts as larger
    /// than every number (so "*:5" is stored as {5, star}).
    struct range {
        std::uint32_t first = 1;
        std::uint32_t last = 1;
        bool operator==(const range&) const = default;
    };

    sequence_set() = default;

    /// The numbers sorted, duplicates dropped, runs merged:
    /// {5, 1, 2, 3, 500, 4} gives "1:5,500". Zeros are ignored.
    static sequence_set from_numbers(std::vector<std::uint32_t> numbers);
    /// One range, in either order ("5:3" is 3:5); star allowed.
    static sequence_set from_range(std::uint32_t a, std::uint32_t b);
    /// Parses sequence-set text: comma-separated numbers, "*" and ranges
    /// "a:b" in either order, ranges kept in the order written. Anything
    /// else (empty text or element, 0, leading zeros, numbers over
    /// 4294967295, "$", spaces) gives nullopt and errc::malformed_reply; more
    /// than max_ranges elements errc::too_many_tokens.
    static std::optional<sequence_set> parse(std::string_view text, std::error_code& ec,
                                             std::size_t max_ranges = 1000000);

    /// Appends a number or a range (in either order) at the end; 0 is
    /// ignored by add(), and means star in add_range().
    void add(std::uint32_t n);
    void add_range(std::uint32_t a, std::uint32_t b);
    /// Sorts the ranges and merges overlapping and adjacent ones.
    void normalize();

    bool empty() const noexcept { return ranges_.empty(); }
    const std::vector<range>& ranges() const noexcept { return ranges_; }
    bool has_star() const noexcept;
    /// "*" replaced by largest (EXISTS, or the largest UID), ranges kept in
    /// order and reordered where needed ("9:*" with largest 5 is 5:9).
    /// largest == 0 (an empty mailbox) drops the ranges with "*".
    sequence_set resolved(std::uint32_t largest) const;

    /// Is n in the set? A range ending in "*" reaches every number from its
    /// first; "*" alone matches no number until resolved().
    bool contains(std::uint32_t n) const noexcept;
    /// How many numbers the ranges hold (each range counted, so overlaps
    /// count twice until normalize()); nullopt if has_star().
    std::optional<std::uint64_t> count() const noexcept;
    /// The numbers in order, at most max of them: nullopt with
    /// errc::too_many_tokens if there are more, errc::malformed_reply with "*".
    std::optional<std::vector<std::uint32_t>> to_numbers(std::size_t max, std::error_code& ec) const;

    /// The sequence-set text: "1:3,7", "5:*", "*"; empty for an empty set.
    std::string to_string() const;

    bool operator==(const sequence_set&) const = default;

    /// Walks the numbers of each range in order, without expanding them;
    /// "*" counts as 4294967295, so resolve() sets that have it first.
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::uint32_t;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::uint32_t*;
        using reference = std::uint32_t;

        iterator() = default;
        std::uint32_t operator*() const noexcept { return static_cast<std::uint32_t>(value_); }
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            iterator t = *this;
            ++*this;
            return t;
        }
        bool operator==(const iterator& o) const noexcept { return index_ == o.index_ && value_ == o.value_; }

    private:
        friend class sequence_set;
        iterator(const std::vector<range>* r, std::size_t index) noexcept;
        const std::vector<range>* ranges_ = nullptr;
        std::size_t index_ = 0;
        std::uint64_t value_ = 0;
    };
    iterator begin() const noexcept { return {&ranges_, 0}; }
    iterator end() const noexcept { return {&ranges_, ranges_.size()}; }

private:
    std::vector<range> ranges_;
};

/// UID sets have the same syntax; "*" is the largest UID in the mailbox.
using uid_set = sequence_set;

} // namespace pigeon::imap
