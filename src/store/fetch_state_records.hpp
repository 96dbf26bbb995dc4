#pragma once
// The delivered records of a fetch state in memory (private to src/store).
//
// 100k records must stay small, so a record is not kept as a
// delivered_record (six std::string, ~450 bytes with their heap blocks) but
// as a slot of ~80 bytes: folder and destination as numbers into interned
// tables, the SHA-256 in binary, the UIDL, Message-ID and location packed
// into one heap block. Two compact hash indexes find a slot by its key and
// by (Message-ID, size); each folder links its slots in a list, so the
// per-folder queries never walk other folders. delivered_record objects are
// made only when a caller asks for pointers (records_of,
// find_by_message_id) and then kept, so those pointers stay valid until
// their record is forgotten.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fetch_state_index.hpp"
#include "pigeon/store/fetch_state.hpp"

namespace pigeon::store::detail {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class record_table {
public:
    static constexpr std::uint32_t npos = record_index::npos;

    /// Adds the record, or replaces the one with the same key.
    void put(const delivered_record& r);
    /// Removes the record with this key; false when there is none.
    bool remove(const message_key& k);

    bool contains(const message_key& k) const { return find(k) != npos; }
    /// Copies the record with this key into `out`; false when there is none.
    bool get(const message_key& k, delivered_record& out) const {
        const std::uint32_t n = find(k);
        if (n == npos) return false;
        fill(n, out);
        return true;
    }
    std::size_t size() const noexcept { return live_; }

    std::vector<std::uint32_t> uids(std::string_view folder, std::uint32_t uidvalidity) const;
    std::vector<std::uint32_t> uidvalidities(std::string_view folder) const;
    std::vector<const delivered_record*> records_of(std::string_view folder) const;
    const delivered_record* find_by_message_id(std::string_view message_id, std::uint64_t size) const;
    /// Calls f(folder, message_id) for every record with a Message-ID,
    /// without materialising records.
    template <class F>
    void for_each_message_id(F f) const {
        for (const folder_entry& fe : folders_)
            for (std::uint32_t n = fe.head; n != npos; n = slots_[n].next) {
                std::string_view id = message_id_of(n);
                if (!id.empty()) f(std::string_view(fe.name), id);
            }
    }

    /// Calls f(const delivered_record&) for each record of one folder, one
    /// record object filled in turn (nothing kept: records_of materialises
    /// and caches every record it returns).
    template <class F>
    void for_each_of(std::string_view folder, F f) const {
        const std::uint32_t fid = folder_id(folder);
        if (fid == npos) return;
        delivered_record r;
        for (std::uint32_t n = folders_[fid].head; n != npos; n = slots_[n].next) {
            fill(n, r);
            f(static_cast<const delivered_record&>(r));
        }
    }

    /// Calls f(const delivered_record&) for every record, folder by folder,
    /// and within a folder UIDVALIDITY by UIDVALIDITY in their order of
    /// first appearance: replaying what it produces gives back the same
    /// uidvalidities() order.
    template <class F>
    void for_each(F f) const {
        delivered_record r;
        for (const folder_entry& fe : folders_)
            for (const auto& uv : fe.uidvalidities)
                for (std::uint32_t n = fe.head; n != npos; n = slots_[n].next)
                    if (slots_[n].uidvalidity == uv.first) {
                        fill(n, r);
                        f(static_cast<const delivered_record&>(r));
                    }
    }

private:
    struct slot {
        std::unique_ptr<char[]> text;  ///< uidl, message_id, location, raw sha (packed)
        std::uint64_t size = 0;
        std::int64_t delivered_at = 0;
        std::uint32_t folder = 0;
        std::uint32_t uidvalidity = 0;
        std::uint32_t uid = 0;
        std::uint32_t destination = 0;
        std::uint32_t prev = npos;  ///< folder list; `next` also chains free slots
        std::uint32_t next = npos;
        std::array<std::uint8_t, 32> sha{};
        bool live = false;
        bool sha_binary = false;  ///< sha256_hex was 64 lower-case hex digits
    };
    struct folder_entry {
        std::string name;
        std::uint32_t head = npos;
        std::uint32_t tail = npos;
        /// UIDVALIDITY and its number of live records, in order of first appearance.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> uidvalidities;
    };

    std::uint32_t find(const message_key& k) const;
    std::string_view message_id_of(std::uint32_t n) const;
    std::uint32_t folder_id(std::string_view name) const;
    std::uint32_t intern_folder(const std::string& name);
    std::uint32_t intern_destination(const std::string& d);
    std::uint64_t key_hash(std::uint32_t n) const;
    std::uint64_t message_id_hash(std::uint32_t n) const;
    void set_payload(std::uint32_t n, const delivered_record& r);
    void fill(std::uint32_t n, delivered_record& r) const;
    const delivered_record* view(std::uint32_t n) const;

    /// Slots in fixed blocks of 1,024: growing never copies the slots
    /// already there, and never holds an old and a new array at once (a
    /// vector doubling to 16,384 slots for 10,000 records held 2.2 MB at
    /// its peak; blocks hold at most one partly used block more than needed).
    class slot_blocks {
    public:
        static constexpr std::uint32_t block_bits = 10;
        static constexpr std::uint32_t block_size = 1u << block_bits;
        slot& operator[](std::uint32_t n) noexcept { return blocks_[n >> block_bits][n & (block_size - 1)]; }
        const slot& operator[](std::uint32_t n) const noexcept {
            return blocks_[n >> block_bits][n & (block_size - 1)];
        }
        std::uint32_t size() const noexcept { return size_; }
        /// Appends a default slot; returns its number.
        std::uint32_t add() {
            if ((size_ & (block_size - 1)) == 0) blocks_.push_back(std::make_unique<slot[]>(block_size));
            return size_++;
        }

    private:
        std::vector<std::unique_ptr<slot[]>> blocks_;
        std::uint32_t size_ = 0;
    };
    slot_blocks slots_;
    std::uint32_t free_ = npos;
    std::size_t live_ = 0;
    std::vector<folder_entry> folders_;
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> folder_ids_;
    std::vector<std::string> destinations_;
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> destination_ids_;
    record_index by_key_;
    record_index by_message_id_;  ///< records with a non-empty Message-ID
    mutable std::unordered_map<std::uint32_t, std::unique_ptr<delivered_record>> views_;
};

}  // namespace pigeon::store::detail
