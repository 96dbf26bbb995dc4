#include "pigeon/imap/sequence_set.hpp"

#include <algorithm>

#include "pigeon/imap/error.hpp"

namespace pigeon::imap {
namespace {

// Orders star after every number.
constexpr std::uint64_t key(std::uint32_t n) noexcept {
    return n == sequence_set::star ? 0x100000000ULL : n;
}

constexpr std::uint32_t effective(std::uint32_t n) noexcept { return n == sequence_set::star ? 0xffffffffu : n; }

sequence_set::range make_range(std::uint32_t a, std::uint32_t b) noexcept {
    if (key(a) > key(b)) std::swap(a, b);
    return {a, b};
}

// seq-number = nz-number / "*"
std::optional<std::uint32_t> parse_seq_number(std::string_view s) noexcept {
    if (s == "*") return sequence_set::star;
    if (s.empty() || s.size() > 10 || s[0] < '1' || s[0] > '9') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xffffffffULL) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

void append_number(std::string& out, std::uint32_t n) {
    if (n == sequence_set::star) out += '*';
    else out += std::to_string(n);
}

} // namespace

sequence_set sequence_set::from_numbers(std::vector<std::uint32_t> numbers) {
    std::sort(numbers.begin(), numbers.end());
    sequence_set s;
    for (std::uint32_t n : numbers) {
        if (n == 0) continue;
        if (!s.ranges_.empty()) {
            range& back = s.ranges_.back();
            if (n <= back.last) continue;  // duplicate
            if (n == back.last + 1) {
                back.last = n;
                continue;
            }
        }
        s.ranges_.push_back({n, n});
    }
    return s;
}

sequence_set sequence_set::from_range(std::uint32_t a, std::uint32_t b) {
    sequence_set s;
    s.add_range(a, b);
    return s;
}

std::optional<sequence_set> sequence_set::parse(std::string_view text, std::error_code& ec, std::size_t max_ranges) {
    sequence_set s;
    ec = make_error_code(errc::malformed_reply);
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    for (;;) {
        auto comma = text.find(',', i);
        std::string_view item = text.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
        if (s.ranges_.size() >= max_ranges) {
            ec = make_error_code(errc::too_many_tokens);
            return std::nullopt;
        }
        auto colon = item.find(':');
        if (colon == std::string_view::npos) {
            auto n = parse_seq_number(item);
            if (!n) return std::nullopt;
            s.ranges_.push_back({*n, *n});
        } else {
            auto a = parse_seq_number(item.substr(0, colon));
            auto b = parse_seq_number(item.substr(colon + 1));
            if (!a || !b) return std::nullopt;
            s.ranges_.push_back(make_range(*a, *b));
        }
        if (comma == std::string_view::npos) break;
        i = comma + 1;
    }
    ec.clear();
    return s;
}

void sequence_set::add(std::uint32_t n) {
    if (n != 0) ranges_.push_back({n, n});
}

void sequence_set::add_range(std::uint32_t a, std::uint32_t b) { ranges_.push_back(make_range(a, b)); }

void sequence_set::normalize() {
    if (ranges_.empty()) return;
    std::sort(ranges_.begin(), ranges_.end(), [](const range& x, const range& y) {
        return key(x.first) != key(y.first) ? key(x.first) < key(y.first) : key(x.last) < key(y.last);
    });
    std::vector<range> out;
    out.reserve(ranges_.size());
    for (const range& r : ranges_) {
        if (!out.empty() && key(r.first) <= key(out.back().last) + 1) {
            if (key(r.last) > key(out.back().last)) out.back().last = r.last;
            continue;
        }
        out.push_back(r);
    }
    ranges_ = std::move(out);
}

bool sequence_set::has_star() const noexcept {
    return std::any_of(ranges_.begin(), ranges_.end(), [](const range& r) { return r.last == star; });
}

sequence_set sequence_set::resolved(std::uint32_t largest) const {
    sequence_set s;
    s.ranges_.reserve(ranges_.size());
    for (const range& r : ranges_) {
        if (r.last != star) {
            s.ranges_.push_back(r);
        } else if (largest != 0) {
            std::uint32_t first = r.first == star ? largest : r.first;
            s.ranges_.push_back(make_range(first, largest));
        }
    }
    return s;
}

bool sequence_set::contains(std::uint32_t n) const noexcept {
    if (n == 0) return false;
    return std::any_of(ranges_.begin(), ranges_.end(),
                       [n](const range& r) { return key(r.first) <= n && n <= key(r.last); });
}

std::optional<std::uint64_t> sequence_set::count() const noexcept {
    std::uint64_t total = 0;
    for (const range& r : ranges_) {
        if (r.last == star) return std::nullopt;
        total += std::uint64_t{r.last} - r.first + 1;
    }
    return total;
}

std::optional<std::vector<std::uint32_t>> sequence_set::to_numbers(std::size_t max, std::error_code& ec) const {
    auto n = count();
    if (!n) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    if (*n > max) {
        ec = make_error_code(errc::too_many_tokens);
        return std::nullopt;
    }
    std::vector<std::uint32_t> out;
    out.reserve(static_cast<std::size_t>(*n));
    for (std::uint32_t v : *this) out.push_back(v);
    ec.clear();
    return out;
}

std::string sequence_set::to_string() const {
    std::string out;
    for (const range& r : ranges_) {
        if (!out.empty()) out += ',';
        append_number(out, r.first);
        if (r.first != r.last) {
            out += ':';
            append_number(out, r.last);
        }
    }
    return out;
}

sequence_set::iterator::iterator(const std::vector<range>* r, std::size_t index) noexcept : ranges_(r), index_(index) {
    if (index_ < ranges_->size()) value_ = effective((*ranges_)[index_].first);
}

sequence_set::iterator& sequence_set::iterator::operator++() noexcept {
    if (value_ < effective((*ranges_)[index_].last)) {
        ++value_;
        return *this;
    }
    ++index_;
    value_ = index_ < ranges_->size() ? effective((*ranges_)[index_].first) : 0;
    return *this;
}

} // namespace pigeon::imap
