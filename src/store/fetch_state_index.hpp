#pragma once
// A compact hash index of record numbers (private to src/store): open
// addressing with linear probing, 8 bytes a cell (the hash and the record
// number), so 100k records cost about 2 MB per index rather than the ~50
// bytes per entry of a node-based map. The caller owns the records and
// says, through a predicate, whether a record number matches a lookup;
// equal keys may be inserted more than once (a multimap).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pigeon::store::detail {

class record_index {
public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    /// The first record number with this hash for which match(n) is true.
    template <class Match>
    std::uint32_t find(std::uint64_t hash, Match match) const {
        if (cells_.empty()) return npos;
        const auto h = fold(hash);
        for (std::size_t i = h & mask(); cells_[i].n != empty; i = (i + 1) & mask())
            if (cells_[i].n != tomb && cells_[i].h == h && match(cells_[i].n)) return cells_[i].n;
        return npos;
    }

    void insert(std::uint64_t hash, std::uint32_t n) {
        if ((used_ + tombs_ + 1) * 10 > cells_.size() * 7) rehash();
        const auto h = fold(hash);
        std::size_t i = h & mask();
        while (cells_[i].n != empty && cells_[i].n != tomb) i = (i + 1) & mask();
        if (cells_[i].n == tomb) --tombs_;
        cells_[i] = {h, n};
        ++used_;
    }

    /// Removes the cell holding record number n (inserted with this hash).
    bool erase(std::uint64_t hash, std::uint32_t n) {
        if (cells_.empty()) return false;
        const auto h = fold(hash);
        for (std::size_t i = h & mask(); cells_[i].n != empty; i = (i + 1) & mask()) {
            if (cells_[i].n == n && cells_[i].h == h) {
                cells_[i].n = tomb;
                --used_;
                ++tombs_;
                return true;
            }
        }
        return false;
    }

    std::size_t size() const noexcept { return used_; }
    std::size_t bytes() const noexcept { return cells_.capacity() * sizeof(cell); }

private:
    static constexpr std::uint32_t empty = 0xffffffffu;
    static constexpr std::uint32_t tomb = 0xfffffffeu;
    struct cell {
        std::uint32_t h = 0;
        std::uint32_t n = empty;
    };

    static std::uint32_t fold(std::uint64_t x) {
        // A final mix, so that poor low bits in the caller's hash still spread.
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        return static_cast<std::uint32_t>(x);
    }
    std::size_t mask() const { return cells_.size() - 1; }

    void rehash() {
        std::size_t cap = cells_.empty() ? 16 : cells_.size();
        while ((used_ + 1) * 10 > cap * 5) cap *= 2;  // at most half full after it
        std::vector<cell> old(cap);
        old.swap(cells_);
        tombs_ = 0;
        for (const cell& c : old) {
            if (c.n == empty || c.n == tomb) continue;
            std::size_t i = c.h & mask();
            while (cells_[i].n != empty) i = (i + 1) & mask();
            cells_[i] = c;
        }
    }

    std::vector<cell> cells_;
    std::size_t used_ = 0;
    std::size_t tombs_ = 0;
};

}  // namespace pigeon::store::detail
