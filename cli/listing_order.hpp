#pragma once
// The rows of a newest-first listing fetched in descending batches that the
// server may complete in any order (RFC 9051 section 5.5: pipelined
// commands may run concurrently): rows are kept until their batch and every
// newer batch have completed, then handed out newest first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::cli {

template <class Item>
class listing_order {
public:
    /// numbers: strictly descending (UIDs or sequence numbers); batch k
    /// holds positions k*batch up to (k+1)*batch of them, as
    /// imap::fetch_options::descending cuts the set.
    listing_order(const std::vector<std::uint32_t>& numbers, std::size_t batch)
        : numbers_(numbers), batch_(std::max<std::size_t>(batch, 1)),
          done_((numbers.size() + batch_ - 1) / batch_) {}

    /// Position of n in numbers, or npos.
    std::size_t position(std::uint32_t n) const {
        auto it = std::lower_bound(numbers_.begin(), numbers_.end(), n, std::greater<>());
        return it != numbers_.end() && *it == n ? static_cast<std::size_t>(it - numbers_.begin()) : npos;
    }

    /// Whether a row for n would be kept: n is listed and its batch has not
    /// been handed out yet (a later row is a repeat).
    bool wants(std::uint32_t n) const {
        const std::size_t at = position(n);
        return at != npos && at / batch_ >= next_;
    }

    /// Keeps the row of n; false (nothing kept) unless wants(n). A second
    /// row for n replaces the first.
    bool add(std::uint32_t n, Item item) {
        const std::size_t at = position(n);
        if (at == npos || at / batch_ < next_) return false;
        const std::size_t slot = at - next_ * batch_;
        if (slot >= window_.size()) window_.resize(slot + 1);
        if (!window_[slot]) ++held_;
        window_[slot] = std::move(item);
        return true;
    }

    /// The batch whose highest number is `highest` has completed: hands out
    /// (emit(Item&)) the rows of every completed batch not yet preceded by
    /// a running one, newest first.
    template <class Emit>
    void batch_done(std::uint32_t highest, Emit&& emit) {
        const std::size_t at = position(highest);
        if (at == npos) return;
        done_[at / batch_] = true;
        for (; next_ < done_.size() && done_[next_]; ++next_) {
            const std::size_t n = std::min(window_.size(), batch_);
            for (std::size_t slot = 0; slot < n; ++slot) {
                if (!window_[slot]) continue;
                auto row = std::move(*window_[slot]);
                window_[slot].reset();   // handed out once, even if emit throws
                --held_;
                emit(row);
            }
            window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(n));
        }
    }

    std::size_t held() const noexcept { return held_; }

    static constexpr std::size_t npos = std::string::npos;

private:
    const std::vector<std::uint32_t>& numbers_;
    std::size_t batch_;
    std::vector<bool> done_;
    std::size_t next_ = 0;  // the newest batch not handed out yet
    /// The rows kept, by position from the first of batch next_ on (a
    /// vector, not a map: no node to allocate and free for each row).
    std::vector<std::optional<Item>> window_;
    std::size_t held_ = 0;
};

} // namespace pigeon::cli
